import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { collectPages, vigilFailure } from '../../../test/helpers/async.ts';
import { VigilError } from '../../errors.ts';
import { RETRY_AFTER_MARGIN_MS } from '../http/backoff.ts';
import {
  type LoopbackServer,
  sendJson,
  startForwardProxy,
  startStubServer,
} from '../http/testing/loopback.ts';
import { ThreatConnectClient, type ThreatConnectClientConfig } from './client.ts';
import { signature } from './signer.ts';

/**
 * The client against a scripted ThreatConnect on 127.0.0.1: paging edge cases, retries, error
 * classification and signing that the simulator does not (or not deterministically) produce.
 * The stub checks every request's signature over the raw request-target it received.
 */

const identity = { accessId: '12345678901234567890', apiKey: 'stub-secret-key-0123456789abcdef' };
const START_MS = 1_800_000_000_000;

interface Received {
  target: string;
  pathname: string;
  query: URLSearchParams;
  timestamp: string;
  signedCorrectly: boolean;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> } | 'reset' | 'truncate';
type Script = (request: Received, index: number) => Answer;

interface Stub {
  server: LoopbackServer;
  received: Received[];
}

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const closable of open.splice(0)) await closable.close();
});

async function startTc(script: Script): Promise<Stub> {
  const received: Received[] = [];
  const server = await startStubServer((req, res) => {
    const target = req.url ?? '';
    const timestamp = String(req.headers.timestamp ?? '');
    const expected = `TC ${identity.accessId}:${signature(target, req.method ?? '', Number(timestamp), identity.apiKey)}`;
    const url = new URL(target, 'http://stub');
    const request = {
      target,
      pathname: url.pathname,
      query: url.searchParams,
      timestamp,
      signedCorrectly: req.headers.authorization === expected,
    };
    received.push(request);
    const answer = request.signedCorrectly
      ? script(request, received.length - 1)
      : { status: 401, body: failure('Signature data did not match expected result') };
    if (answer === 'reset') {
      res.socket?.destroy();
    } else if (answer === 'truncate') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
      res.write('{"status":"Success","data":{"owner":[', () => res.socket?.destroy());
    } else {
      sendJson(res, answer.status, answer.body, answer.headers);
    }
  });
  open.push(server);
  return { server, received };
}

const success = (data: unknown) => ({ status: 200, body: { status: 'Success', data } });
const failure = (message: string) => ({ status: 'Failure', message });

function clientFor(stub: Stub, config: Partial<ThreatConnectClientConfig> = {}, lines?: unknown[]) {
  let now = START_MS;
  const sleeps: number[] = [];
  const logger =
    lines === undefined
      ? undefined
      : pino(
          { level: 'debug' },
          new Writable({
            write(chunk: Buffer, _encoding, done) {
              lines.push(JSON.parse(chunk.toString('utf8')));
              done();
            },
          }),
        );
  const client = new ThreatConnectClient(
    { baseUrl: stub.server.url, apiRoot: '/api', ...identity, ...config },
    {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      random: () => 0.5,
      ...(logger === undefined ? {} : { logger }),
    },
  );
  open.push(client);
  return { client, sleeps };
}

/** Serves `total` owners in id order, honouring resultStart/resultLimit, with resultCount only at 0. */
function ownerList(total: number, options: { resultCount?: boolean; maxLimit?: number } = {}): Script {
  return ({ query }) => {
    const start = Number(query.get('resultStart') ?? 0);
    const limit = Number(query.get('resultLimit') ?? 100);
    if (limit > (options.maxLimit ?? 10_000)) {
      return {
        status: 400,
        body: failure(
          `The resultStart and resultLimit query parameters must be integers and the maximum value for resultLimit is ${options.maxLimit}`,
        ),
      };
    }
    const owner = Array.from({ length: Math.max(0, Math.min(limit, total - start)) }, (_, i) => ({
      id: start + i + 1,
      name: `Owner ${start + i + 1}`,
      type: 'Community',
    }));
    const withCount = start === 0 && options.resultCount !== false;
    return success({ ...(withCount ? { resultCount: total } : {}), owner });
  };
}

