import { Writable } from 'node:stream';
import Hawk from 'hawk';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectItems, vigilFailure } from '../../../test/helpers/async.ts';
import { admin, type SimHarness, startSim } from '../../../test/helpers/threatstack.ts';
import { RETRY_AFTER_MARGIN_MS } from '../http/backoff.ts';
import { sendJson, startForwardProxy, startStubServer } from '../http/testing/loopback.ts';
import { ThreatStackClient, type ThreatStackClientConfig } from './client.ts';
import { parseHawkAttributes } from './hawk-signer.ts';

interface SimStats {
  agents: { online: number; offline: number };
  requests: { total: number; byStatus: Record<string, number> };
}
interface FaultsView {
  injected: Record<'status500' | 'status429' | 'reset' | 'slow' | 'truncate', number>;
}

/** A pino logger whose JSON lines land in `lines`. */
function memoryLogger(lines: Array<Record<string, unknown>>) {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: 'debug' }, stream);
}

/** A client whose `sleep` records each wait and moves the harness's fake clock by it. */
function clientFor(
  h: SimHarness,
  config: Partial<ThreatStackClientConfig> = {},
  lines?: Array<Record<string, unknown>>,
) {
  const sleeps: number[] = [];
  const client = new ThreatStackClient(
    { baseUrl: h.sim.url, ...h.identity, ...config },
    {
      now: h.clock.now,
      sleep: async (ms) => {
        sleeps.push(ms);
        h.clock.advance(ms);
      },
      random: () => 0.5,
      ...(lines ? { logger: memoryLogger(lines) } : {}),
    },
  );
  return { client, sleeps };
}

const simStats = async (h: SimHarness) => (await admin<SimStats>(h.sim.url, 'GET', '/_sim/stats')).json;
const count429 = (stats: SimStats) => stats.requests.byStatus['429'] ?? 0;

describe('rate limits', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim({ agents: 20, rateLimit: 5 });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    // A fresh window for the next test.
    h.clock.advance(60_000);
  });

  it('keeps 12 requests under a server limit of 5/min with a client budget of 5/min: no 429', async () => {
    const before = await simStats(h);
    const start = h.clock.now();
    const { client, sleeps } = clientFor(h, { requestsPerMinute: 5 });
    for (let i = 0; i < 12; i++) await client.selfTest();
    expect(client.stats).toMatchObject({ requests: 12, retries: 0, rateLimited: 0 });
    expect(count429(await simStats(h)) - count429(before)).toBe(0);
    // Requests 6–10 waited for the first window to pass, 11–12 for the second (in fake time).
    expect(h.clock.now() - start).toBeGreaterThanOrEqual(120_000);
    expect(sleeps.length).toBeGreaterThan(0);
    await client.close();
  });

  it('without a client budget, retries 429s after x-rate-limit-reset plus a margin', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const before = await simStats(h);
    const { client, sleeps } = clientFor(h, { requestsPerMinute: 0 }, lines);
    for (let i = 0; i < 12; i++) await client.selfTest();
    const received429 = count429(await simStats(h)) - count429(before);
    expect(received429).toBeGreaterThan(0);
    expect(client.stats.rateLimited).toBe(received429);
    expect(client.stats.retries).toBe(received429);
    const retries = lines.filter((line) => line.reason === 'rate-limited');
    expect(retries).toHaveLength(received429);
    for (const retry of retries) {
      expect(retry.retryAfterMs).toEqual(expect.any(Number));
      expect(retry.delayMs).toBe((retry.retryAfterMs as number) + RETRY_AFTER_MARGIN_MS);
      expect(sleeps).toContain(retry.delayMs);
    }
    expect(sleeps.every((ms) => ms >= 60_000 - 1_000)).toBe(true);
    await client.close();
  });

  it('reports PROVIDER_RATE_LIMITED with retryAfterMs when every attempt is refused', async () => {
    const { client } = clientFor(h, { requestsPerMinute: 0, maxAttempts: 1 });
    for (let i = 0; i < 5; i++) await client.selfTest();
    const error = await vigilFailure(client.selfTest());
    expect(error.code).toBe('PROVIDER_RATE_LIMITED');
    expect(error.details.retryAfterMs).toEqual(expect.any(Number));
    expect(error.message).toContain('429 Too Many Requests');
    await client.close();
  });
});

