/**
 * Start-up (`npm run bench -- startup`): the median of 10 cold starts of each command, wall and
 * CPU time (the process's user + system time, steadier than wall on a shared machine), on the
 * launcher's default path (the bundle, dist/bundle/), on the unbundled compiled modules
 * (dist/cli/main.js) and on the tsx path (VIGIL_FROM_SOURCE=1), beside bare `node -e 0`, in
 * interleaved rounds so that machine load touches every column alike. Then what each group of
 * heavy modules costs to import: the commands load each group only when they run it (issue 11;
 * test/startup.test.ts checks what `--help` and `graph stats` load).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** How a command is started: through the launcher (`bin/vigil.js`) or the unbundled compiled entry. */
const paths = [
  { label: 'bundle', entry: 'bin/vigil.js', env: { VIGIL_FROM_SOURCE: '0' } },
  { label: 'dist', entry: 'dist/cli/main.js', env: {} },
  { label: 'tsx', entry: 'bin/vigil.js', env: { VIGIL_FROM_SOURCE: '1' } },
];

/** Clock ticks per second of /proc times (USER_HZ: 100 on Linux). */
const ticksPerSecond = 100;

/**
 * CPU ms used so far by this process's waited-for children (cutime + cstime of /proc/self/stat),
 * or undefined where /proc is missing. Resolution: 10 ms.
 */
function childrenCpuMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    // After the command name: field 3 (state) is index 0, so cutime (16) and cstime (17) are 13 and 14.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * Wall and CPU time (ms; CPU NaN without /proc) of one process run to completion; throws if it
 * fails, as its time would mean nothing.
 */
function timeRun(args: string[], env: NodeJS.ProcessEnv): { wall: number; cpu: number } {
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: packageRoot, env, encoding: 'utf8' });
  const wall = performance.now() - started;
  const cpuAfter = childrenCpuMs();
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return { wall, cpu: cpuBefore === undefined || cpuAfter === undefined ? Number.NaN : cpuAfter - cpuBefore };
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
  const samples = new Map<string, Array<{ wall: number; cpu: number }>>();
  const record = (key: string, time: { wall: number; cpu: number }) =>
    samples.set(key, [...(samples.get(key) ?? []), time]);
  for (let round = 0; round < rounds; round++) {
    record('node', timeRun(['-e', '0'], process.env));
    for (const path of paths) {
      for (const command of commands) {
        const home = mkdtempSync(join(tmpdir(), 'vigil-startup-'));
        try {
          const env = { ...process.env, ...path.env, VIGIL_HOME: home };
          record(`${path.label}|${command.label}`, timeRun([path.entry, ...command.args(home)], env));
        } finally {
          rmSync(home, { recursive: true, force: true });
        }
      }
    }
  }
  const cell = (key: string) => {
    const times = samples.get(key) ?? [];
    return `${seconds(median(times.map((time) => time.wall)))} / ${seconds(median(times.map((time) => time.cpu)))}`;
  };
  process.stdout.write(`median of ${rounds} cold starts, wall / CPU; bare \`node -e 0\`: ${cell('node')}\n`);
  process.stdout.write(`${'command'.padEnd(36)}${paths.map((path) => path.label.padStart(20)).join('')}\n`);
  for (const command of commands) {
    const cells = paths.map((path) => cell(`${path.label}|${command.label}`));
    process.stdout.write(`${command.label.padEnd(36)}${cells.map((text) => text.padStart(20)).join('')}\n`);
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

/**
 * What every command loads: commander and the program with its index of commands
 * (dist/cli/program.js; `vigil --help` loads nothing else, not even zod).
 */
const base = ['@commander-js/extra-typings', './dist/cli/program.js'];

/**
 * The implementation modules that the command modules of `dist/cli/` imported statically before
 * issue 11 (so `vigil --help` loaded them all, and zod with them); each group now loads only with
 * the commands that run it. Listed in the order the steps below drop them.
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
  { label: 'zod', modules: ['zod'] },
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
 * What the heavy module groups cost, as unbundled modules: the import time of all of them (what
 * `vigil --help` loaded before issue 11), then of what is left without each group (cumulatively); each group's
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
  process.stdout.write(
    `${'every group (what --help loaded before issue 11)'.padEnd(52)}${format(previous)}\n`,
  );
  for (const [index, step] of lazySteps.entries()) {
    const cost = importCost([...base, ...lazySteps.slice(index + 1).flatMap((later) => later.modules)]);
    const change = `${signed(cost.cpu - previous.cpu)} CPU, ${signed(cost.wall - previous.wall)} wall`;
    process.stdout.write(`${`without: ${step.label}`.padEnd(52)}${format(cost)}  (${change})\n`);
    previous = cost;
  }
  process.stdout.write(
    '(the last line is what `vigil --help` loads now: commander and the program with its command index)\n',
  );
}

export async function run(): Promise<void> {
  ensureFreshBuild();
  measureStarts();
  measureFreshnessCheck();
  measureImports();
}