describe('signing what is sent', () => {
  it('signs the exact target it sends, API root included, owner name encoded with %20', async () => {
    const stub = await startTc(() => success({ resultCount: 0, adversary: [] }));
    const { client } = clientFor(stub, { apiRoot: 'api/' });
    const owner = `Acme & Co + "Partners"/Ünïcode (EU)*`;
    expect(await collectPages(client.iterateAdversaries(owner))).toEqual({ items: [], pages: 0 });
    const [request] = stub.received;
    expect(request?.signedCorrectly).toBe(true);
    expect(request?.target).toBe(
      '/api/v2/groups/adversaries?owner=Acme%20%26%20Co%20%2B%20%22Partners%22%2F%C3%9Cn%C3%AFcode%20%28EU%29%2A' +
        '&includeTags=true&includeAttributes=true&includeAdditional=true&resultStart=0&resultLimit=10000',
    );
    expect(request?.query.get('owner')).toBe(owner);
  });

  it('puts nothing between host and /v2 when the API root is empty, and sends integer-second Timestamps', async () => {
    const stub = await startTc(() => success({ user: { userName: 'api-user', role: 'Api User' } }));
    const { client } = clientFor(stub, { apiRoot: '' });
    expect(await client.whoami()).toMatchObject({ userName: 'api-user', role: 'Api User' });
    expect(stub.received.map((r) => r.target)).toEqual(['/v2/whoami']);
    expect(stub.received[0]?.timestamp).toBe(String(START_MS / 1000));
  });

  it('signs every attempt afresh with the Timestamp of the moment it is sent', async () => {
    const stub = await startTc((_r, i) =>
      i < 2 ? { status: 503, body: failure('busy') } : success({ owner: [] }),
    );
    const { client, sleeps } = clientFor(stub);
    expect(await client.listOwners()).toEqual([]);
    expect(stub.received.every((r) => r.signedCorrectly)).toBe(true);
    // Full jitter at 0.5: 1 s after the first failure, 2 s after the second (fake time).
    expect(sleeps).toEqual([1_000, 2_000]);
    const base = START_MS / 1000;
    expect(stub.received.map((r) => Number(r.timestamp))).toEqual([base, base + 1, base + 3]);
    expect(client.stats).toMatchObject({ requests: 3, retries: 2 });
  });
});

