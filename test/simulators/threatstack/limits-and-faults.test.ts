import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import Hawk from 'hawk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { admin, type SimHarness, type SimResponse, startSim } from '../../helpers/threatstack.ts';

const AGENTS = '/v2/agents?status=online';

interface FaultsView {
  config: Record<string, unknown>;
  injected: Record<'status500' | 'status429' | 'reset' | 'slow' | 'truncate', number>;
}

type AdminError = { error: { code: string; message: string } };

function parseChallenge(header: string | string[] | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [, name, value] of String(header ?? '').matchAll(/(\w+)="([^"]*)"/g))
    attributes[name ?? ''] = value ?? '';
  return attributes;
}

function expectRateHeaders(response: SimResponse, limit: number, remaining: number): void {
  expect(response.headers['x-rate-limit-limit']).toBe(String(limit));
  expect(response.headers['x-rate-limit-remaining']).toBe(String(remaining));
}

function expect429(response: SimResponse, limit: number, resetMs: number): void {
  expect(response.status).toBe(429);
  expect(response.headers['content-type']).toMatch(/^text\/plain/);
  expect(response.text).toBe('Too Many Requests');
  expectRateHeaders(response, limit, 0);
  expect(response.headers['x-rate-limit-reset']).toBe(String(resetMs));
  expect(response.headers['server-authorization']).toBeUndefined();
}

/** How a raw request ended: a (possibly short) response, a connection error, or the client's timeout. */
type RawOutcome =
  | { kind: 'response'; status: number; contentLength: number; received: number; error: Error | null }
  | { kind: 'error'; error: NodeJS.ErrnoException }
  | { kind: 'timeout' };

/** A Hawk-signed GET that reports what arrived on the wire instead of insisting on a whole body. */
function rawGet(h: SimHarness, path: string, timeoutMs?: number): Promise<RawOutcome> {
  const url = new URL(h.sim.url);
  const { header } = Hawk.client.header(`${h.sim.url}${path}`, 'GET', {
    credentials: { id: h.identity.userId, key: h.identity.apiKey, algorithm: 'sha256' },
    ext: h.identity.orgId,
    timestamp: Math.floor(h.clock.now() / 1000),
  });
  return new Promise((resolve) => {
    const req = request(
      { host: url.hostname, port: Number(url.port), path, headers: { authorization: header }, agent: false },
      (res) => {
        let received = 0;
        let error: Error | null = null;
        const done = () =>
          resolve({
            kind: 'response',
            status: res.statusCode ?? 0,
            contentLength: Number(res.headers['content-length']),
            received,
            error,
          });
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
        });
        res.on('error', (e) => {
          error = e;
        });
        res.on('close', done);
      },
    );
    if (timeoutMs !== undefined) {
      req.setTimeout(timeoutMs, () => {
        resolve({ kind: 'timeout' });
        req.destroy();
      });
    }
    req.on('error', (error) => resolve({ kind: 'error', error }));
    req.end();
  });
}

describe('Threat Stack simulator: rate limit (D9)', () => {
  let h: SimHarness;
  let stagingOrgId: string;
  beforeAll(async () => {
    h = await startSim({ rateLimit: 5 });
    const { json } = await admin<{ organizations: Array<{ id: string }> }>(
      h.sim.url,
      'GET',
      '/_sim/credentials',
    );
    stagingOrgId = json.organizations[1]?.id ?? '';
    expect(stagingOrgId).not.toBe(h.identity.orgId);
  });
  afterAll(() => h.close());

  it('allows 5 per rolling minute per organization, then 429 with the exact reset; Hawk failures are free', async () => {
    const unauthenticated = await h.call('GET', AGENTS, { key: 'wrong-key' });
    expect(unauthenticated.status).toBe(401);

    const start = h.clock.now();
    for (let i = 0; i < 5; i++) {
      const response = await h.call('GET', AGENTS);
      expect(response.status).toBe(200);
      expectRateHeaders(response, 5, 4 - i);
      h.clock.advance(1_000);
    }
    // Requests went out at start+0 … start+4000; now is start+5000, so the first leaves at start+60000.
    expect429(await h.call('GET', AGENTS), 5, 55_000);

    // Another organization of the same user has its own budget.
    const staging = await h.call('GET', AGENTS, { ext: stagingOrgId });
    expect(staging.status).toBe(200);
    expectRateHeaders(staging, 5, 4);
    expect429(await h.call('GET', AGENTS), 5, 55_000);

    // Rolling window: once the oldest request leaves, exactly one more is allowed.
    h.clock.advance(55_000);
    expect(h.clock.now()).toBe(start + 60_000);
    const again = await h.call('GET', AGENTS);
    expect(again.status).toBe(200);
    expectRateHeaders(again, 5, 0);
    expect429(await h.call('GET', AGENTS), 5, 1_000);
  });

  it('PUT /_sim/rate-limit {perMinute: 0} disables the limit', async () => {
    expect((await h.call('GET', AGENTS)).status).toBe(429);
    const put = await admin(h.sim.url, 'PUT', '/_sim/rate-limit', { perMinute: 0 });
    expect(put).toEqual({ status: 200, json: { perMinute: 0 } });
    for (let i = 0; i < 8; i++) expect((await h.call('GET', AGENTS)).status).toBe(200);
    expect(await admin(h.sim.url, 'GET', '/_sim/rate-limit')).toEqual({
      status: 200,
      json: { perMinute: 0 },
    });
  });
});

