import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningThreatStackSimulator,
  startThreatStackSimulator,
} from '../../src/simulators/threatstack/server.ts';
import { threatStackEnv } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';

/** Issue 9 item 15/16: `agents export -o FILE` replaces a file only on success; write failures are coded. */
describe('vigil agents export -o', () => {
  let sim: RunningThreatStackSimulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startThreatStackSimulator({ agents: 12, offlineRatio: 0, rateLimit: 0 });
    dir = await mkdtemp(join(tmpdir(), 'vigil-export-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves an existing file untouched when the export fails, and leaves no temporary file', async () => {
    const file = join(dir, 'kept.csv');
    await writeFile(file, 'previous export\n');
    const result = await runInProcess(
      ['agents', 'export', '-o', file],
      threatStackEnv(sim, { TS_API_KEY: 'wrong-key-wrong-key-wrong-key' }),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^error PROVIDER_AUTHENTICATION_ERROR/);
    expect(await readFile(file, 'utf8')).toBe('previous export\n');
    expect(await readdir(dir)).toEqual(['kept.csv']);
  });

  it('replaces the file on success', async () => {
    const file = join(dir, 'replaced.csv');
    await writeFile(file, 'previous export\n');
    const result = await runInProcess(['agents', 'export', '-o', file], threatStackEnv(sim));
    expect(result.code).toBe(0);
    const lines = (await readFile(file, 'utf8')).split('\r\n');
    expect(lines[0]).toMatch(/^agentId,instanceId,/);
    expect(lines).toHaveLength(12 + 2);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('reports a full device as FILE_WRITE_FAILED, not INTERNAL_ERROR', async () => {
    const result = await runInProcess(['agents', 'export', '-o', '/dev/full'], threatStackEnv(sim));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error FILE_WRITE_FAILED: Cannot write \/dev\/full/);
  });
});
