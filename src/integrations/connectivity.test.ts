import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  tlsFixture as fixture,
  startHttpsStub,
  type TestServer,
} from '../../test/integrations/connectivity-fixtures.ts';
import { type LoopbackServer, startStubServer } from '../connectors/http/testing/loopback.ts';
import { validateConfig } from './config.ts';
import { type ConnectivityResult, connectivityError, testConnectivity } from './connectivity.ts';

const apiKey = 'ts-api-key-Never-Printed-0123456789';
const deps = { timeoutMs: 5_000, sleep: async () => {} };

/** A Threat Stack configuration pointing at host:port. */
function threatStack(host: string, port: number, extra: Record<string, unknown> = {}) {
  return validateConfig({
    kind: 'threatstack',
    host,
    port,
    userId: 'user-1',
    orgId: 'org-1',
    orgName: 'Acme',
    ...extra,
  });
}

function expectNoSecrets(result: ConnectivityResult, ...secrets: string[]): void {
  const text = JSON.stringify(result);
  for (const secret of [apiKey, ...secrets]) expect(text).not.toContain(secret);
}

const names = (result: ConnectivityResult) => result.checks.map((c) => `${c.name}:${c.ok ? 'ok' : 'failed'}`);

describe('testConnectivity: configuration', () => {
  it('CONFIG_INVALID for a config that fails validation, naming the field', async () => {
    const config = { ...threatStack('127.0.0.1', 443), port: 70_000 };
    const result = await testConnectivity({ config, apiKey }, deps);
    expect(result.code).toBe('CONFIG_INVALID');
    expect(result.message).toContain('port');
    expect(names(result)).toEqual(['config:failed']);
  });

  it('CONFIG_INVALID when no API key is set (null or blank)', async () => {
    for (const key of [null, '  ']) {
      const result = await testConnectivity({ config: threatStack('127.0.0.1', 443), apiKey: key }, deps);
      expect(result.code).toBe('CONFIG_INVALID');
      expect(result.message).toMatch(/no API key.*--api-key-file/);
    }
  });

  it('CONFIG_INVALID for an unreadable CA file, naming it', async () => {
    const config = threatStack('127.0.0.1', 443, { caFile: fixture('missing.pem') });
    const result = await testConnectivity({ config, apiKey }, deps);
    expect(result.code).toBe('CONFIG_INVALID');
    expect(result.message).toContain('missing.pem');
  });

  it('CONFIG_INVALID for a proxy of another scheme, without its password', async () => {
    const config = threatStack('127.0.0.1', 443, { proxy: 'socks5://bob:Pr0xy-Secret@127.0.0.1:1080' });
    const result = await testConnectivity({ config, apiKey }, deps);
    expect(result.code).toBe('CONFIG_INVALID');
    expect(result.message).toContain('socks5:');
    expectNoSecrets(result, 'Pr0xy-Secret');
  });

  it('CONFIG_INVALID for a value the vendor client cannot send (a user id Hawk cannot carry)', async () => {
    const config = threatStack('127.0.0.1', 443, { userId: 'user "quoted"' });
    const result = await testConnectivity({ config, apiKey }, deps);
    expect(result.code).toBe('CONFIG_INVALID');
    expect(result.message).toContain('userId');
  });
});

describe('testConnectivity: DNS and TCP', () => {
  it('DNS_FAILED for a .invalid host, naming it and the setting to fix', async () => {
    const result = await testConnectivity({ config: threatStack('vendor.invalid', 443), apiKey }, deps);
    expect(result.code).toBe('DNS_FAILED');
    expect(result.message).toContain('vendor.invalid');
    expect(result.message).toContain('--host');
    expect(names(result)).toEqual(['config:ok', 'dns:failed']);
    expectNoSecrets(result);
  });

  it('DNS_FAILED for a resolver that cannot answer (injected: no real one fails this way on demand)', async () => {
    const resolve = async () => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN api.example.com'), { code: 'EAI_AGAIN' });
    };
    const result = await testConnectivity(
      { config: threatStack('api.example.com', 443), apiKey },
      { ...deps, resolve },
    );
    expect(result.code).toBe('DNS_FAILED');
    expect(result.message).toContain('temporary');
  });

  it('DNS_FAILED when the resolver does not answer in time (injected: a resolver that never answers)', async () => {
    const resolve = () => new Promise<string[]>(() => {});
    const result = await testConnectivity(
      { config: threatStack('api.example.com', 443), apiKey },
      { ...deps, timeoutMs: 50, resolve },
    );
    expect(result.code).toBe('DNS_FAILED');
    expect(result.message).toContain('no DNS answer within 50 ms');
  });

  it('tries every address a name resolves to, reporting each one refusing', async () => {
    const port = await closedPort();
    const resolve = async () => ['127.0.0.2', '127.0.0.1'];
    const result = await testConnectivity(
      { config: threatStack('api.example.com', port), apiKey },
      { ...deps, resolve },
    );
    expect(result.code).toBe('TCP_UNREACHABLE');
    expect(result.message).toContain(`api.example.com:${port} (the Threat Stack host)`);
    expect(result.message).toContain('127.0.0.2: connection refused');
    expect(result.message).toContain('127.0.0.1: connection refused');
  });

  it('TCP_UNREACHABLE for a closed loopback port, with host and port', async () => {
    const port = await closedPort();
    const result = await testConnectivity({ config: threatStack('127.0.0.1', port), apiKey }, deps);
    expect(result.code).toBe('TCP_UNREACHABLE');
    expect(result.message).toContain(`127.0.0.1:${port}`);
    expect(result.message).toContain('refused');
    expect(names(result)).toEqual(['config:ok', 'dns:ok', 'tcp:failed']);
    expectNoSecrets(result);
  });
});

