import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { admin, signTc, startTcSim, type TcHarness, type TcResponse } from '../../helpers/threatconnect.ts';

const OWNERS = '/v2/owners';
const TOO_MANY = { status: 'Failure', message: 'Too many requests' };

type FaultKind = 'status500' | 'status429' | 'reset' | 'slow' | 'truncate';
interface FaultsView {
  config: Record<string, unknown>;
  injected: Record<FaultKind, number>;
}
interface Stats {
  requests: { total: number; byStatus: Record<string, number> };
  faultsInjected: Record<FaultKind, number>;
}

function expect429(response: TcResponse, retryAfterSeconds: number): void {
  expect(response.status).toBe(429);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.headers['retry-after']).toBe(String(retryAfterSeconds));
  expect(response.json()).toEqual(TOO_MANY);
}

/** How a raw signed GET ended: a (possibly short) response, or a connection error. */
type RawOutcome =
  | { kind: 'response'; status: number; contentLength: number; received: number }
  | { kind: 'error'; code: string | undefined };

function rawGet(h: TcHarness, path: string): Promise<RawOutcome> {
  const url = new URL(h.sim.url);
  const target = `${h.sim.apiRoot}${path}`;
  const timestamp = String(Math.floor(h.clock.now() / 1000));
  const headers = {
    timestamp,
    authorization: `TC ${h.identity.accessId}:${signTc(h.identity.apiKey, target, 'GET', timestamp)}`,
  };
  return new Promise((resolve) => {
    const req = request(
      { host: url.hostname, port: Number(url.port), path: target, headers, agent: false },
      (res) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
        });
        res.on('error', () => {});
        res.on('close', () =>
          resolve({
            kind: 'response',
            status: res.statusCode ?? 0,
            contentLength: Number(res.headers['content-length']),
            received,
          }),
        );
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code }));
    req.end();
  });
}

describe('ThreatConnect simulator: rate limit (D6)', () => {
  let h: TcHarness;
  beforeAll(async () => {
    h = await startTcSim({ rateLimit: 3 });
  });
  afterAll(() => h.close());

  it('allows 3 per rolling minute per API user, then 429 with Retry-After in seconds; auth failures are free', async () => {
    expect((await h.call(OWNERS, { key: 'wrong' })).status).toBe(401);
    expect((await h.call(OWNERS)).status).toBe(200);
    h.clock.advance(10_000);
    // HMAC and TC-Token share the user's budget.
    expect((await h.call(OWNERS, { token: h.identity.token })).status).toBe(200);
    h.clock.advance(10_000);
    expect((await h.call('/v2/whoami')).status).toBe(200);
    h.clock.advance(500);
    // The first request leaves the window at +60 000 ms; now is +20 500: 39 500 ms → 40 s.
    expect429(await h.call(OWNERS), 40);
    expect429(await h.call(OWNERS, { token: h.identity.token }), 40);
    h.clock.advance(39_499);
    expect429(await h.call(OWNERS), 1);
    h.clock.advance(1);
    expect((await h.call(OWNERS)).status).toBe(200);
    expect429(await h.call(OWNERS), 10);
  });

  it('the admin API changes the limit at run time; 0 switches it off', async () => {
    expect((await admin(h.sim.url, 'GET', '/_sim/rate-limit')).json).toEqual({ perMinute: 3 });
    expect((await admin(h.sim.url, 'PUT', '/_sim/rate-limit', { perMinute: 0 })).json).toEqual({
      perMinute: 0,
    });
    for (let i = 0; i < 20; i++) expect((await h.call(OWNERS)).status).toBe(200);
    expect((await admin(h.sim.url, 'PUT', '/_sim/rate-limit', { perMinute: 1 })).json).toEqual({
      perMinute: 1,
    });
    expect((await h.call(OWNERS)).status).toBe(200);
    expect429(await h.call(OWNERS), 60);
    const bad = await admin(h.sim.url, 'PUT', '/_sim/rate-limit', { perMinute: -1 });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'INPUT_INVALID' } });
  });
});

