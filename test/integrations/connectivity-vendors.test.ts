import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/integrations/config.ts';
import {
  type ConnectivityResult,
  MAX_RETRY_WAIT_MS,
  testConnectivity,
} from '../../src/integrations/connectivity.ts';
import { startTcSim, type TcHarness } from '../helpers/threatconnect.ts';
import { admin, type FakeClock, type SimHarness, startSim } from '../helpers/threatstack.ts';

interface Credentials {
  users: Array<{ persona: string; userId: string; apiKey: string }>;
}

const names = (result: ConnectivityResult) => result.checks.map((c) => `${c.name}:${c.ok ? 'ok' : 'failed'}`);

function expectNoSecret(result: ConnectivityResult, secret: string): void {
  expect(JSON.stringify(result)).not.toContain(secret);
}

/** Injected time: signatures use the simulator's fake clock; waits move it instead of sleeping. */
function fakeTime(clock: FakeClock) {
  const waits: number[] = [];
  return {
    waits,
    deps: {
      now: clock.now,
      sleep: async (ms: number) => {
        waits.push(ms);
        clock.advance(ms);
      },
      timeoutMs: 5_000,
    },
  };
}

describe('testConnectivity against the Threat Stack simulator', () => {
  let h: SimHarness;
  let credentials: Credentials;
  beforeAll(async () => {
    h = await startSim({ agents: 30 });
    credentials = (await admin<Credentials>(h.sim.url, 'GET', '/_sim/credentials')).json;
  });
  afterEach(async () => {
    await admin(h.sim.url, 'PUT', '/_sim/faults', { spec: '' });
    await admin(h.sim.url, 'PUT', '/_sim/rate-limit', { perMinute: 0 });
  });
  afterAll(() => h.close());

  const persona = (name: string) => {
    const user = credentials.users.find((u) => u.persona === name);
    if (user === undefined) throw new Error(`no persona ${name}`);
    return user;
  };

  function target(userId = h.identity.userId, apiKey = h.identity.apiKey) {
    const url = new URL(h.sim.url);
    const config = validateConfig({
      kind: 'threatstack',
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      userId,
      orgId: h.identity.orgId,
      orgName: h.sim.credentials.orgName,
    });
    return { config, apiKey };
  }

  it('OK with good credentials, listing every layer checked', async () => {
    const result = await testConnectivity(target(), fakeTime(h.clock).deps);
    expect(result.code).toBe('OK');
    expect(names(result)).toEqual([
      'config:ok',
      'dns:ok',
      'tcp:ok',
      'GET /help/hawk/self-test:ok',
      'GET /v2/agents?status=online:ok',
    ]);
    expect(result.message).toContain('GET /help/hawk/self-test: Hawk authentication');
    expect(result.message).toMatch(/GET \/v2\/agents\?status=online: read \d+ online agent/);
    expectNoSecret(result, h.identity.apiKey);
  });

  it('AUTH_FAILED with a wrong key, saying what to check', async () => {
    const wrongKey = 'wrong-key-0123456789abcdef';
    const result = await testConnectivity(target(h.identity.userId, wrongKey), fakeTime(h.clock).deps);
    expect(result.code).toBe('AUTH_FAILED');
    expect(result.message).toContain('401');
    expect(result.message).toContain('--user-id');
    expect(names(result).at(-1)).toBe('GET /help/hawk/self-test:failed');
    expectNoSecret(result, wrongKey);
  });

  it('PERMISSION_DENIED for a revoked member, who passes the self-test, naming the /v2 endpoint', async () => {
    const former = persona('former');
    const result = await testConnectivity(target(former.userId, former.apiKey), fakeTime(h.clock).deps);
    expect(result.code).toBe('PERMISSION_DENIED');
    expect(names(result).slice(-2)).toEqual([
      'GET /help/hawk/self-test:ok',
      'GET /v2/agents?status=online:failed',
    ]);
    expect(result.message).toContain('GET /v2/agents?status=online');
    expect(result.message).toContain('403');
    expect(result.message).toContain('revoked');
    expectNoSecret(result, former.apiKey);
  });

  it('RATE_LIMITED on a forced 429, with the retry time, after at most two attempts', async () => {
    await admin(h.sim.url, 'PUT', '/_sim/faults', { status429: 1 });
    const before = (await admin<{ injected: { status429: number } }>(h.sim.url, 'GET', '/_sim/faults')).json;
    const time = fakeTime(h.clock);
    const result = await testConnectivity(target(), time.deps);
    const after = (await admin<{ injected: { status429: number } }>(h.sim.url, 'GET', '/_sim/faults')).json;
    expect(result.code).toBe('RATE_LIMITED');
    expect(result.retryAfterMs).toBe(1000);
    const retryAt = new Date(h.clock.now() + 1000).toISOString();
    expect(result.message).toContain(`Retry after ${retryAt} (in 1 s)`);
    expect(after.injected.status429 - before.injected.status429).toBe(2);
  });

  it('RATE_LIMITED at once, without waiting out the window, when the limit is reached', async () => {
    await admin(h.sim.url, 'PUT', '/_sim/rate-limit', { perMinute: 1 });
    const time = fakeTime(h.clock);
    const result = await testConnectivity(target(), time.deps);
    expect(result.code).toBe('RATE_LIMITED');
    expect(names(result).slice(-2)).toEqual([
      'GET /help/hawk/self-test:ok',
      'GET /v2/agents?status=online:failed',
    ]);
    expect(result.retryAfterMs).toBeGreaterThan(MAX_RETRY_WAIT_MS);
    expect(result.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(result.message).toMatch(/Retry after \S+Z \(in \d+ s\)/);
    expect(time.waits.every((ms) => ms <= MAX_RETRY_WAIT_MS)).toBe(true);
  });

  it('PROVIDER_ERROR on a forced 500', async () => {
    await admin(h.sim.url, 'PUT', '/_sim/faults', { status500: 1 });
    const result = await testConnectivity(target(), fakeTime(h.clock).deps);
    expect(result.code).toBe('PROVIDER_ERROR');
    expect(result.message).toMatch(/500 Internal Server Error .*on all 2 attempts/);
    expect(result.message).toContain('try again later');
  });

  it('PROVIDER_ERROR when the connection is reset on every attempt', async () => {
    await admin(h.sim.url, 'PUT', '/_sim/faults', { reset: 1 });
    const result = await testConnectivity(target(), fakeTime(h.clock).deps);
    expect(result.code).toBe('PROVIDER_ERROR');
    expect(names(result).at(-1)).toBe('GET /help/hawk/self-test:failed');
  });
});

describe('testConnectivity against the ThreatConnect simulator', () => {
  let tc: TcHarness;
  beforeAll(async () => {
    tc = await startTcSim({ owners: 3, adversaries: 2 });
  });
  afterEach(() => admin(tc.sim.url, 'PUT', '/_sim/faults', { spec: '' }));
  afterAll(() => tc.close());

  function target(apiKey = tc.identity.apiKey, apiRoot = tc.sim.apiRoot) {
    const url = new URL(tc.sim.url);
    const config = validateConfig({
      kind: 'threatconnect',
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      apiRoot,
      accessId: tc.identity.accessId,
    });
    return { config, apiKey };
  }

  it('OK with good credentials: whoami and the owners it can read', async () => {
    const result = await testConnectivity(target(), fakeTime(tc.clock).deps);
    expect(result.code).toBe('OK');
    expect(names(result)).toEqual([
      'config:ok',
      'dns:ok',
      'tcp:ok',
      `GET ${tc.sim.apiRoot}/v2/whoami:ok`,
      `GET ${tc.sim.apiRoot}/v2/owners:ok`,
    ]);
    expect(result.message).toMatch(/read 3 owner\(s\)/);
    expectNoSecret(result, tc.identity.apiKey);
  });

  it('AUTH_FAILED with a wrong key, naming the settings', async () => {
    const wrongKey = 'not-the-secret-key-0123456789';
    const result = await testConnectivity(target(wrongKey), fakeTime(tc.clock).deps);
    expect(result.code).toBe('AUTH_FAILED');
    expect(result.message).toContain('--access-id');
    expect(names(result).at(-1)).toBe(`GET ${tc.sim.apiRoot}/v2/whoami:failed`);
    expectNoSecret(result, wrongKey);
  });

  it('PROVIDER_ERROR for a wrong API root, saying to check it', async () => {
    const result = await testConnectivity(target(tc.identity.apiKey, '/wrong'), fakeTime(tc.clock).deps);
    expect(result.code).toBe('PROVIDER_ERROR');
    expect(result.message).toContain('--api-root');
  });

  it('RATE_LIMITED on a forced 429, with the Retry-After time', async () => {
    await admin(tc.sim.url, 'PUT', '/_sim/faults', { status429: 1 });
    const result = await testConnectivity(target(), fakeTime(tc.clock).deps);
    expect(result.code).toBe('RATE_LIMITED');
    expect(result.retryAfterMs).toBe(1000);
  });
});
