import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/connectors/http/dispatcher.ts';
import { ThreatConnectClient } from '../../src/connectors/threatconnect/client.ts';
import { ThreatStackClient } from '../../src/connectors/threatstack/client.ts';
import { vigilFailure } from '../helpers/async.ts';
import {
  type HostileVendor,
  hostileThreatConnect,
  hostileThreatStack,
  startHostileVendor,
} from '../helpers/hostile-vendor.ts';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const closable of open.splice(0).reverse()) await closable.close();
});

/** A loopback port that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function plainHttpVendor(): Promise<HostileVendor> {
  const server = await startHostileVendor(() => ({ json: {} }));
  open.push(server);
  return server;
}

/** Both clients, each with a `sleep` that records every wait. */
function clients(baseUrl: string) {
  const sleeps: number[] = [];
  const deps = { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5 };
  const ts = new ThreatStackClient({ baseUrl, ...hostileThreatStack, timeoutMs: 10_000 }, deps);
  const tc = new ThreatConnectClient(
    { baseUrl, apiRoot: '', ...hostileThreatConnect, timeoutMs: 10_000 },
    deps,
  );
  open.push(ts, tc);
  return { calls: [() => ts.selfTest(), () => tc.whoami()], sleeps };
}

describe('failures another attempt cannot fix are not retried', () => {
  const cases: Array<[string, 'refused' | 'dns' | 'tls', () => Promise<string>]> = [
    ['a refused connection', 'refused', async () => `http://127.0.0.1:${await closedPort()}`],
    ['a name that does not resolve', 'dns', async () => 'http://vigil-hostile.invalid:80'],
    [
      'a TLS handshake with a server that does not speak TLS',
      'tls',
      async () => `https://127.0.0.1:${new URL((await plainHttpVendor()).url).port}`,
    ],
  ];

  it.each(cases)('fails %s after one attempt, with no wait', async (_name, permanent, baseUrl) => {
    const { calls, sleeps } = clients(await baseUrl());
    for (const call of calls) {
      const error = await vigilFailure(call());
      expect(error.code).toBe('PROVIDER_NETWORK_ERROR');
      expect(error.details).toMatchObject({ attempts: 1, permanent });
      expect(error.message).toContain('not retried');
    }
    expect(sleeps).toEqual([]);
  });
});

describe('proxy credentials', () => {
  it('reports a malformed %-escape in the proxy password as CONFIG_INVALID, without the password', () => {
    const build = () =>
      createDispatcher({
        target: 'https://api.example.com',
        timeoutMs: 1000,
        proxy: 'http://user:pa%zzword@proxy:3128',
      });
    expect(build).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/^(?!.*pa%zzword).*malformed %-escape/),
      }),
    );
  });

  it('refuses it when a client is built', () => {
    const build = () =>
      new ThreatStackClient({
        baseUrl: 'https://api.example.com',
        ...hostileThreatStack,
        proxy: 'http://u:%zz@p:1',
      });
    expect(build).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
