import { describe, expect, it } from 'vitest';
import { collectPages, vigilFailure } from '../../../test/helpers/async.ts';
import {
  clientFor,
  failure,
  ownerList,
  START_MS,
  startTc,
  success,
} from '../../../test/helpers/threatconnect-stub.ts';

/** The client against a scripted ThreatConnect: signing what is sent, and pagination edge cases. */
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
