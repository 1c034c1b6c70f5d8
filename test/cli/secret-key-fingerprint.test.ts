import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFingerprint, parseSecretKey } from '../../src/integrations/secrets.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';

/**
 * Issue 9 item 13: a database moved without its key file used to get a new key on the next
 * `integrations add`, after which each key opened only half the integrations. The database now
 * records its key's fingerprint and no second key is created for it.
 */
describe('the secret key fingerprint in the database', () => {
  let dir: string;
  let apiKeyFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-key-split-'));
    apiKeyFile = join(dir, 'api-key');
    await writeFile(apiKeyFile, 'an-api-key-for-the-test\n', { mode: 0o600 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    ...process.env,
    VIGIL_HOME: join(dir, 'home'),
    VIGIL_SECRET_KEY: '',
    TS_API_KEY: '',
    ...extra,
  });
  const add = (db: string, name: string, org: string, extra: NodeJS.ProcessEnv = {}) =>
    runInProcess(
      [
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
        apiKeyFile,
        '--db',
        db,
      ],
      env(extra),
    );

  it('refuses to create a second key for a moved database, naming the expected fingerprint and where keys are looked for', async () => {
    const first = join(dir, 'first', 'vigil.db');
    expect((await add(first, 'one', 'a')).code).toBe(0);
    const original = parseSecretKey(await readFile(join(dir, 'first', 'vigil.key'), 'utf8'));
    const expected = keyFingerprint(original);

    const moved = join(dir, 'moved', 'vigil.db');
    await mkdir(join(dir, 'moved'));
    await copyFile(first, moved);
    const result = await add(moved, 'two', 'b');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error CONFIG_INVALID: This database already holds secrets sealed with');
    expect(result.stderr).toContain(`the key with fingerprint ${expected}`);
    expect(result.stderr).toContain(
      `VIGIL_SECRET_KEY (not set) or the key file ${join(dir, 'moved', 'vigil.key')}`,
    );
    await expect(stat(join(dir, 'moved', 'vigil.key'))).rejects.toMatchObject({ code: 'ENOENT' });

    // Another key given through VIGIL_SECRET_KEY is refused too, naming both fingerprints.
    const other = randomBytes(32);
    const wrong = await add(moved, 'three', 'c', { VIGIL_SECRET_KEY: other.toString('base64') });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      `The secret key from VIGIL_SECRET_KEY (fingerprint ${keyFingerprint(other)}) is not the key this database's secrets are sealed with (fingerprint ${expected})`,
    );

    // The right key, through VIGIL_SECRET_KEY, works.
    const right = await add(moved, 'four', 'd', { VIGIL_SECRET_KEY: original.toString('base64') });
    expect(right.code).toBe(0);
  });
});
