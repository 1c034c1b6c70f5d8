/**
 * Start-up (`npm run bench -- startup`): the median of 10 cold starts of each command through the
 * launcher, on the compiled path (dist/) and on the tsx path (VIGIL_FROM_SOURCE=1), beside bare
 * `node -e 0`, in interleaved rounds so that machine load touches every column alike. Then what
 * each group of heavy modules costs to import: the commands load each group only when they run it
 * (issue 11; test/startup.test.ts checks what `--help` and `graph stats` load).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distIsFresh, newestSourceMtime, packageRoot } from '../bin/source-stamp.js';

const rounds = 10;
const importRuns = 5;

interface Command {
  label: string;
  /** Arguments, given a fresh empty directory to use as VIGIL_HOME. */
  args: (home: string) => string[];
}

const commands: Command[] = [
  { label: 'vigil --help', args: () => ['--help'] },
  {
    label: 'vigil graph stats (empty home)',
    args: (home) => ['graph', 'stats', '--db', join(home, 'vigil.db')],
  },
  { label: 'vigil simulate threatstack --help', args: () => ['simulate', 'threatstack', '--help'] },
];

const paths = [
  { label: 'compiled', env: { VIGIL_FROM_SOURCE: '0' } },
  { label: 'tsx', env: { VIGIL_FROM_SOURCE: '1' } },
];

/** Wall time (ms) of one process run to completion; throws if it fails, as its time would mean nothing. */
function timeRun(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: packageRoot, env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

function ensureFreshBuild(): void {
  if (distIsFresh()) return;
  process.stdout.write('dist/ is missing or older than src/: building it first (npm run build)\n');
  timeRun(['bin/build.js'], process.env);
}

function measureStarts(): void {
  const samples = new Map<string, number[]>();
  const record = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
  for (let round = 0; round < rounds; round++) {
    record('node', timeRun(['-e', '0'], process.env));
    for (const path of paths) {
      for (const command of commands) {
        const home = mkdtempSync(join(tmpdir(), 'vigil-startup-'));
        try {
          const env = { ...process.env, ...path.env, VIGIL_HOME: home };
          record(`${path.label}|${command.label}`, timeRun(['bin/vigil.js', ...command.args(home)], env));
        } finally {
          rmSync(home, { recursive: true, force: true });
        }
      }
    }
  }
  process.stdout.write(
    `median of ${rounds} cold starts; bare \`node -e 0\`: ${seconds(median(samples.get('node') ?? []))}\n`,
  );
  process.stdout.write(`${'command'.padEnd(36)}${paths.map((path) => path.label.padStart(10)).join('')}\n`);
  for (const command of commands) {
    const cells = paths.map((path) => seconds(median(samples.get(`${path.label}|${command.label}`) ?? [])));
    process.stdout.write(`${command.label.padEnd(36)}${cells.map((cell) => cell.padStart(10)).join('')}\n`);
  }
}

/** The freshness check the launcher makes at every start (walks src/), in this warm process. */
function measureFreshnessCheck(): void {
  const times = Array.from({ length: rounds }, () => {
    const started = performance.now();
    newestSourceMtime();
    return performance.now() - started;
  });
  process.stdout.write(`launcher freshness check (stat of src/): ${median(times).toFixed(1)} ms\n`);
}

/** What any command needs whatever is lazy: commander, and zod through `dist/errors.js`. */
const base = ['@commander-js/extra-typings', './dist/errors.js'];

/**
 * The implementation modules that the command modules of `dist/cli/` imported statically before
 * issue 11 (so `vigil --help` loaded them all); each group now loads only with the commands that
 * run it. Listed in the order the steps below drop them.
 */
const lazySteps: Array<{ label: string; modules: string[] }> = [
  {
    label: 'simulators (simulate)',
    modules: ['./dist/simulators/threatstack/server.js', './dist/simulators/threatconnect/server.js'],
  },
  { label: 'pg-boss (serve, worker)', modules: ['./dist/jobs/pg-boss.js'] },
  { label: 'pg (PostgreSQL driver)', modules: ['./dist/store/postgres-driver.js'] },
  {
    label: 'integrations (registry, sync, test)',
    modules: [
      './dist/integrations/registry.js',
      './dist/integrations/sync.js',
      './dist/integrations/connectivity.js',
      './dist/jobs/runtime.js',
    ],
  },
  {
    label: 'connectors, undici, hawk (sync, agents)',
    modules: [
      './dist/connectors/threatstack/client.js',
      './dist/connectors/threatstack/steps.js',
      './dist/connectors/threatstack/agents-export.js',
      './dist/connectors/threatconnect/client.js',
      './dist/connectors/threatconnect/steps.js',
    ],
  },
  {
    label: 'attack, coverage',
    modules: ['./dist/attack/import-stix.js', './dist/coverage/stix.js', './dist/coverage/actors.js'],
  },
  { label: 'pino (log)', modules: ['./dist/log.js'] },
  { label: 'store, better-sqlite3', modules: ['./dist/store/index.js', './dist/store/sqlite-driver.js'] },
];

/** Median wall and CPU ms to import `modules` in a fresh process (process start not included). */
function importCost(modules: string[]): { wall: number; cpu: number } {
  const script = [
    'const cpu = process.cpuUsage();',
    'const started = performance.now();',
    `for (const s of ${JSON.stringify(modules)}) await import(s);`,
    'const used = process.cpuUsage(cpu);',
    "process.stdout.write([performance.now() - started, (used.user + used.system) / 1000].join(' '));",
  ].join('\n');
  const runs = Array.from({ length: importRuns }, () => {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: packageRoot,
      encoding: 'utf8',
    });
    if (result.status !== 0)
      throw new Error(`importing ${modules.join(', ')} failed: ${result.stderr.trim()}`);
    return result.stdout.split(' ').map(Number);
  });
  return { wall: median(runs.map((run) => run[0] ?? 0)), cpu: median(runs.map((run) => run[1] ?? 0)) };
}

/**
 * What the heavy module groups cost: the import time of all of them (what `vigil --help` loaded
 * before they became lazy), then of what is left without each group (cumulatively); each group's
 * cost is the drop, which only the commands that run it now pay.
 */
function measureImports(): void {
  process.stdout.write(
    `\nimports on the compiled path, median of ${importRuns} fresh processes (CPU is steadier than wall on a busy machine)\n`,
  );
  const format = (cost: { wall: number; cpu: number }) =>
    `${cost.cpu.toFixed(0)} ms CPU, ${cost.wall.toFixed(0)} ms wall`;
  const signed = (ms: number) => `${ms > 0 ? '+' : ''}${ms.toFixed(0)}`;
  let previous = importCost([...base, ...lazySteps.flatMap((step) => step.modules)]);
  process.stdout.write(`${'every group (what --help loaded before)'.padEnd(52)}${format(previous)}\n`);
  for (const [index, step] of lazySteps.entries()) {
    const cost = importCost([...base, ...lazySteps.slice(index + 1).flatMap((later) => later.modules)]);
    const change = `${signed(cost.cpu - previous.cpu)} CPU, ${signed(cost.wall - previous.wall)} wall`;
    process.stdout.write(`${`without: ${step.label}`.padEnd(52)}${format(cost)}  (${change})\n`);
    previous = cost;
  }
  process.stdout.write('(the last line is the floor: commander and zod, which every command needs)\n');
}

export async function run(): Promise<void> {
  ensureFreshBuild();
  measureStarts();
  measureFreshnessCheck();
  measureImports();
}