describe('testConnectivity: TLS', () => {
  const stubs: Record<string, TestServer> = {};
  let plainHttp: LoopbackServer;
  beforeAll(async () => {
    for (const name of ['self-signed.pem', 'expired.pem', 'wrong-name.pem'])
      stubs[name] = await startHttpsStub(name);
    plainHttp = await startStubServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
  });
  afterAll(async () => {
    await Promise.all(Object.values(stubs).map((stub) => stub.close()));
    await plainHttp.close();
  });
  const portOf = (name: string) => stubs[name]?.port ?? 0;

  it('TLS_FAILED for a self-signed certificate the system does not trust, saying untrusted', async () => {
    const result = await testConnectivity(
      { config: threatStack('127.0.0.1', portOf('self-signed.pem')), apiKey },
      deps,
    );
    expect(result.code).toBe('TLS_FAILED');
    expect(result.message).toContain('untrusted');
    expect(result.message).toContain('--ca-file');
    expect(names(result)).toEqual(['config:ok', 'dns:ok', 'tcp:ok', 'tls:failed']);
    expect(stubs['self-signed.pem']?.seen).toEqual([]);
  });

  it('passes TLS with the certificate as the CA file (the 404 that follows is PROVIDER_ERROR)', async () => {
    const config = threatStack('127.0.0.1', portOf('self-signed.pem'), {
      caFile: fixture('self-signed.pem'),
    });
    const result = await testConnectivity({ config, apiKey }, deps);
    expect(names(result)).toEqual([
      'config:ok',
      'dns:ok',
      'tcp:ok',
      'tls:ok',
      'GET /help/hawk/self-test:failed',
    ]);
    expect(result.checks[3]?.detail).toMatch(/verified \(trusted through .*self-signed\.pem\)/);
    expect(result.code).toBe('PROVIDER_ERROR');
    expect(result.message).toMatch(/404 Not Found.*is the Threat Stack API/);
    expectNoSecrets(result);
  });

  it('passes TLS for a host name the certificate lists (localhost), whichever address accepts', async () => {
    const config = threatStack('localhost', portOf('self-signed.pem'), {
      caFile: fixture('self-signed.pem'),
    });
    const result = await testConnectivity({ config, apiKey }, deps);
    expect(result.checks.find((c) => c.name === 'tls')?.ok).toBe(true);
    expect(result.code).toBe('PROVIDER_ERROR');
  });

  it('passes TLS, saying it did not verify, with --insecure-skip-verify', async () => {
    const config = threatStack('127.0.0.1', portOf('self-signed.pem'), { insecureSkipVerify: true });
    const result = await testConnectivity({ config, apiKey }, deps);
    expect(result.checks[3]).toMatchObject({ name: 'tls', ok: true });
    expect(result.checks[3]?.detail).toMatch(/NOT verified .*untrusted/);
    expect(result.code).toBe('PROVIDER_ERROR');
    expect(stubs['self-signed.pem']?.seen).toContain('/help/hawk/self-test');
  });

  it('TLS_FAILED for an expired certificate, saying expired and when', async () => {
    const config = threatStack('127.0.0.1', portOf('expired.pem'), { caFile: fixture('expired.pem') });
    const result = await testConnectivity({ config, apiKey }, deps);
    expect(result.code).toBe('TLS_FAILED');
    expect(result.message).toContain('expired on Jan  1 00:00:00 2021 GMT');
    expect(result.checks.at(-1)?.detail).toMatch(/expired on/);
  });

  it('TLS_FAILED for a certificate of another name, saying name mismatch and the names it has', async () => {
    const config = threatStack('127.0.0.1', portOf('wrong-name.pem'), { caFile: fixture('wrong-name.pem') });
    const result = await testConnectivity({ config, apiKey }, deps);
    expect(result.code).toBe('TLS_FAILED');
    expect(result.message).toContain('name mismatch');
    expect(result.message).toContain('DNS:wrong.example, not 127.0.0.1');
  });

  it('TLS_FAILED when the port speaks plain HTTP, suggesting --protocol http', async () => {
    const port = Number(new URL(plainHttp.url).port);
    const result = await testConnectivity({ config: threatStack('127.0.0.1', port), apiKey }, deps);
    expect(result.code).toBe('TLS_FAILED');
    expect(result.message).toContain('--protocol http');
  });

  it('skips TLS for protocol http', async () => {
    const port = Number(new URL(plainHttp.url).port);
    const config = threatStack('127.0.0.1', port, { protocol: 'http' });
    const result = await testConnectivity({ config, apiKey }, deps);
    expect(names(result)).toEqual(['config:ok', 'dns:ok', 'tcp:ok', 'GET /help/hawk/self-test:failed']);
  });
});

describe('connectivityError', () => {
  it('is null for OK and a coded error carrying retryAfterMs otherwise', () => {
    expect(connectivityError({ code: 'OK', message: 'fine', checks: [] })).toBeNull();
    const error = connectivityError({
      code: 'RATE_LIMITED',
      message: 'slow down',
      checks: [],
      retryAfterMs: 1000,
    });
    expect(error?.code).toBe('RATE_LIMITED');
    expect(error?.exitCode).toBe(1);
    expect(error?.details).toEqual({ retryAfterMs: 1000 });
  });
});