describe('fault injection', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim({ agents: 1_200, seed: 6 });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    await admin(h.sim.url, 'PUT', '/_sim/faults', { spec: '' });
  });

  const listAllAgents = async (client: ThreatStackClient) => [
    ...(await collectItems(client.iterateAgents('online'))),
    ...(await collectItems(client.iterateAgents('offline'))),
  ];

  it('lists every agent through 500s, 429s, resets and truncated bodies, counting the retries', async () => {
    const { client: clean } = clientFor(h, { requestsPerMinute: 0 });
    const expected = await listAllAgents(clean);
    const pages = clean.stats.requests;
    await clean.close();

    await admin(h.sim.url, 'PUT', '/_sim/faults', {
      spec: 'status500=0.3,status429=0.1,reset=0.05,truncate=0.05',
    });
    // Half of all attempts fail here, so allow more attempts than the default 6.
    const { client } = clientFor(h, { requestsPerMinute: 0, maxAttempts: 12 });
    const listed = await listAllAgents(client);
    expect(listed).toEqual(expected);
    const { injected } = (await admin<FaultsView>(h.sim.url, 'GET', '/_sim/faults')).json;
    const faults = injected.status500 + injected.status429 + injected.reset + injected.truncate;
    // This seed injects every kind at least once.
    expect(injected).toMatchObject({
      status500: expect.any(Number),
      status429: expect.any(Number),
      reset: expect.any(Number),
      truncate: expect.any(Number),
    });
    expect(
      Math.min(injected.status500, injected.status429, injected.reset, injected.truncate),
    ).toBeGreaterThan(0);
    expect(client.stats.retries).toBe(faults);
    expect(client.stats.requests).toBe(pages + faults);
    await client.close();
  });

  it('retries an answer that is slower than timeoutMs', async () => {
    await admin(h.sim.url, 'PUT', '/_sim/faults', { slow: { probability: 0.5, delayMs: 1_500 } });
    const before = (await admin<FaultsView>(h.sim.url, 'GET', '/_sim/faults')).json.injected.slow;
    const { client } = clientFor(h, { requestsPerMinute: 0, timeoutMs: 200 });
    for (let i = 0; i < 4; i++) await client.selfTest();
    const slow = (await admin<FaultsView>(h.sim.url, 'GET', '/_sim/faults')).json.injected.slow - before;
    expect(slow).toBeGreaterThan(0);
    expect(client.stats.retries).toBe(slow);
    await client.close();
  });

  it('fails with PROVIDER_NETWORK_ERROR when the server never answers in time', async () => {
    await admin(h.sim.url, 'PUT', '/_sim/faults', { slow: { probability: 1, delayMs: 1_500 } });
    const { client } = clientFor(h, { requestsPerMinute: 0, timeoutMs: 200, maxAttempts: 2 });
    const error = await vigilFailure(client.selfTest());
    expect(error.code).toBe('PROVIDER_NETWORK_ERROR');
    expect(error.details).toMatchObject({ reason: 'timeout', attempts: 2 });
    expect(error.message).toContain('GET /help/hawk/self-test');
    expect(error.message).toContain('200 ms');
    expect(error.message).not.toContain(h.identity.apiKey);
    await client.close();
  });
});

describe('proxy', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim({ agents: 230, offlineRatio: 0 });
  });
  afterAll(() => h.close());

  it('sends every request of a listing through an HTTP forward proxy, with its credentials', async () => {
    const proxy = await startForwardProxy();
    try {
      const proxyUrl = proxy.url.replace('http://', 'http://scanner:s3cret@');
      const { client } = clientFor(h, { requestsPerMinute: 0, proxy: proxyUrl });
      const agents = await collectItems(client.iterateAgents('online'));
      expect(agents).toHaveLength(230);
      expect(client.stats.requests).toBe(3);
      expect(proxy.seen).toHaveLength(3);
      expect(proxy.seen[0]).toBe(`${h.sim.url}/v2/agents?status=online`);
      expect(
        proxy.seen
          .slice(1)
          .every((target) => target.startsWith(`${h.sim.url}/v2/agents?status=online&token=`)),
      ).toBe(true);
      const basic = `Basic ${Buffer.from('scanner:s3cret').toString('base64')}`;
      expect(proxy.authorizations).toEqual([basic, basic, basic]);
      await client.close();
    } finally {
      await proxy.close();
    }
  });

  it('names the proxy without its password when it cannot be reached', async () => {
    const proxy = await startForwardProxy();
    await proxy.close();
    const { client } = clientFor(h, {
      requestsPerMinute: 0,
      maxAttempts: 1,
      proxy: proxy.url.replace('http://', 'http://scanner:s3cret@'),
    });
    const error = await vigilFailure(client.selfTest());
    expect(error.code).toBe('PROVIDER_NETWORK_ERROR');
    expect(error.hint).toContain('***@127.0.0.1');
    expect(`${error.message} ${error.hint}`).not.toContain('s3cret');
    await client.close();
  });
});

