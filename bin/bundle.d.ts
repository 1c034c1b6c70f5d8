/** Types of bin/bundle.js (plain JavaScript, run before any build). */
export declare const bundleDir: string;
export declare const bundleMain: string;
export declare function bundleProgram(): Promise<boolean>;
