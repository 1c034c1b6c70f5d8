import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/in-process-cli.ts';

/**
 * Issue 9 items 11 and 16: files that never end (/dev/zero) or are too large, and a proxy
 * password with a malformed %-escape, are refused at `integrations add` with a coded error and
 * nothing is stored (before: add hung reading /dev/zero; `%zz` was stored and every sync failed).
 */
describe('integrations add refuses bad files and proxy escapes', () => {
  let dir: string;
  let keyFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-add-files-'));
    keyFile = join(dir, 'key');
    await writeFile(keyFile, 'an-api-key-for-the-test\n', { mode: 0o600 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const add = (name: string, extra: readonly string[], apiKeyFile = keyFile, env: NodeJS.ProcessEnv = {}) =>
    runInProcess(
      [
        'integrations',
        'add',
        'threatstack',
        '--name',
        name,
        '--no-sync',
        '--host',
        '127.0.0.1',
        '--port',
        '9',
        '--user-id',
        'user',
        '--org-id',
        'org',
        '--org-name',
        'Org',
        '--api-key-file',
        apiKeyFile,
        '--db',
        join(dir, 'vigil.db'),
        ...extra,
      ],
      { ...process.env, VIGIL_HOME: join(dir, 'home'), VIGIL_SECRET_KEY: '', TS_API_KEY: '', ...env },
    );
  const show = async (name: string) => {
    const result = await runInProcess(
      ['integrations', 'show', name, '--json', '--db', join(dir, 'vigil.db')],
      {
        ...process.env,
        VIGIL_HOME: join(dir, 'home'),
      },
    );
    return JSON.parse(result.stdout) as { config: { proxy: string | null } };
  };

  it('--ca-file /dev/zero is CONFIG_INVALID (not a regular file) instead of hanging', async () => {
    const result = await add('zero', ['--ca-file', '/dev/zero']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error CONFIG_INVALID: Cannot read the CA file \/dev\/zero \(not a regular file\)/,
    );
  });

  it('a CA file over 1 MiB is CONFIG_INVALID', async () => {
    const big = join(dir, 'big.pem');
    await writeFile(big, Buffer.alloc(1024 * 1024 + 1, 0x41));
    const result = await add('big', ['--ca-file', big]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Cannot read the CA file ${big} (larger than 1048576 bytes)`);
  });

  it('--api-key-file /dev/zero is INPUT_INVALID instead of hanging', async () => {
    const result = await add('zero-key', [], '/dev/zero');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error INPUT_INVALID: Cannot read the API key file \/dev\/zero \(not a regular file\)/,
    );
  });

  it.each(['http://bob:p%zzw@proxy.example:3128', 'http://b%zzob:pw@proxy.example:3128'])(
    'a proxy %s is refused with CONFIG_INVALID, not repeated, nothing stored',
    async (proxy) => {
      const result = await add('escape', ['--proxy', proxy]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^error CONFIG_INVALID: .*proxy: the (user|password) holds a malformed %-escape/m,
      );
      expect(result.stderr).not.toContain('%zz');
      const list = await runInProcess(['integrations', 'list', '--json', '--db', join(dir, 'vigil.db')], {
        ...process.env,
        VIGIL_HOME: join(dir, 'home'),
      });
      expect(list.stdout).not.toContain('escape');
    },
  );

  describe('the proxy password apart from --proxy (issue 9 item 14)', () => {
    it('--proxy-password-file: stored sealed, shown masked, no warning', async () => {
      const passwordFile = join(dir, 'proxy-password');
      await writeFile(passwordFile, 'p@ss:w%rd-from-file\n', { mode: 0o600 });
      const result = await add('via-file', [
        '--proxy',
        'http://bob@proxy.example:3128',
        '--proxy-password-file',
        passwordFile,
      ]);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect((await show('via-file')).config.proxy).toBe('http://bob:***@proxy.example:3128');
    });

    it('VIGIL_PROXY_PASSWORD', async () => {
      const result = await add(
        'via-env',
        ['--proxy', 'http://bob@proxy.example:3128', '--org-id', 'org-env'],
        keyFile,
        {
          VIGIL_PROXY_PASSWORD: 'from-the-environment',
        },
      );
      expect(result.code).toBe(0);
      expect((await show('via-env')).config.proxy).toBe('http://bob:***@proxy.example:3128');
    });

    it('a password inside --proxy works with a warning that ps shows it', async () => {
      const result = await add('inline', [
        '--proxy',
        'http://bob:inline-secret@proxy.example:3128',
        '--org-id',
        'org-inline',
      ]);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(
        /^warning: the proxy password inside --proxy is visible to other users \(ps\)/,
      );
      expect(result.stderr).not.toContain('inline-secret');
    });

    it('a password given twice, or without a user, is refused', async () => {
      const passwordFile = join(dir, 'proxy-password-2');
      await writeFile(passwordFile, 'second\n', { mode: 0o600 });
      const twice = await add('twice', [
        '--org-id',
        'org-twice',
        '--proxy',
        'http://bob:first@proxy.example:3128',
        '--proxy-password-file',
        passwordFile,
      ]);
      expect(twice.stderr).toMatch(/^error CONFIG_INVALID: .*the URL already holds a password/);
      const noUser = await add('no-user', [
        '--org-id',
        'org-no-user',
        '--proxy',
        'http://proxy.example:3128',
        '--proxy-password-file',
        passwordFile,
      ]);
      expect(noUser.stderr).toMatch(/^error CONFIG_INVALID: .*a proxy password needs a user/);
      const zero = await add('zero-pw', [
        '--org-id',
        'org-zero-pw',
        '--proxy',
        'http://bob@proxy.example:3128',
        '--proxy-password-file',
        '/dev/zero',
      ]);
      expect(zero.stderr).toMatch(
        /^error INPUT_INVALID: Cannot read the proxy password file \/dev\/zero \(not a regular file\)/,
      );
    });
  });
});