describe('Threat Stack simulator: fault injection', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim();
  });
  afterEach(async () => {
    const reset = await admin<FaultsView>(h.sim.url, 'PUT', '/_sim/faults', {});
    expect(reset.status).toBe(200);
    expect(reset.json.config).toEqual({
      status500: 0,
      status429: 0,
      reset: 0,
      slow: { probability: 0, delayMs: 0 },
      truncate: 0,
    });
  });
  afterAll(() => h.close());

  const setFaults = async (body: unknown): Promise<FaultsView> => {
    const response = await admin<FaultsView>(h.sim.url, 'PUT', '/_sim/faults', body);
    expect(response.status).toBe(200);
    return response.json;
  };
  const injected = async () => (await admin<FaultsView>(h.sim.url, 'GET', '/_sim/faults')).json.injected;

  it('status500=1 → 500 {"errors":[…]} without Server-Authorization; admin routes are not faulted', async () => {
    await setFaults({ status500: 1 });
    const before = await injected();
    const response = await h.call('GET', AGENTS);
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json<{ errors: unknown[] }>();
    expect(Object.keys(body)).toEqual(['errors']);
    expect(body.errors.length).toBeGreaterThan(0);
    for (const message of body.errors) expect(typeof message).toBe('string');
    expect(response.headers['server-authorization']).toBeUndefined();

    const stats = await admin<{ faultsInjected: FaultsView['injected'] }>(h.sim.url, 'GET', '/_sim/stats');
    expect(stats.status).toBe(200);
    expect((await admin(h.sim.url, 'GET', '/_sim/clock')).status).toBe(200);
    const after = await injected();
    expect(after.status500).toBe(before.status500 + 1);
    expect(stats.json.faultsInjected).toEqual(after);
  });

  it('status429=1 → 429 text/plain with the three x-rate-limit-* headers', async () => {
    await setFaults({ status429: 1 });
    const response = await h.call('GET', AGENTS);
    expect(response.status).toBe(429);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toBe('Too Many Requests');
    expect(Number(response.headers['x-rate-limit-limit'])).toBeGreaterThan(0);
    expect(response.headers['x-rate-limit-remaining']).toBe('0');
    expect(response.headers['x-rate-limit-reset']).toMatch(/^[1-9]\d*$/);
    expect(response.headers['server-authorization']).toBeUndefined();
  });

  it('reset=1 → the connection is reset', async () => {
    await setFaults({ reset: 1 });
    const outcome = await rawGet(h, AGENTS);
    expect(outcome.kind).toBe('error');
    if (outcome.kind !== 'error') return;
    expect(outcome.error.code === 'ECONNRESET' || /socket hang up/.test(outcome.error.message)).toBe(true);
    await expect(h.call('GET', AGENTS)).rejects.toThrow(/ECONNRESET|socket hang up/);
  });

  it('truncate=1 → fewer bytes arrive than content-length announces', async () => {
    await setFaults({ truncate: 1 });
    const outcome = await rawGet(h, AGENTS);
    expect(outcome.kind).toBe('response');
    if (outcome.kind !== 'response') return;
    expect(outcome.status).toBe(200);
    expect(outcome.contentLength).toBeGreaterThan(1);
    expect(outcome.received).toBeGreaterThan(0);
    expect(outcome.received).toBeLessThan(outcome.contentLength);
    expect(outcome.error?.message).toMatch(/aborted/);
    await expect(h.call('GET', AGENTS)).rejects.toThrow(/aborted/);
    expect((await injected()).truncate).toBeGreaterThanOrEqual(1);
  });

  it('slow {probability:1, delayMs:10000} → a client with a 200 ms timeout times out', async () => {
    const view = await setFaults({ slow: { probability: 1, delayMs: 10_000 } });
    expect(view.config.slow).toEqual({ probability: 1, delayMs: 10_000 });
    const before = await injected();
    const outcome = await rawGet(h, AGENTS, 200);
    expect(outcome).toEqual({ kind: 'timeout' });
    expect((await injected()).slow).toBe(before.slow + 1);
  });

  it('accepts the {spec} form', async () => {
    const view = await setFaults({ spec: 'status500=0.5,status429=0.1,slow=0.05:2000,truncate=0.01' });
    expect(view.config).toEqual({
      status500: 0.5,
      status429: 0.1,
      reset: 0,
      slow: { probability: 0.05, delayMs: 2000 },
      truncate: 0.01,
    });
    expect((await admin<FaultsView>(h.sim.url, 'GET', '/_sim/faults')).json.config).toEqual(view.config);
  });

  it.each([
    ['an unknown kind in a spec', { spec: 'explode=0.5' }],
    ['a malformed spec', { spec: 'status500=lots' }],
    ['a spec summing over 1', { spec: 'status500=0.6,reset=0.6' }],
    ['probabilities summing over 1', { status500: 0.6, reset: 0.3, slow: { probability: 0.2, delayMs: 10 } }],
    ['a probability above 1', { truncate: 1.5 }],
  ])('rejects %s with 400 {"error":{code,message}}', async (_name, body) => {
    const response = await admin<AdminError>(h.sim.url, 'PUT', '/_sim/faults', body);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toMatch(/^[A-Z_]+$/);
    expect(response.json.error.message.length).toBeGreaterThan(0);
    expect((await admin<FaultsView>(h.sim.url, 'GET', '/_sim/faults')).json.config.status500).toBe(0);
  });

  it('status500=0.3 over 200 requests: a seeded, counted share of 500s', async () => {
    await setFaults({ status500: 0.3 });
    const before = await injected();
    let failures = 0;
    for (let i = 0; i < 200; i++) {
      const response = await h.call('GET', '/help/hawk/self-test');
      if (response.status === 500) failures++;
      else expect(response.status).toBe(200);
    }
    expect(failures).toBeGreaterThanOrEqual(30);
    expect(failures).toBeLessThanOrEqual(90);
    const after = await injected();
    expect(after.status500 - before.status500).toBe(failures);
    const stats = await admin<{ faultsInjected: FaultsView['injected'] }>(h.sim.url, 'GET', '/_sim/stats');
    expect(stats.json.faultsInjected).toEqual(after);
  });
});