describe('pagination', () => {
  it('reads resultCount from the first page only and stops on the short page', async () => {
    const stub = await startTc(ownerList(25));
    const { client } = clientFor(stub, { resultLimit: 10 });
    const owners = await client.listOwners();
    expect(owners.map((o) => o.id)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(stub.received.map((r) => [r.query.get('resultStart'), r.query.get('resultLimit')])).toEqual([
      ['0', '10'],
      ['10', '10'],
      ['20', '10'],
    ]);
  });

  it('stops once resultCount items are in, without asking for an empty page', async () => {
    const stub = await startTc(ownerList(20));
    const { client } = clientFor(stub, { resultLimit: 10 });
    expect(await client.listOwners()).toHaveLength(20);
    expect(stub.received).toHaveLength(2);
  });

  it('never treats a missing resultCount as 0: pages on until a short or empty page', async () => {
    const stub = await startTc(ownerList(20, { resultCount: false }));
    const { client } = clientFor(stub, { resultLimit: 10 });
    expect(await client.listOwners()).toHaveLength(20);
    expect(stub.received.map((r) => r.query.get('resultStart'))).toEqual(['0', '10', '20']);
  });

  it('ends on a short page even when resultCount promised more, and says so in the log', async () => {
    const stub = await startTc(() =>
      success({ resultCount: 30, owner: [{ id: 1, name: 'Only', type: 'Organization' }] }),
    );
    const lines: Array<Record<string, unknown>> = [];
    const { client } = clientFor(stub, { resultLimit: 10 }, lines);
    expect(await client.listOwners()).toHaveLength(1);
    expect(stub.received).toHaveLength(1);
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, read: 1, resultCount: 30 }));
  });

  it('reads a missing array key as an empty page', async () => {
    const stub = await startTc(() => success({ resultCount: 0 }));
    const { client } = clientFor(stub);
    expect(await client.listOwners()).toEqual([]);
    expect(await collectPages(client.iterateAdversaryThreats(7))).toEqual({ items: [], pages: 0 });
    expect(stub.received).toHaveLength(2);
  });

  it('falls back to resultLimit=500 once on the documented 400, and keeps 500 afterwards', async () => {
    const stub = await startTc(ownerList(1_200, { maxLimit: 500 }));
    const lines: Array<Record<string, unknown>> = [];
    const { client } = clientFor(stub, {}, lines);
    expect(await client.listOwners()).toHaveLength(1_200);
    expect(await client.listOwners()).toHaveLength(1_200);
    expect(stub.received.map((r) => `${r.query.get('resultStart')}/${r.query.get('resultLimit')}`)).toEqual([
      '0/10000',
      '0/500',
      '500/500',
      '1000/500',
      '0/500',
      '500/500',
      '1000/500',
    ]);
    expect(client.stats).toMatchObject({ paginationFallbacks: 1, requests: 7, retries: 0 });
    expect(lines.some((line) => String(line.msg).includes('resultLimit=500'))).toBe(true);
  });

  it('does not fall back twice: a pagination 400 at 500 is an error naming the vendor message', async () => {
    const stub = await startTc(ownerList(10, { maxLimit: 100 }));
    const { client } = clientFor(stub);
    const error = await vigilFailure(client.listOwners());
    expect(error.code).toBe('PROVIDER_API_ERROR');
    expect(error.message).toContain('400 Bad Request');
    expect(error.message).toContain('the maximum value for resultLimit is 100');
    expect(stub.received.map((r) => r.query.get('resultLimit'))).toEqual(['10000', '500']);
    expect(client.stats.paginationFallbacks).toBe(1);
  });

  it('refuses a server that ignores resultStart instead of looping forever', async () => {
    const stub = await startTc(() => success({ owner: [{ id: 1, name: 'Same', type: 'Organization' }] }));
    const { client } = clientFor(stub, { resultLimit: 1 });
    const error = await vigilFailure(client.listOwners());
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain('repeats the previous page');
    expect(stub.received).toHaveLength(2);
  });

  it('turns ids sent as strings into numbers and keeps unknown fields', async () => {
    const stub = await startTc(() =>
      success({
        resultCount: '1',
        adversary: [
          {
            id: '3093',
            name: 'APT-Example One',
            ownerName: 'Common Community',
            tag: [{ name: 'T1566 - Phishing', webLink: 'https://x/auth/tags/tag.xhtml?tag=Phishing' }],
            attribute: [{ id: '77', type: 'Description', value: 'text', displayed: true }],
            upVoteCount: 3,
          },
        ],
      }),
    );
    const { client } = clientFor(stub);
    const { items } = await collectPages(client.iterateAdversaries('Common Community'));
    expect(items).toEqual([
      expect.objectContaining({ id: 3093, upVoteCount: 3, attribute: [expect.objectContaining({ id: 77 })] }),
    ]);
  });

  it('names the path and field of an item that does not match the schema', async () => {
    const stub = await startTc(() =>
      success({ owner: [{ id: 1, name: 'A', type: 'Organization' }, { id: 'x' }] }),
    );
    const { client } = clientFor(stub);
    const error = await vigilFailure(client.listOwners());
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain('GET /api/v2/owners?resultStart=0&resultLimit=10000');
    expect(error.message).toContain('data.owner[1].id');
  });
});

