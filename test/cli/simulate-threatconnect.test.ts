import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type TcIdentity, tcRequest } from '../helpers/threatconnect.ts';
import { type Exit, run, Vigil } from '../helpers/vigil-process.ts';

interface Credentials extends TcIdentity {
  url: string;
  apiRoot: string;
}

/** Starts `vigil simulate threatconnect`, waits for its start-up line, runs `use`, and always stops it. */
async function withSimulator<T>(
  args: readonly string[],
  use: (credentials: Credentials, vigil: Vigil) => Promise<T>,
): Promise<T> {
  const vigil = new Vigil(['simulate', 'threatconnect', '--port', '0', ...args]);
  try {
    const credentials = JSON.parse(await vigil.firstLine()) as Credentials;
    return await use(credentials, vigil);
  } finally {
    await vigil.stop('SIGTERM');
  }
}

/** A signed GET below the API root, stamped with the real clock (the process runs on it). */
const get = (credentials: Credentials, path: string, options = {}) =>
  tcRequest(credentials.url, credentials, `${credentials.apiRoot}${path}`, Date.now(), options);

const small = ['--adversaries', '3', '--threats-per-adversary', '2'];

describe('vigil simulate threatconnect (real processes)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-tc-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints one credentials line, writes a 0600 file, logs only to stderr, and stops on %s with 0',
    async (signal) => {
      const file = join(dir, `creds-${signal}.json`);
      const vigil = new Vigil([
        'simulate',
        'threatconnect',
        '--port',
        '0',
        ...small,
        '--credentials-file',
        file,
        '--log-level',
        'debug',
      ]);
      let exit: Exit;
      let credentials: Credentials;
      try {
        credentials = JSON.parse(await vigil.firstLine()) as Credentials;
        expect(Object.keys(credentials)).toEqual(['url', 'apiRoot', 'accessId', 'apiKey', 'token']);
        expect(credentials.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(credentials.apiRoot).toBe('/api');
        expect(credentials.accessId).toMatch(/^\d{20}$/);
        expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(credentials);
        expect((await stat(file)).mode & 0o777).toBe(0o600);

        const owners = await get(credentials, '/v2/owners');
        expect(owners.status).toBe(200);
        expect(owners.json()).toMatchObject({ status: 'Success', data: { resultCount: 4 } });
        expect((await get(credentials, '/v2/whoami', { token: credentials.token })).status).toBe(200);
        expect((await get(credentials, '/v2/owners', { key: 'wrong' })).status).toBe(401);
      } finally {
        exit = await vigil.stop(signal);
      }

      expect(exit.code).toBe(0);
      expect(exit.signal).toBeNull();
      expect(exit.stdout).toBe(`${JSON.stringify(credentials)}\n`);
      const logLines = exit.stderr.split('\n').filter((l) => l !== '');
      expect(logLines.length).toBeGreaterThanOrEqual(3);
      for (const logLine of logLines) {
        expect(JSON.parse(logLine)).toMatchObject({ level: expect.any(Number), msg: expect.any(String) });
      }
      expect(logLines.some((l) => (JSON.parse(l) as { signal?: string }).signal === signal)).toBe(true);
      // Secrets never reach the log, even at debug level.
      expect(exit.stderr).not.toContain(credentials.apiKey);
      expect(exit.stderr).not.toContain(credentials.token);
    },
  );

  it("--api-root '' serves /v2 at the top", async () => {
    const result = await withSimulator([...small, '--api-root', ''], async (credentials) => ({
      credentials,
      owners: (await get(credentials, '/v2/owners')).status,
    }));
    expect(result.credentials.apiRoot).toBe('');
    expect(result.owners).toBe(200);
  });

  it('applies the size flags, the tag style and the legacy switches', async () => {
    const args = [
      '--owners',
      '3',
      '--adversaries',
      '2',
      '--threats-per-adversary',
      '1',
      '--tag-style',
      'legacy',
      '--auth-failure-status',
      '403',
      '--max-result-limit',
      '500',
      '--omit-empty-arrays',
    ];
    await withSimulator(args, async (credentials) => {
      const stats = await admin<{
        owners: { total: number };
        adversaries: { total: number };
        threats: { total: number };
      }>(credentials.url, 'GET', '/_sim/stats');
      expect(stats.json).toMatchObject({
        owners: { total: 3 },
        adversaries: { total: 6 },
        threats: { total: 6 },
      });
      const tags = (await get(credentials, '/v2/groups/adversaries/12345/tags')).json<{
        data: { tag: Array<{ name: string; webLink: string }> };
      }>();
      const attack = tags.data.tag.filter((t) => !t.webLink.includes('&owner='));
      expect(attack.length).toBeGreaterThan(0);
      for (const tag of attack)
        expect(tag.name).toMatch(/^T\d{4}(\.\d{3})? - .+ - [A-Z&]{3} - ENT - ATT&CK$/);
      expect((await get(credentials, '/v2/owners', { key: 'wrong' })).status).toBe(403);
      const tooMany = await get(credentials, '/v2/owners?resultLimit=501');
      expect(tooMany.status).toBe(400);
      expect(tooMany.json<{ message: string }>().message).toMatch(/maximum value for resultLimit is 500$/);
      const empty = await get(credentials, '/v2/groups/adversaries?resultStart=50');
      expect(empty.json()).toEqual({ status: 'Success', data: {} });
    });
  });

  it('--seed makes the credentials the same across processes, and another seed changes them', async () => {
    const identity = (seed: string) =>
      withSimulator([...small, '--seed', seed], async ({ url: _url, ...rest }) => rest);
    const [first, second, other] = await Promise.all([identity('42'), identity('42'), identity('43')]);
    expect(second).toEqual(first);
    expect(other.accessId).not.toBe(first.accessId);
    expect(other.apiKey).not.toBe(first.apiKey);
  });

  it('accepts --rate-limit N-per-minute and --faults, and has the limiter off by default', async () => {
    const [limited, defaults] = await Promise.all([
      withSimulator(
        [...small, '--rate-limit', '150-per-minute', '--faults', 'status500=0.25,slow=0.5:1500'],
        async ({ url }) => ({
          rate: await admin(url, 'GET', '/_sim/rate-limit'),
          faults: await admin<{ config: unknown }>(url, 'GET', '/_sim/faults'),
        }),
      ),
      withSimulator(small, async ({ url }) => admin(url, 'GET', '/_sim/rate-limit')),
    ]);
    expect(limited.rate.json).toEqual({ perMinute: 150 });
    expect(limited.faults.json.config).toEqual({
      status500: 0.25,
      status429: 0,
      reset: 0,
      slow: { probability: 0.5, delayMs: 1500 },
      truncate: 0,
    });
    expect(defaults.json).toEqual({ perMinute: 0 });
  });

  describe('coded errors', () => {
    it.each([
      { args: ['--owners', '0'], code: 'INPUT_INVALID', starts: 'error INPUT_INVALID: --owners' },
      { args: ['--owners', '1.5'], code: 'INPUT_INVALID', starts: 'error INPUT_INVALID: --owners' },
      { args: ['--adversaries', '-1'], code: 'INPUT_INVALID', starts: 'error INPUT_INVALID: --adversaries' },
      {
        args: ['--threats-per-adversary', 'many'],
        code: 'INPUT_INVALID',
        starts: 'error INPUT_INVALID: --threats-per-adversary',
      },
      { args: ['--tag-style', 'fancy'], code: 'INPUT_INVALID', starts: 'error INPUT_INVALID: --tag-style' },
      {
        args: ['--auth-failure-status', '402'],
        code: 'INPUT_INVALID',
        starts: 'error INPUT_INVALID: --auth-failure-status',
      },
      {
        args: ['--max-result-limit', '10001'],
        code: 'INPUT_INVALID',
        starts: 'error INPUT_INVALID: --max-result-limit',
      },
      { args: ['--api-root', 'a b'], code: 'INPUT_INVALID', starts: 'error INPUT_INVALID: --api-root' },
      { args: ['--rate-limit', 'lots'], code: 'INPUT_INVALID', starts: 'error INPUT_INVALID: --rate-limit' },
      { args: ['--port', '70000'], code: 'INPUT_INVALID', starts: 'error INPUT_INVALID: --port' },
      { args: ['--faults', 'bogus=0.1'], code: 'FAULT_SPEC_INVALID', starts: 'error FAULT_SPEC_INVALID:' },
      {
        args: ['--owners', '10', '--adversaries', '50000'],
        code: 'INPUT_INVALID',
        starts: 'error INPUT_INVALID: owners × adversaries',
      },
      { args: ['--no-such-flag'], code: 'USAGE_INVALID', starts: 'error USAGE_INVALID:' },
    ])('$args → $code, exit 2 (human and --json forms)', async ({ args, code, starts }) => {
      const [human, json] = await Promise.all([
        run(['simulate', 'threatconnect', ...args]),
        run(['simulate', 'threatconnect', ...args, '--json']),
      ]);
      expect(human.code).toBe(2);
      expect(human.stdout).toBe('');
      expect(human.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(human.stderr.startsWith(starts)).toBe(true);
      expect(json.code).toBe(2);
      const document = JSON.parse(json.stdout) as { error: { code: string; message: string } };
      expect(document.error).toMatchObject({ code, message: expect.any(String) });
      expect(human.stderr).toContain(`error ${code}: ${document.error.message}`);
    });

    describe('a port already in use', () => {
      let occupier: Server;
      beforeAll(async () => {
        occupier = createServer();
        occupier.listen(0, '127.0.0.1');
        await once(occupier, 'listening');
      });
      afterAll(async () => {
        await new Promise<void>((resolve) => occupier.close(() => resolve()));
      });

      it('→ ADDRESS_IN_USE, exit 1', async () => {
        const { port } = occupier.address() as AddressInfo;
        const exit = await run(['simulate', 'threatconnect', ...small, '--port', String(port)]);
        expect(exit.code).toBe(1);
        expect(exit.stdout).toBe('');
        expect(exit.stderr).toMatch(new RegExp(`^error ADDRESS_IN_USE: .*${port}`));
      });
    });
  });
});
