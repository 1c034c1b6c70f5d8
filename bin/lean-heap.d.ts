/** Types of bin/lean-heap.js (plain JavaScript: the launcher must run without tsx). */
/** True when `args` (process.argv after the script) name a command that runs a sync. */
export declare function runsSync(args: readonly string[]): boolean;
/** Applies the lean V8 heap flags to this process when `args` run a sync (unless VIGIL_V8_DEFAULTS=1). */
export declare function leanHeapForSync(args: readonly string[]): Promise<void>;