describe('retries', () => {
  it('waits Retry-After seconds plus a margin after a 429, and counts it', async () => {
    const stub = await startTc((_r, i) =>
      i === 0
        ? { status: 429, body: failure('Too many requests'), headers: { 'retry-after': '7' } }
        : success({ owner: [] }),
    );
    const { client, sleeps } = clientFor(stub);
    await client.listOwners();
    expect(sleeps).toEqual([7_000 + RETRY_AFTER_MARGIN_MS]);
    expect(client.stats).toMatchObject({ requests: 2, retries: 1, rateLimited: 1 });
  });

  it('reports PROVIDER_RATE_LIMITED with retryAfterMs when every attempt is refused', async () => {
    const stub = await startTc(() => ({
      status: 429,
      body: failure('Too many requests'),
      headers: { 'retry-after': '2' },
    }));
    const { client } = clientFor(stub, { maxAttempts: 3 });
    const error = await vigilFailure(client.whoami());
    expect(error.code).toBe('PROVIDER_RATE_LIMITED');
    expect(error.details).toMatchObject({ retryAfterMs: 2_000, attempts: 3 });
    expect(error.message).toContain('Too many requests');
  });

  it.each([500, 502, 503, 504])('retries %i until the answer is final', async (status) => {
    const stub = await startTc((_r, i) =>
      i < 2 ? { status, body: failure('oops') } : success({ owner: [] }),
    );
    const { client } = clientFor(stub);
    await client.listOwners();
    expect(client.stats).toMatchObject({ requests: 3, retries: 2 });
  });

  it('retries a reset connection and a truncated body, each a fresh signed attempt', async () => {
    const stub = await startTc((_r, i) =>
      i === 0 ? 'reset' : i === 1 ? 'truncate' : success({ owner: [] }),
    );
    const { client } = clientFor(stub);
    expect(await client.listOwners()).toEqual([]);
    expect(client.stats).toMatchObject({ requests: 3, retries: 2 });
    expect(stub.received.every((r) => r.signedCorrectly)).toBe(true);
    expect(new Set(stub.received.map((r) => r.timestamp)).size).toBe(3);
  });

  it('reports PROVIDER_NETWORK_ERROR when every attempt fails below HTTP', async () => {
    const stub = await startTc(() => 'reset');
    const { client } = clientFor(stub, { maxAttempts: 2 });
    const error = await vigilFailure(client.whoami());
    expect(error.code).toBe('PROVIDER_NETWORK_ERROR');
    expect(error.details).toMatchObject({ reason: 'connection', attempts: 2 });
    expect(error.hint).toContain(stub.server.url);
  });

  it('keeps to requestsPerMinute, waiting with the injected sleep', async () => {
    const stub = await startTc(() => success({ user: { userName: 'u' } }));
    const { client, sleeps } = clientFor(stub, { requestsPerMinute: 2 });
    for (let i = 0; i < 3; i++) await client.whoami();
    expect(sleeps).toEqual([60_000]);
    expect(client.stats).toMatchObject({ requests: 3, retries: 0 });
  });

  it.each([400, 401, 403, 404, 409])('never retries a %i', async (status) => {
    const stub = await startTc(() => ({ status, body: failure('no') }));
    const { client } = clientFor(stub);
    await expect(client.whoami()).rejects.toBeInstanceOf(VigilError);
    expect(client.stats).toMatchObject({ requests: 1, retries: 0 });
  });
});

