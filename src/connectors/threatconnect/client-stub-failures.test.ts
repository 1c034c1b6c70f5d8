import { describe, expect, it } from 'vitest';
import { collectPages, vigilFailure } from '../../../test/helpers/async.ts';
import {
  clientFor,
  closeAfterTest,
  failure,
  identity,
  ownerList,
  startTc,
  success,
} from '../../../test/helpers/threatconnect-stub.ts';
import { VigilError } from '../../errors.ts';
import { RETRY_AFTER_MARGIN_MS } from '../http/backoff.ts';
import { startForwardProxy } from '../http/testing/loopback.ts';
import { ThreatConnectClient } from './client.ts';

/** The client against a scripted ThreatConnect: retries, error classification and the proxy. */
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
    closeAfterTest(proxy);
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
