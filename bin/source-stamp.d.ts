/** Types of bin/source-stamp.js (plain JavaScript: the launcher must run without tsx). */
export declare const packageRoot: string;
export declare const distDir: string;
export declare const stampPath: string;
/** Newest mtime (ms) of the build inputs (src/ and the two tsconfig files); 0 when none exist. */
export declare function newestSourceMtime(): number;
/** Whether dist/ holds a complete build at least as new as every build input. */
export declare function distIsFresh(): boolean;