describe('ThreatConnect simulator: faults', () => {
  let h: TcHarness;
  beforeAll(async () => {
    h = await startTcSim();
  });
  afterEach(async () => {
    await admin(h.sim.url, 'PUT', '/_sim/faults', { spec: '' });
  });
  afterAll(() => h.close());

  const configure = (body: unknown) => admin<FaultsView>(h.sim.url, 'PUT', '/_sim/faults', body);

  it('status500 → 500 in the ThreatConnect failure format; the admin API is never faulted', async () => {
    const before = (await admin<FaultsView>(h.sim.url, 'GET', '/_sim/faults')).json.injected.status500;
    const configured = await configure({ spec: 'status500=1' });
    expect(configured.json.config).toMatchObject({ status500: 1 });
    for (let i = 0; i < 3; i++) {
      const response = await h.call(OWNERS);
      expect(response.status).toBe(500);
      expect(response.headers['content-type']).toBe('application/json');
      expect(response.json()).toEqual({ status: 'Failure', message: 'Internal Server Error' });
    }
    const stats = await admin<Stats>(h.sim.url, 'GET', '/_sim/stats');
    expect(stats.status).toBe(200);
    expect(stats.json.faultsInjected.status500).toBe(before + 3);
    expect(stats.json.requests.byStatus['500']).toBeGreaterThanOrEqual(3);
  });

  it('status429 → 429 in the D6 format with Retry-After: 1, before authentication', async () => {
    await configure({ status429: 1 });
    expect429(await h.call(OWNERS), 1);
    expect429(await h.call(OWNERS, { key: 'wrong' }), 1);
  });

  it('pathPrefix faults only routes below it (matched after the API root)', async () => {
    await configure({ status500: 1, pathPrefix: '/v2/groups/threats' });
    expect((await h.call('/v2/groups/threats')).status).toBe(500);
    expect((await h.call('/v2/groups/threats/12345')).status).toBe(500);
    expect((await h.call('/v2/groups/adversaries')).status).toBe(200);
    expect((await h.call(OWNERS)).status).toBe(200);
    const view = await admin<FaultsView>(h.sim.url, 'GET', '/_sim/faults');
    expect(view.json.config.pathPrefix).toBe('/v2/groups/threats');
  });

  it('reset drops the connection; truncate announces the full length and sends half', async () => {
    await configure({ reset: 1 });
    expect(await rawGet(h, OWNERS)).toEqual({ kind: 'error', code: 'ECONNRESET' });
    await configure({ truncate: 1 });
    const truncated = await rawGet(h, OWNERS);
    if (truncated.kind !== 'response')
      throw new Error(`expected a short response, got ${JSON.stringify(truncated)}`);
    expect(truncated.status).toBe(200);
    expect(truncated.received).toBe(Math.floor(truncated.contentLength / 2));
  });

  it('slow answers normally after the delay and is counted', async () => {
    const before = (await admin<FaultsView>(h.sim.url, 'GET', '/_sim/faults')).json.injected.slow;
    await configure({ spec: 'slow=1:5' });
    expect((await h.call(OWNERS)).status).toBe(200);
    expect((await admin<FaultsView>(h.sim.url, 'GET', '/_sim/faults')).json.injected.slow).toBe(before + 1);
  });

  it('refuses a bad fault configuration with 400', async () => {
    for (const body of [{ spec: 'bogus=1' }, { status500: 2 }, { teapot: 0.1 }]) {
      const response = await admin<{ error: { code: string } }>(h.sim.url, 'PUT', '/_sim/faults', body);
      expect(response.status).toBe(400);
    }
  });
});

describe('ThreatConnect simulator: admin API', () => {
  let h: TcHarness;
  beforeAll(async () => {
    h = await startTcSim({ apiRoot: 'tc/api/' });
  });
  afterAll(() => h.close());

  it('/_sim/credentials repeats the start-up credentials, with the normalised API root', async () => {
    const { json } = await admin(h.sim.url, 'GET', '/_sim/credentials');
    expect(json).toEqual(h.sim.credentials);
    expect(Object.keys(json)).toEqual(['url', 'apiRoot', 'accessId', 'apiKey', 'token']);
    expect(h.sim.apiRoot).toBe('/tc/api');
    expect((await h.call(OWNERS)).status).toBe(200);
  });

  it('/_sim/clock reports and moves the clock', async () => {
    const base = h.clock.now();
    expect((await admin(h.sim.url, 'GET', '/_sim/clock')).json).toEqual({
      now: new Date(base).toISOString(),
      offsetMs: 0,
    });
    const advanced = await admin(h.sim.url, 'PUT', '/_sim/clock', { advanceMs: 5_000 });
    expect(advanced.json).toEqual({ now: new Date(base + 5_000).toISOString(), offsetMs: 5_000 });
    await admin(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 0 });
    expect((await admin(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 'soon' })).status).toBe(400);
  });

  it('unknown admin routes → 404 NOT_FOUND; wrong methods → 405; bad JSON → 400', async () => {
    expect(await admin(h.sim.url, 'GET', '/_sim/nothing')).toEqual({
      status: 404,
      json: { error: { code: 'NOT_FOUND', message: 'No admin route /_sim/nothing' } },
    });
    expect((await admin(h.sim.url, 'DELETE', '/_sim/stats')).status).toBe(405);
    const response = await fetch(`${h.sim.url}/_sim/faults`, { method: 'PUT', body: '{not json' });
    expect(response.status).toBe(400);
  });

  it('counts API requests by status, not admin requests', async () => {
    const before = (await admin<Stats>(h.sim.url, 'GET', '/_sim/stats')).json.requests;
    await h.call(OWNERS);
    await h.call(OWNERS, { key: 'wrong' });
    await h.call('/v2/nothing');
    await admin(h.sim.url, 'GET', '/_sim/clock');
    const after = (await admin<Stats>(h.sim.url, 'GET', '/_sim/stats')).json.requests;
    expect(after.total).toBe(before.total + 3);
    for (const status of ['200', '401', '404']) {
      expect(after.byStatus[status]).toBe((before.byStatus[status] ?? 0) + 1);
    }
  });
});
