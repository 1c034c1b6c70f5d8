import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';

/**
 * Issue 9 items 11 and 16: bad flags and variables that used to end as INTERNAL_ERROR ("a bug in
 * Vigil"), STORE_ERROR, or a simulator that kept listening, now end at once with a coded error.
 */
describe('coded errors for bad flags and variables', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'vigil-flags-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });
  const env = () => ({ ...process.env, VIGIL_HOME: home });

  it.each(['threatstack', 'threatconnect'])(
    'simulate %s --credentials-file in a missing directory exits with FILE_WRITE_FAILED instead of listening on',
    async (vendor) => {
      // A spawned process: before the fix it printed the error and never exited (the test timed out).
      const result = await runCli(
        ['simulate', vendor, '--port', '0', '--credentials-file', '/nonexistent/x', '--log-level', 'silent'],
        { env: env() },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^error FILE_WRITE_FAILED: Cannot write the credentials file \/nonexistent\/x/m,
      );
      expect(result.stdout).toBe('');
    },
  );

  it.each(['8.8.8.8', '0.0.0.0', '::', 'example.com'])(
    'simulate --host %s: the simulator binds loopback only',
    async (host) => {
      const result = await runInProcess(['simulate', 'threatstack', '--host', host], env());
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error INPUT_INVALID: --host must be a loopback address/);
      expect(result.stderr).toContain('the simulator binds loopback only');
    },
  );

  it('simulate --log-level bogus is a usage error naming the flag and the levels', async () => {
    const result = await runInProcess(['simulate', 'threatconnect', '--log-level', 'bogus'], env());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error USAGE_INVALID: --log-level must be one of fatal, error, warn, info/,
    );
  });

  it('VIGIL_LOG_LEVEL=bogus names the variable and the levels', async () => {
    const result = await runInProcess(['agents', 'export'], {
      ...env(),
      VIGIL_LOG_LEVEL: 'bogus',
      TS_USER_ID: 'u',
      TS_API_KEY: 'k',
      TS_ORGANIZATION_ID: 'o',
      TS_ORGANIZATION_NAME: 'n',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error INPUT_INVALID: VIGIL_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not 'bogus'.\n",
    );
  });

  it.each(['99999999999999999999d', '31d', '5s'])(
    'serve --job-lease %s is INPUT_INVALID (10 s to 30 days)',
    async (lease) => {
      const result = await runInProcess(['serve', '--job-lease', lease, '--db', join(home, 'v.db')], env());
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^error INPUT_INVALID: --job-lease must be a duration from 10 seconds to 30 days/,
      );
    },
  );
});
