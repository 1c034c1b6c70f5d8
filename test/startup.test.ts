import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { distDir, distIsFresh } from '../bin/source-stamp.js';
import { repoRoot } from './helpers/cli.ts';

const run = promisify(execFile);
const compiledMain = join(distDir, 'cli', 'main.js');

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