describe('Threat Stack simulator: admin clock', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim();
  });
  afterEach(async () => {
    expect((await admin(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 0 })).status).toBe(200);
  });
  afterAll(() => h.close());

  it('an offset makes a client at the fake time stale, with ts = fake time + offset', async () => {
    const set = await admin<{ now: string; offsetMs: number }>(h.sim.url, 'PUT', '/_sim/clock', {
      offsetMs: 120_000,
    });
    expect(set.json).toEqual({ now: new Date(h.clock.now() + 120_000).toISOString(), offsetMs: 120_000 });
    const response = await h.call('GET', AGENTS);
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({ errors: ['Stale timestamp'] });
    const challenge = parseChallenge(response.headers['www-authenticate']);
    expect(challenge.error).toBe('Stale timestamp');
    expect(Number(challenge.ts)).toBe(Math.floor((h.clock.now() + 120_000) / 1000));
    expect(challenge.tsm).toBe(
      createHmac('sha256', h.identity.apiKey).update(`hawk.1.ts\n${challenge.ts}\n`).digest('base64'),
    );
    const corrected = await h.call('GET', AGENTS, { timestampSec: Number(challenge.ts) });
    expect(corrected.status).toBe(200);
  });

  it('advanceMs adds to the offset and GET /_sim/clock shows it; offset 0 restores agreement', async () => {
    await admin(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 120_000 });
    const advanced = await admin(h.sim.url, 'PUT', '/_sim/clock', { advanceMs: 5_000 });
    const expected = { now: new Date(h.clock.now() + 125_000).toISOString(), offsetMs: 125_000 };
    expect(advanced).toEqual({ status: 200, json: expected });
    expect(await admin(h.sim.url, 'GET', '/_sim/clock')).toEqual({ status: 200, json: expected });
    const stats = await admin<{ now: string }>(h.sim.url, 'GET', '/_sim/stats');
    expect(stats.json.now).toBe(expected.now);

    expect((await h.call('GET', AGENTS)).status).toBe(401);
    await admin(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 0 });
    expect((await admin(h.sim.url, 'GET', '/_sim/clock')).json).toEqual({
      now: new Date(h.clock.now()).toISOString(),
      offsetMs: 0,
    });
    expect((await h.call('GET', AGENTS)).status).toBe(200);
  });

  it('rejects a clock body that is neither offsetMs nor advanceMs', async () => {
    const response = await admin<AdminError>(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 'soon' });
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe('INPUT_INVALID');
  });
});
