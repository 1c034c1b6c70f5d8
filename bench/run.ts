/**
 * Benchmark runner: `npm run bench` runs every benchmark, `npm run bench -- <name>` one of them.
 * Benchmarks print their figures; they assert nothing (speed targets live here, not in tests).
 */
const benchmarks: Record<string, () => Promise<void>> = {
  query: async () => (await import('./query.ts')).run(),
  simulator: async () => (await import('./simulator.ts')).run(),
  sync: async () => (await import('./sync.ts')).run(),
  startup: async () => (await import('./startup.ts')).run(),
  threatconnect: async () => (await import('./threatconnect.ts')).run(),
  webhooks: async () => (await import('./webhooks.ts')).run(),
  validation: async () => (await import('./validation.ts')).run(),
};

const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = wanted.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  process.stderr.write(
    `error INPUT_INVALID: unknown benchmark ${unknown.join(', ')} (have: ${Object.keys(benchmarks).join(', ')})\n`,
  );
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(benchmarks)) {
  process.stdout.write(`\n== ${name} ==\n`);
  await benchmarks[name]?.();
}
