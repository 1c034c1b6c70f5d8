import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, hawkRequest } from '../helpers/threatstack.ts';
import { type Exit, run, Vigil } from '../helpers/vigil-process.ts';

interface Credentials {
  url: string;
  userId: string;
  apiKey: string;
  orgId: string;
  orgName: string;
}

/** Starts `vigil simulate threatstack`, waits for its start-up line, runs `use`, and always stops it. */
async function withSimulator<T>(
  args: readonly string[],
  use: (credentials: Credentials, vigil: Vigil) => Promise<T>,
): Promise<T> {
  const vigil = new Vigil(['simulate', 'threatstack', '--port', '0', ...args]);
  try {
    const credentials = JSON.parse(await vigil.firstLine()) as Credentials;
    return await use(credentials, vigil);
  } finally {
    await vigil.stop('SIGTERM');
  }
}

const small = ['--agents', '10', '--cves', '20', '--alerts', '10'];

describe('vigil simulate threatstack (real processes)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    { signal: 'SIGTERM' as const, fileExistsBefore: false },
    { signal: 'SIGINT' as const, fileExistsBefore: true },
  ])(
    'prints one credentials line, writes a 0600 file, logs only to stderr, and stops on $signal with 0',
    async ({ signal, fileExistsBefore }) => {
      const file = join(dir, `creds-${signal}.json`);
      if (fileExistsBefore) await writeFile(file, 'stale\n', { mode: 0o644 });
      const vigil = new Vigil([
        'simulate',
        'threatstack',
        '--port',
        '0',
        '--agents',
        '10',
        '--credentials-file',
        file,
        '--log-level',
        'debug',
      ]);
      let exit: Exit;
      let credentials: Credentials;
      try {
        const line = await vigil.firstLine();
        credentials = JSON.parse(line) as Credentials;
        expect(Object.keys(credentials).sort()).toEqual(['apiKey', 'orgId', 'orgName', 'url', 'userId']);
        expect(credentials.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(Number(new URL(credentials.url).port)).toBeGreaterThan(0);
        expect(credentials.userId).toMatch(/^[0-9a-f]{24}$/);
        expect(credentials.orgId).toMatch(/^[0-9a-f]{24}$/);
        expect(credentials.apiKey).toEqual(expect.any(String));
        expect(credentials.apiKey.length).toBeGreaterThan(0);
        expect(credentials.orgName).toEqual(expect.any(String));

        expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(credentials);
        expect((await stat(file)).mode & 0o777).toBe(0o600);

        const stats = await admin<{ agents: { total: number } }>(credentials.url, 'GET', '/_sim/stats');
        expect(stats.status).toBe(200);
        expect(stats.json.agents.total).toBe(10);

        // A Hawk-signed API call with the printed credentials works (and is logged at debug level).
        const response = await hawkRequest(
          credentials.url,
          credentials,
          'GET',
          '/v2/agents?status=online',
          Date.now(),
        );
        expect(response.status).toBe(200);
      } finally {
        exit = await vigil.stop(signal);
      }

      expect(exit.code).toBe(0);
      expect(exit.signal).toBeNull();
      expect(exit.stdout).toBe(`${JSON.stringify(credentials)}\n`);
      const logLines = exit.stderr.split('\n').filter((l) => l !== '');
      expect(logLines.length).toBeGreaterThanOrEqual(2);
      for (const logLine of logLines) {
        const record = JSON.parse(logLine) as Record<string, unknown>;
        expect(record).toMatchObject({ level: expect.any(Number), msg: expect.any(String) });
      }
      expect(logLines.some((l) => (JSON.parse(l) as { signal?: string }).signal === signal)).toBe(true);
      // The API key is a secret: never on stderr, even at debug level.
      expect(exit.stderr).not.toContain(credentials.apiKey);
    },
  );

  it('--seed makes the identity the same across processes, and another seed changes it', async () => {
    const identity = (seed: string) =>
      withSimulator([...small, '--seed', seed], async ({ url: _url, ...rest }) => rest);
    const [first, second, other] = await Promise.all([identity('42'), identity('42'), identity('43')]);
    expect(second).toEqual(first);
    expect(other.userId).not.toBe(first.userId);
    expect(other.apiKey).not.toBe(first.apiKey);
    expect(other.orgId).not.toBe(first.orgId);
  });

  it('accepts --rate-limit N-per-minute', async () => {
    const limit = await withSimulator([...small, '--rate-limit', '150-per-minute'], async ({ url }) =>
      admin(url, 'GET', '/_sim/rate-limit'),
    );
    expect(limit).toEqual({ status: 200, json: { perMinute: 150 } });
  });

  it('applies --faults to the running simulator', async () => {
    const faults = await withSimulator(
      [...small, '--faults', 'status500=0.25,slow=0.5:1500'],
      async ({ url }) => admin<{ config: unknown }>(url, 'GET', '/_sim/faults'),
    );
    expect(faults.json.config).toEqual({
      status500: 0.25,
      status429: 0,
      reset: 0,
      slow: { probability: 0.5, delayMs: 1500 },
      truncate: 0,
    });
  });

  describe('coded errors', () => {
    it.each([
      { args: ['--agents', '-5'], code: 'INPUT_INVALID', exit: 2, starts: 'error INPUT_INVALID: --agents' },
      { args: ['--agents', '1.5'], code: 'INPUT_INVALID', exit: 2, starts: 'error INPUT_INVALID: --agents' },
      { args: ['--port', '70000'], code: 'INPUT_INVALID', exit: 2, starts: 'error INPUT_INVALID: --port' },
      {
        args: ['--rate-limit', 'lots'],
        code: 'INPUT_INVALID',
        exit: 2,
        starts: 'error INPUT_INVALID: --rate-limit',
      },
      {
        args: ['--faults', 'status500=2'],
        code: 'FAULT_SPEC_INVALID',
        exit: 2,
        starts: 'error FAULT_SPEC_INVALID:',
      },
      {
        args: ['--faults', 'bogus=0.1'],
        code: 'FAULT_SPEC_INVALID',
        exit: 2,
        starts: 'error FAULT_SPEC_INVALID:',
      },
      { args: ['--no-such-flag'], code: 'USAGE_INVALID', exit: 2, starts: 'error USAGE_INVALID:' },
    ])('$args → $code, exit $exit (human and --json forms)', async ({ args, code, exit, starts }) => {
      const [human, json] = await Promise.all([
        run(['simulate', 'threatstack', ...args]),
        run(['simulate', 'threatstack', ...args, '--json']),
      ]);

      expect(human.code).toBe(exit);
      expect(human.stdout).toBe('');
      expect(human.stderr.endsWith('\n')).toBe(true);
      expect(human.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(human.stderr.startsWith(starts)).toBe(true);

      expect(json.code).toBe(exit);
      expect(json.stdout.endsWith('\n')).toBe(true);
      expect(json.stdout.trimEnd().split('\n')).toHaveLength(1);
      const document = JSON.parse(json.stdout) as { error: Record<string, unknown> };
      expect(Object.keys(document)).toEqual(['error']);
      expect(document.error).toMatchObject({ code, message: expect.any(String) });
      // The JSON message is the human message, without the prefix and the hint.
      expect(human.stderr).toContain(`error ${code}: ${document.error.message as string}`);
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
        const exit = await run(['simulate', 'threatstack', ...small, '--port', String(port)]);
        expect(exit.code).toBe(1);
        expect(exit.stdout).toBe('');
        expect(exit.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(exit.stderr).toMatch(new RegExp(`^error ADDRESS_IN_USE: .*${port}`));
      });
    });
  });

  it('vigil --help exits 0 and describes the program on stdout', async () => {
    const exit = await run(['--help']);
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/^Usage: vigil/);
    expect(exit.stdout).toContain('simulate');
    expect(exit.stderr).toBe('');
  });
});
