// V8 heap settings for the commands that sync (`vigil sync …`, `vigil integrations sync …`),
// applied by bin/vigil.js before anything else loads (issue 11, memory). A sync streams vendor
// pages through short-lived objects; with V8's defaults the young generation grows to 3 × 16 MiB
// and the old generation to ~2–3 × its live set before a full collection, so the process held
// 200–220 MiB at 10 000 agents for a live set near 40 MiB. Two flags, both settable at run time
// (`--max-semi-space-size` is not: V8 reads it only when the process starts):
//   --semi-space-growth-factor=1  the young generation keeps its initial 1 MiB semi-spaces;
//   --heap-growing-percent=20     after a full collection the old generation may grow 20 % above
//                                 its live set (V8 picks 10 %–300 % by itself) before the next.
// Measured (first sync, fresh database, 2 cores, shared machine; bench/memory-probe.mjs): at 10 000
// agents peak RSS 214–226 → 122–127 MiB, at 100 000 agents 243 → 171 MiB. Cost: at 10 000 agents, runs
// interleaved with the defaults, wall time 16.1–16.3 → 17.1–17.4 s (+6 %, more frequent collections);
// at 100 000 (not interleaved) 645 → 588 s wall, 255 → 262 s CPU. Start-up RSS 85 → 76 MiB.
// VIGIL_V8_DEFAULTS=1 leaves V8's defaults.
const LEAN_HEAP_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=20'];

/** True when `args` (process.argv after the script) name a command that runs a sync. */
export function runsSync(args) {
  const positionals = args.filter((arg) => !arg.startsWith('-'));
  return positionals[0] === 'sync' || (positionals[0] === 'integrations' && positionals[1] === 'sync');
}

/**
 * Applies the lean heap flags to this process when it is about to sync. node:v8 is loaded only
 * then (it costs a few milliseconds of every other command's start).
 */
export async function leanHeapForSync(args) {
  if (process.env.VIGIL_V8_DEFAULTS === '1' || !runsSync(args)) return;
  const { setFlagsFromString } = await import('node:v8');
  for (const flag of LEAN_HEAP_FLAGS) setFlagsFromString(flag);
}
