import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForwardProxy, startForwardProxy } from '../../src/connectors/http/testing/loopback.ts';
import { type IntegrationConfig, validateConfig } from '../../src/integrations/config.ts';
import { type ConnectivityResult, testConnectivity } from '../../src/integrations/connectivity.ts';
import { startTcSim, type TcHarness } from '../helpers/threatconnect.ts';
import { type SimHarness, startSim } from '../helpers/threatstack.ts';
import {
  closedPort,
  startHttpsStub,
  startRefusingProxy,
  type TestServer,
  tlsFixture,
} from './connectivity-fixtures.ts';

const proxyPassword = 'Pr0xy-Passw0rd-Secret';
const names = (result: ConnectivityResult) => result.checks.map((c) => `${c.name}:${c.ok ? 'ok' : 'failed'}`);
const withCredentials = (port: number, host = '127.0.0.1') => `http://vigil:${proxyPassword}@${host}:${port}`;
const shownProxy = (port: number, host = '127.0.0.1') => `http://***@${host}:${port}`;

function expectNoSecrets(result: ConnectivityResult, apiKey: string): void {
  const text = JSON.stringify(result);
  expect(text).not.toContain(apiKey);
  expect(text).not.toContain(proxyPassword);
}

describe('testConnectivity through a proxy', () => {
  let ts: SimHarness;
  let tc: TcHarness;
  let proxy: ForwardProxy;
  let httpsStub: TestServer;
  const refusing: Partial<Record<407 | 502, TestServer>> = {};
  beforeAll(async () => {
    ts = await startSim({ agents: 20 });
    tc = await startTcSim({ owners: 2, adversaries: 1 });
    proxy = await startForwardProxy();
    httpsStub = await startHttpsStub('self-signed.pem');
    refusing[407] = await startRefusingProxy(407);
    refusing[502] = await startRefusingProxy(502);
  });
  afterAll(async () => {
    await Promise.all([ts.close(), tc.close(), proxy.close(), httpsStub.close()]);
    await Promise.all(Object.values(refusing).map((server) => server.close()));
  });

  const deps = () => ({
    now: ts.clock.now,
    sleep: async (ms: number) => ts.clock.advance(ms),
    timeoutMs: 5_000,
  });
  const proxyPort = () => Number(new URL(proxy.url).port);

  function threatStack(proxyUrl: string, extra: Record<string, unknown> = {}): IntegrationConfig {
    const url = new URL(ts.sim.url);
    return validateConfig({
      kind: 'threatstack',
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      userId: ts.identity.userId,
      orgId: ts.identity.orgId,
      orgName: ts.sim.credentials.orgName,
      proxy: proxyUrl,
      ...extra,
    });
  }

  function httpsTarget(proxyUrl: string, extra: Record<string, unknown> = {}): IntegrationConfig {
    return threatStack(proxyUrl, { protocol: 'https', host: '127.0.0.1', port: httpsStub.port, ...extra });
  }

  it('OK for Threat Stack through a working forward proxy, every request passing it', async () => {
    const before = proxy.seen.length;
    const result = await testConnectivity(
      { config: threatStack(withCredentials(proxyPort())), apiKey: ts.identity.apiKey },
      deps(),
    );
    expect(result.code).toBe('OK');
    expect(names(result)).toEqual([
      'config:ok',
      'proxy-dns:ok',
      'proxy-tcp:ok',
      'GET /help/hawk/self-test:ok',
      'GET /v2/agents?status=online:ok',
    ]);
    expect(proxy.seen.slice(before)).toEqual([
      `${ts.sim.url}/help/hawk/self-test`,
      `${ts.sim.url}/v2/agents?status=online`,
    ]);
    const basic = `Basic ${Buffer.from(`vigil:${proxyPassword}`).toString('base64')}`;
    expect(proxy.authorizations.slice(before)).toEqual([basic, basic]);
    expect(result.message).toContain(`through the proxy ${shownProxy(proxyPort())}`);
    expectNoSecrets(result, ts.identity.apiKey);
  });

  it('OK for ThreatConnect through the same proxy, every request passing it', async () => {
    const url = new URL(tc.sim.url);
    const config = validateConfig({
      kind: 'threatconnect',
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      apiRoot: tc.sim.apiRoot,
      accessId: tc.identity.accessId,
      proxy: withCredentials(proxyPort()),
    });
    const before = proxy.seen.length;
    const result = await testConnectivity(
      { config, apiKey: tc.identity.apiKey },
      { now: tc.clock.now, sleep: async () => {}, timeoutMs: 5_000 },
    );
    expect(result.code).toBe('OK');
    const passed = proxy.seen.slice(before);
    expect(passed).toHaveLength(2);
    expect(passed[0]).toBe(`${tc.sim.url}${tc.sim.apiRoot}/v2/whoami`);
    expect(passed[1]).toMatch(new RegExp(`^${tc.sim.url}${tc.sim.apiRoot}/v2/owners\\?resultStart=0`));
    expectNoSecrets(result, tc.identity.apiKey);
  });

  it('TCP_UNREACHABLE naming the proxy when the proxy is down', async () => {
    const port = await closedPort();
    const result = await testConnectivity(
      { config: threatStack(withCredentials(port)), apiKey: ts.identity.apiKey },
      deps(),
    );
    expect(result.code).toBe('TCP_UNREACHABLE');
    expect(names(result)).toEqual(['config:ok', 'proxy-dns:ok', 'proxy-tcp:failed']);
    expect(result.message).toContain(`127.0.0.1:${port} (the proxy ${shownProxy(port)})`);
    expect(result.message).toContain('--proxy');
    expectNoSecrets(result, ts.identity.apiKey);
  });

  it('DNS_FAILED naming the proxy when its host does not resolve', async () => {
    const config = threatStack(withCredentials(3128, 'proxy.invalid'));
    const result = await testConnectivity({ config, apiKey: ts.identity.apiKey }, deps());
    expect(result.code).toBe('DNS_FAILED');
    expect(names(result)).toEqual(['config:ok', 'proxy-dns:failed']);
    expect(result.message).toContain(`proxy.invalid (the proxy ${shownProxy(3128, 'proxy.invalid')})`);
    expectNoSecrets(result, ts.identity.apiKey);
  });

  it('AUTH_FAILED naming the proxy when it refuses its credentials (407), forwarding or tunnelling', async () => {
    const port = refusing[407]?.port ?? 0;
    for (const config of [threatStack(withCredentials(port)), httpsTarget(withCredentials(port))]) {
      const result = await testConnectivity({ config, apiKey: ts.identity.apiKey }, deps());
      expect(result.code).toBe('AUTH_FAILED');
      expect(result.message).toContain(`The proxy ${shownProxy(port)} refused its credentials (407`);
      expectNoSecrets(result, ts.identity.apiKey);
    }
    expect(refusing[407]?.seen.some((line) => line.startsWith('CONNECT 127.0.0.1:'))).toBe(true);
  });

  it('TCP_UNREACHABLE naming the proxy and the target when the proxy cannot open the tunnel (502)', async () => {
    const port = refusing[502]?.port ?? 0;
    const result = await testConnectivity(
      { config: httpsTarget(withCredentials(port)), apiKey: ts.identity.apiKey },
      deps(),
    );
    expect(result.code).toBe('TCP_UNREACHABLE');
    expect(result.message).toContain(
      `The proxy ${shownProxy(port)} could not open a connection to 127.0.0.1:${httpsStub.port}`,
    );
  });

  it('TLS_FAILED through the tunnel for an untrusted certificate; past TLS with the CA file', async () => {
    const proxyUrl = withCredentials(proxyPort());
    const untrusted = await testConnectivity(
      { config: httpsTarget(proxyUrl), apiKey: ts.identity.apiKey },
      deps(),
    );
    expect(untrusted.code).toBe('TLS_FAILED');
    expect(untrusted.message).toContain('untrusted');
    expect(untrusted.message).toContain(`through the proxy ${shownProxy(proxyPort())}`);

    const before = httpsStub.seen.length;
    const config = httpsTarget(proxyUrl, { caFile: tlsFixture('self-signed.pem') });
    const trusted = await testConnectivity({ config, apiKey: ts.identity.apiKey }, deps());
    expect(trusted.code).toBe('PROVIDER_ERROR');
    expect(trusted.message).toContain('404');
    expect(httpsStub.seen.slice(before)).toEqual(['/help/hawk/self-test']);
    expect(proxy.seen).toContain(`CONNECT 127.0.0.1:${httpsStub.port}`);
    expectNoSecrets(trusted, ts.identity.apiKey);
  });
});
