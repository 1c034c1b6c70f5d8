import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
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
 * The npm packages `vigil <args>` loads, run through the launcher (dist/ when fresh, else the
 * sources through tsx) with test/helpers/load-trace.mjs recording every import and require.
 */
async function packagesLoadedBy(args: string[]): Promise<Set<string>> {
  const home = mkdtempSync(join(tmpdir(), 'vigil-startup-'));
  const trace = join(home, 'loaded.txt');
  try {
    await run(process.execPath, ['--import', loadTrace, vigilBin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, VIGIL_HOME: home, VIGIL_LOAD_TRACE: trace },
    });
    const packages = readFileSync(trace, 'utf8')
      .split('\n')
      .map((line) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line)?.[1])
      .filter((name) => name !== undefined);
    return new Set(packages);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Start-up stays fast because commands load their heavy modules only when they run (issue 11): a
 * top-level import of a driver, a server, a vendor client or the query grammar in a command module
 * (or in anything it imports) fails here. No timing: what is loaded is asserted, the time is the
 * bench's (`npm run bench -- startup`).
 */
describe('what a command loads', () => {
  it('`vigil --help` loads commander and none of the heavy packages', async () => {
    const loaded = await packagesLoadedBy(['--help']);
    expect(loaded).toContain('commander');
    expect(heavyPackages.filter((name) => loaded.has(name))).toEqual([]);
  });

  it('`vigil graph stats` on an empty home loads the SQLite driver and nothing else heavy', async () => {
    const loaded = await packagesLoadedBy(['graph', 'stats']);
    expect(heavyPackages.filter((name) => loaded.has(name))).toEqual(['better-sqlite3']);
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
});
