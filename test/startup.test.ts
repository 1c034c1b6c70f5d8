import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bundleMain } from '../bin/bundle.js';
import { distDir, distIsFresh } from '../bin/source-stamp.js';
import { repoRoot } from './helpers/cli.ts';

const run = promisify(execFile);
const compiledMain = join(distDir, 'cli', 'main.js');
const vigilBin = join(repoRoot, 'bin', 'vigil.js');
const loadTrace = join(repoRoot, 'test', 'helpers', 'load-trace.mjs');

/** Packages whose loading costs start-up time, and the commands that need them. */
const heavyPackages = [
  'better-sqlite3', // the SQLite driver: commands that open the store
  'pg', // PostgreSQL: a postgres:// store, serve, worker
  'pg-boss', // serve, worker
  'fastify', // serve
  'undici', // vendor calls: sync, agents export, integrations test
  'hawk', // Threat Stack calls, the simulator
  'pino', // commands that log
  'pino-pretty',
  'cli-progress', // sync on a terminal
  'chevrotain', // J1QL parsing: query, rules, reading shortcuts
];

/**
 * What `vigil <args>` loads (module URLs and required paths), run through the launcher (the
 * bundle of dist/ when fresh, else the sources through tsx; `env` may force the sources) with
 * test/helpers/load-trace.mjs recording every import and require.
 */
async function modulesLoadedBy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const home = mkdtempSync(join(tmpdir(), 'vigil-startup-'));
  const trace = join(home, 'loaded.txt');
  try {
    await run(process.execPath, ['--import', loadTrace, vigilBin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env, VIGIL_HOME: home, VIGIL_LOAD_TRACE: trace },
    });
    return readFileSync(trace, 'utf8').split('\n');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** The npm packages `vigil <args>` loads (see `modulesLoadedBy`). */
async function packagesLoadedBy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Set<string>> {
  const packages = (await modulesLoadedBy(args, env))
    .map((line) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line)?.[1])
    .filter((name) => name !== undefined);
  return new Set(packages);
}

/**
 * Start-up stays fast because commands load their heavy modules only when they run (issue 11): a
 * top-level import of a driver, a server, a vendor client or the query grammar in a command module
 * (or in anything it imports) fails here. No timing: what is loaded is asserted, the time is the
 * bench's (`npm run bench -- startup`).
 */
describe('what a command loads', () => {
  // The bundle holds commander and zod, so `--help` may load no package at all; the graph stats
  // case below, on the same path, shows that the trace does see the packages a command loads.
  it('`vigil --help` loads none of the heavy packages', async () => {
    const loaded = await packagesLoadedBy(['--help']);
    expect(heavyPackages.filter((name) => loaded.has(name))).toEqual([]);
  });

  it('`vigil --help` loads only the program, its command index and output helpers: no command module, no zod', async () => {
    const loaded = await modulesLoadedBy(['--help'], { VIGIL_FROM_SOURCE: '1' });
    const sources = loaded
      .map((line) => /\/src\/(.+\.ts)$/.exec(line)?.[1])
      .filter((path) => path !== undefined);
    expect([...new Set(sources)].sort()).toEqual([
      'cli/command-index.ts',
      'cli/main.ts',
      'cli/output.ts',
      'cli/program.ts',
      'cli/table.ts',
      'errors.ts',
    ]);
    expect(loaded.filter((line) => line.includes('node_modules/zod/'))).toEqual([]);
  });

  it('`vigil graph stats` on an empty home loads the SQLite driver and nothing else heavy', async () => {
    const loaded = await packagesLoadedBy(['graph', 'stats']);
    expect(heavyPackages.filter((name) => loaded.has(name))).toEqual(['better-sqlite3']);
  });

  it('`vigil graph stats` opens the store alone: no application services, no vendor connectors', async () => {
    const loaded = await modulesLoadedBy(['graph', 'stats'], { VIGIL_FROM_SOURCE: '1' });
    const sources = new Set(loaded.map((line) => /\/src\/(.+\.ts)$/.exec(line)?.[1]));
    expect(sources).toContain('store/index.ts');
    expect(sources).toContain('app/graph.ts');
    const services = [...sources].filter(
      (path) =>
        path !== undefined && /^(connectors\/(threatstack|threatconnect)\/|app\/vigil\.ts)/.test(path),
    );
    expect(services).toEqual([]);
  });
});

/**
 * The compiled program that `npm install` / `npm ci` build into dist/ (through `prepare`) starts
 * and finds its bundled data files. It runs when dist/ is a fresh build (as in CI, after `npm ci`);
 * without one, `vigil` runs from its sources, which every other CLI test covers.
 */
describe.skipIf(!distIsFresh())('compiled program (dist/)', () => {
  it('prints its usage and exits 0', async () => {
    const { stdout } = await run(process.execPath, [compiledMain, '--help'], { cwd: repoRoot });
    expect(stdout).toMatch(/^Usage: vigil /);
    expect(stdout).toContain('simulate');
  });

  it('reads the ATT&CK catalogue the build copied beside it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'vigil-startup-'));
    const env = { ...process.env, VIGIL_HOME: home, VIGIL_ATTACK_CATALOGUE: '' };
    try {
      const { stdout } = await run(process.execPath, [compiledMain, 'attack', 'show', 'T1566'], {
        cwd: repoRoot,
        env,
      });
      expect(stdout).toMatch(/^T1566\s+Phishing/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('runs from its bundle, which finds the data files of dist/ (attack show, graph stats)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'vigil-startup-'));
    const env = { ...process.env, VIGIL_HOME: home, VIGIL_ATTACK_CATALOGUE: '' };
    try {
      const attack = await run(process.execPath, [bundleMain, 'attack', 'show', 'T1566'], {
        cwd: repoRoot,
        env,
      });
      expect(attack.stdout).toMatch(/^T1566\s+Phishing/);
      const stats = await run(process.execPath, [bundleMain, 'graph', 'stats', '--json'], {
        cwd: repoRoot,
        env,
      });
      expect(JSON.parse(stats.stdout)).toEqual({ entities: {}, relationships: {} });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
