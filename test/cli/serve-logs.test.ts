import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.ts';

/** `vigil serve <flags>` until its log says it has nothing to do, then one SIGTERM; its stderr. */
function serveUntilIdle(flags: string[], home: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_HOME: home };
    delete env.VIGIL_DB;
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin', 'vigil.js'), 'serve', '--port', '0', ...flags],
      {
        cwd: repoRoot,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    let stopping = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      // One SIGTERM: a second one asks for an exit without waiting (what this test must not see).
      if (!stopping && stderr.includes('nothing to sync')) {
        stopping = true;
        child.kill('SIGTERM');
      }
    });
    child.once('error', reject);
    child.once('close', () => resolve(stderr));
  });
}

describe('vigil serve logs', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'vigil-serve-logs-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('--log-format pretty: local time, level, message and key fields; says there is nothing to do', async () => {
    const lines = (await serveUntilIdle(['--log-format', 'pretty'], home)).trim().split('\n');
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\] INFO: scheduler started url=http:\/\/127\.0\.0\.1:\d+ .*queue=in-process .*store=sqlite$/,
    );
    expect(lines[1]).toMatch(
      /^\[\d\d:\d\d:\d\d\] WARN: no integrations yet, so nothing to sync: add one with `vigil integrations add threatstack\|threatconnect`/,
    );
    expect(lines.at(-1)).toMatch(/INFO: scheduler stopped$/);
  });

  it('JSON lines when stderr is not a terminal and no format is asked', async () => {
    const lines = (await serveUntilIdle([], home)).trim().split('\n');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 30,
      msg: 'scheduler started',
      queue: 'in-process',
    });
  });
});