describe('misbehaving servers', () => {
  const identity = {
    userId: '563b7bf374c815ce60e67e50',
    apiKey: 'stub-key-0123456789',
    orgId: '5537c4284e9684df7e000014',
  };
  const stubClient = (url: string, config: Partial<ThreatStackClientConfig> = {}) =>
    new ThreatStackClient(
      { baseUrl: url, ...identity, requestsPerMinute: 0, maxAttempts: 2, ...config },
      { sleep: async () => {}, random: () => 0 },
    );

  it('rejects a 200 whose Server-Authorization is tampered with or missing', async () => {
    let header: string | undefined = 'Hawk mac="bm90IGEgbWFj", hash="bm90IGEgaGFzaA=="';
    const stub = await startStubServer((_req, res) =>
      sendJson(
        res,
        200,
        { authenticated: true },
        header === undefined ? {} : { 'server-authorization': header },
      ),
    );
    try {
      const client = stubClient(stub.url);
      const tampered = await vigilFailure(client.selfTest());
      expect(tampered.code).toBe('PROVIDER_RESPONSE_INVALID');
      expect(tampered.message).toContain('not authentic');
      header = undefined;
      const missing = await vigilFailure(client.selfTest());
      expect(missing.code).toBe('PROVIDER_RESPONSE_INVALID');
      expect(missing.message).toContain('Missing Server-Authorization');
      expect(stub.seen).toHaveLength(2);
      await client.close();
    } finally {
      await stub.close();
    }
  });

  it('signs every attempt afresh: a new nonce each time, and the timestamp of the moment it is sent', async () => {
    const authorizations: string[] = [];
    const stub = await startStubServer((req, res) => {
      authorizations.push(req.headers.authorization ?? '');
      if (authorizations.length < 3) sendJson(res, 503, { errors: ['busy'] });
      else sendJson(res, 200, { authenticated: true });
    });
    try {
      let now = 1_800_000_000_000;
      const client = new ThreatStackClient(
        { baseUrl: stub.url, ...identity, requestsPerMinute: 0, verifyResponses: false },
        {
          now: () => now,
          sleep: async (ms) => {
            now += ms;
          },
          random: () => 0.5,
        },
      );
      await client.selfTest();
      const attributes = authorizations.map(parseHawkAttributes);
      expect(new Set(attributes.map((a) => a.nonce)).size).toBe(3);
      // Backoff of 1 s, then 2 s (full jitter at 0.5 of 2 s and 4 s) moved the clock between attempts.
      expect(attributes.map((a) => Number(a.ts))).toEqual([1_800_000_000, 1_800_000_001, 1_800_000_003]);
      expect(attributes.every((a) => a.id === identity.userId && a.ext === identity.orgId)).toBe(true);
      await client.close();
    } finally {
      await stub.close();
    }
  });

  it('does not trust a stale-timestamp challenge whose tsm was not made with our key', async () => {
    const forged = Hawk.crypto.calculateTsMac('1900000000', {
      id: 'x',
      key: 'not-our-key',
      algorithm: 'sha256',
    });
    const stub = await startStubServer((_req, res) =>
      sendJson(
        res,
        401,
        { errors: ['Stale timestamp'] },
        {
          'www-authenticate': `Hawk ts="1900000000", tsm="${forged}", error="Stale timestamp"`,
        },
      ),
    );
    try {
      const client = stubClient(stub.url);
      const error = await vigilFailure(client.selfTest());
      expect(error.code).toBe('PROVIDER_AUTHENTICATION_ERROR');
      expect(error.message).toContain('Stale timestamp');
      expect(error.hint).toContain('clock');
      expect(client.stats).toMatchObject({ requests: 1, clockCorrections: 0 });
      await client.close();
    } finally {
      await stub.close();
    }
  });

  it('stops on an empty-string token, and fails a listing whose token repeats', async () => {
    let lastToken: string | null = '';
    const stub = await startStubServer((req, res) => {
      const hasToken = (req.url ?? '').includes('token=');
      sendJson(res, 200, {
        agents: [{ id: hasToken ? 'b' : 'a', status: 'online' }],
        token: hasToken ? lastToken : 'abc',
      });
    });
    try {
      const client = stubClient(stub.url, { verifyResponses: false });
      expect((await collectItems(client.iterateAgents('online'))).map((a) => a.id)).toEqual(['a', 'b']);
      expect(stub.seen).toEqual(['/v2/agents?status=online', '/v2/agents?status=online&token=abc']);
      lastToken = 'abc';
      const error = await vigilFailure(collectItems(client.iterateAgents('online')));
      expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
      expect(error.message).toContain('repeats one already followed');
      expect(stub.seen).toHaveLength(4);
      await client.close();
    } finally {
      await stub.close();
    }
  });

  it('names the path and the field of an item that does not match the schema', async () => {
    const stub = await startStubServer((_req, res) =>
      sendJson(res, 200, { agents: [{ id: 'a', status: 'online' }, { status: 'online' }], token: null }),
    );
    try {
      const client = stubClient(stub.url, { verifyResponses: false });
      const error = await vigilFailure(collectItems(client.iterateAgents('offline')));
      expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
      expect(error.message).toContain('GET /v2/agents?status=offline');
      expect(error.message).toContain('agents[1].id');
      await client.close();
    } finally {
      await stub.close();
    }
  });

  it('reads a 5xx text body without parsing it and reports PROVIDER_API_ERROR with the status', async () => {
    const stub = await startStubServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad Gateway</html>');
    });
    try {
      const client = stubClient(stub.url);
      const error = await vigilFailure(client.getAlert('abc'));
      expect(error.code).toBe('PROVIDER_API_ERROR');
      expect(error.details).toMatchObject({ status: 502, attempts: 2 });
      expect(error.message).toContain('502 Bad Gateway');
      expect(client.stats).toMatchObject({ requests: 2, retries: 1 });
      await client.close();
    } finally {
      await stub.close();
    }
  });
});