describe('errors', () => {
  it('treats a 2xx whose status is not "Success" as a failure with the vendor message', async () => {
    const stub = await startTc(() => ({ status: 200, body: failure('Something is off') }));
    const { client } = clientFor(stub);
    const error = await vigilFailure(client.whoami());
    expect(error.code).toBe('PROVIDER_API_ERROR');
    expect(error.message).toContain('status "Failure" (Something is off)');
  });

  it('refuses a 2xx that is not the documented envelope', async () => {
    const stub = await startTc(() => ({ status: 200, body: { data: { user: { userName: 'x' } } } }));
    const { client } = clientFor(stub);
    expect((await vigilFailure(client.whoami())).code).toBe('PROVIDER_RESPONSE_INVALID');
  });

  it.each([
    [401, 'Signature data did not match expected result', 'TC_API_KEY'],
    [401, 'Timestamp out of acceptable time range', 'clock'],
    [403, 'Timestamp out of acceptable time range', 'clock'],
    [403, 'Signature data did not match expected result', 'TC_ACCESS_ID'],
    [403, 'Access Denied', 'TC_ACCESS_ID'],
    [401, 'Unauthorized', 'TC_ACCESS_ID'],
  ])('classifies %i %j as PROVIDER_AUTHENTICATION_ERROR', async (status, message, hint) => {
    const stub = await startTc(() => ({ status, body: failure(message) }));
    const { client } = clientFor(stub);
    const error = await vigilFailure(client.whoami());
    expect(error.code).toBe('PROVIDER_AUTHENTICATION_ERROR');
    expect(error.message).toContain(message);
    expect(error.hint).toContain(hint);
    expect(stub.received).toHaveLength(1);
  });

  it.each([
    ['Access Denied', "may not read the ThreatConnect owner 'Partner Feed'"],
    ['The requested owner was not found', "has no owner named 'Partner Feed'"],
  ])(
    'classifies 403 %j on an owner-scoped call as PROVIDER_PERMISSION_ERROR naming the owner',
    async (message, lead) => {
      const stub = await startTc(() => ({ status: 403, body: failure(message) }));
      const { client } = clientFor(stub);
      const error = await vigilFailure(collectPages(client.iterateAdversaries('Partner Feed')));
      expect(error.code).toBe('PROVIDER_PERMISSION_ERROR');
      expect(error.message).toContain(lead);
      expect(error.message).toContain(`(${message})`);
      expect(error.hint).toContain('Partner Feed');
    },
  );

  it('reports 404 on a single object as PROVIDER_NOT_FOUND, but a vanished parent as an empty list', async () => {
    const stub = await startTc(() => ({
      status: 404,
      body: failure('The requested resource was not found'),
    }));
    const { client } = clientFor(stub);
    const error = await vigilFailure(client.getAdversary(42));
    expect(error.code).toBe('PROVIDER_NOT_FOUND');
    expect(error.message).toContain('GET /api/v2/groups/adversaries/42?includeAdditional=true');
    expect(error.message).toContain('The requested resource was not found');
    expect(await collectPages(client.iterateAdversaryThreats(42, 'Common Community'))).toEqual({
      items: [],
      pages: 0,
    });
    expect(await client.listThreatTags(9)).toEqual([]);
    expect(await client.listAdversaryTags(42)).toEqual([]);
    expect(await client.listAdversaryAttributes(42)).toEqual([]);
    expect(stub.received.map((r) => r.pathname)).toEqual([
      '/api/v2/groups/adversaries/42',
      '/api/v2/groups/adversaries/42/groups/threats',
      '/api/v2/groups/threats/9/tags',
      '/api/v2/groups/adversaries/42/tags',
      '/api/v2/groups/adversaries/42/attributes',
    ]);
  });

  it('never lets the API key into a message, hint or log line, even when the server echoes it', async () => {
    const stub = await startTc((_r, i) =>
      i === 0
        ? { status: 500, body: failure('boom') }
        : { status: 401, body: failure(`bad key ${identity.apiKey}`) },
    );
    const lines: unknown[] = [];
    const { client } = clientFor(stub, {}, lines);
    const error = await vigilFailure(client.whoami());
    expect(error.code).toBe('PROVIDER_AUTHENTICATION_ERROR');
    expect(error.message).toContain('[redacted]');
    expect(lines.length).toBeGreaterThan(0);
    expect(`${error.message} ${error.hint} ${JSON.stringify(lines)}`).not.toContain(identity.apiKey);
  });

  it('rejects a base URL with a path, pointing at apiRoot, without echoing anything', () => {
    expect(
      () =>
        new ThreatConnectClient({ baseUrl: 'https://acme.threatconnect.com/api', apiRoot: '', ...identity }),
    ).toThrow(/baseUrl must be protocol:\/\/host\[:port\]/);
    const error = (() => {
      try {
        new ThreatConnectClient({ baseUrl: 'https://x', apiRoot: '/a b', accessId: '', apiKey: '' });
      } catch (caught) {
        return caught as VigilError;
      }
      throw new Error('expected CONFIG_INVALID');
    })();
    expect(error.code).toBe('CONFIG_INVALID');
    for (const field of ['apiRoot', 'accessId', 'apiKey']) expect(error.message).toContain(field);
  });

  it('refuses an id that is not a non-negative integer before sending anything', async () => {
    const stub = await startTc(() => success({}));
    const { client } = clientFor(stub);
    expect((await vigilFailure(client.getAdversary(1.5))).code).toBe('INPUT_INVALID');
    expect(stub.received).toHaveLength(0);
  });
});

describe('proxy', () => {
  it('sends every request through the configured forward proxy, with its credentials', async () => {
    const stub = await startTc(ownerList(3));
    const proxy = await startForwardProxy();
    open.push(proxy);
    const { client } = clientFor(stub, {
      proxy: proxy.url.replace('http://', 'http://scanner:s3cret@'),
      resultLimit: 2,
    });
    expect(await client.listOwners()).toHaveLength(3);
    expect(proxy.seen).toEqual([
      `${stub.server.url}/api/v2/owners?resultStart=0&resultLimit=2`,
      `${stub.server.url}/api/v2/owners?resultStart=2&resultLimit=2`,
    ]);
    expect(
      proxy.authorizations.every((a) => a === `Basic ${Buffer.from('scanner:s3cret').toString('base64')}`),
    ).toBe(true);
    expect(stub.received.every((r) => r.signedCorrectly)).toBe(true);
  });
});
