import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/in-process-cli.ts';

/**
 * Issue 9 item 12 as a person sees it: one integration whose stored configuration is invalid
 * used to make `integrations list` and `runs list` fail outright; now they list the others and
 * name the bad one, and only its own commands answer CONFIG_INVALID.
 */
describe('one invalid stored integration', () => {
  let dir: string;
  let db: string;
  const env = () => ({ ...process.env, VIGIL_HOME: join(dir, 'home'), VIGIL_SECRET_KEY: '', TS_API_KEY: '' });
  const vigil = (args: readonly string[]) => runInProcess([...args, '--db', db], env());

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-invalid-row-'));
    db = join(dir, 'vigil.db');
    const keyFile = join(dir, 'api-key');
    await writeFile(keyFile, 'an-api-key-for-the-test\n', { mode: 0o600 });
    for (const [name, org] of [
      ['good', 'a'],
      ['broken', 'b'],
    ] as const) {
      const added = await vigil([
        'integrations',
        'add',
        'threatstack',
        '--name',
        name,
        '--no-sync',
        '--user-id',
        'u',
        '--org-id',
        org,
        '--org-name',
        `Org ${org}`,
        '--api-key-file',
        keyFile,
      ]);
      expect(added.code).toBe(0);
    }
    const sqlite = new Database(db);
    try {
      sqlite
        .prepare(
          "UPDATE integrations SET config = json_set(config, '$.port', 'eighty') WHERE name = 'broken'",
        )
        .run();
    } finally {
      sqlite.close();
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('integrations list lists the others and names the bad one on stderr', async () => {
    const result = await vigil(['integrations', 'list', '--json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { name: string }[]).map((row) => row.name)).toEqual(['good']);
    expect(result.stderr).toMatch(/^warning: integration 'broken' \(threatstack\) is skipped: .*port/);
  });

  it('runs list still works', async () => {
    const result = await vigil(['runs', 'list']);
    expect(result.code).toBe(0);
  });

  it("the bad one's own commands answer CONFIG_INVALID naming it; the good one's work", async () => {
    const bad = await vigil(['integrations', 'show', 'broken']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^error CONFIG_INVALID: The stored configuration of integration 'broken' is not valid: .*port/,
    );
    expect((await vigil(['integrations', 'show', 'good'])).code).toBe(0);
  });
});
