import { afterEach, describe, expect, it } from 'vitest';
import type { WaitEvent } from '../../src/connectors/http/waits.ts';
import {
  ThreatConnectClient,
  type ThreatConnectClientConfig,
} from '../../src/connectors/threatconnect/client.ts';
import { collectItems, vigilFailure } from '../helpers/async.ts';
import {
  deeplyNested,
  type HostileScript,
  type HostileVendor,
  hostileThreatConnect,
  startHostileVendor,
} from '../helpers/hostile-vendor.ts';
import { FakeClock } from '../helpers/threatstack.ts';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const closable of open.splice(0).reverse()) await closable.close();
});

async function vendor(script: HostileScript): Promise<HostileVendor> {
  const started = await startHostileVendor(script);
  open.push(started);
  return started;
}

function clientOf(server: HostileVendor, config: Partial<ThreatConnectClientConfig> = {}) {
  const clock = new FakeClock();
  const sleeps: number[] = [];
  const waits: WaitEvent[] = [];
  const client = new ThreatConnectClient(
    { baseUrl: server.url, apiRoot: '', ...hostileThreatConnect, ...config },
    {
      now: clock.now,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      random: () => 0.5,
      onWait: (event) => waits.push(event),
    },
  );
  open.push(client);
  return { client, sleeps, waits };
}

const success = (data: unknown) => ({ json: { status: 'Success', data } });
const adversary = (id: number) => ({ id, name: `Adversary ${id}`, dateAdded: '2026-01-01T00:00:00Z' });

describe('ThreatConnect client against a hostile vendor: counts and pages', () => {
  it('fails when resultCount is 80 but the answer carries no list (not an empty account)', async () => {
    const server = await vendor(() => success({ resultCount: 80 }));
    const { client } = clientOf(server);
    const error = await vigilFailure(collectItems(client.iterateAdversaries('Acme')));
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain(
      'resultCount says 80 items but the page at resultStart=0 has no "adversary" list',
    );
  });

  it('fails when resultCount is 80 but the list is empty', async () => {
    const server = await vendor(() => success({ resultCount: 80, adversary: [] }));
    const { client } = clientOf(server);
    const error = await vigilFailure(collectItems(client.iterateAdversaries('Acme')));
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain('lists none in "adversary"');
  });

  it('still reads a truly empty account (resultCount 0, with or without the list) as empty', async () => {
    const server = await vendor(({ index }) =>
      success(index === 0 ? { resultCount: 0 } : { resultCount: 0, adversary: [] }),
    );
    const { client } = clientOf(server);
    expect(await collectItems(client.iterateAdversaries('Acme'))).toEqual([]);
    expect(await collectItems(client.iterateAdversaries('Acme'))).toEqual([]);
  });

  it('fails a listing that pages endlessly once it passes maxItemsPerListing', async () => {
    const server = await vendor(({ query }) => {
      const start = Number(query.get('resultStart'));
      return success({ adversary: [adversary(start + 1), adversary(start + 2)] });
    });
    const { client } = clientOf(server, { resultLimit: 2, maxItemsPerListing: 20 });
    const error = await vigilFailure(collectItems(client.iterateAdversaries('Acme')));
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain('did not end after more than 20 items');
    expect(server.requests).toHaveLength(11);
  });

  it('reads a page of 130 000 owners without overflowing the stack', async () => {
    const owner = (i: number) => ({ id: i + 1, name: `Owner ${i}`, type: 'Organization' });
    const server = await vendor(() =>
      success({ resultCount: 130_000, owner: Array.from({ length: 130_000 }, (_, i) => owner(i)) }),
    );
    const { client } = clientOf(server, { resultLimit: 10_000 });
    expect(await client.listOwners()).toHaveLength(130_000);
  });
});

describe('ThreatConnect client against a hostile vendor: bodies and waits', () => {
  it('stops reading an endless body at maxResponseBytes', async () => {
    const server = await vendor(() => ({
      endless: { prefix: '{"status":"Success","data":{"owner":[', chunk: '{"id":1},' },
    }));
    const { client } = clientOf(server, { maxResponseBytes: 1024 * 1024 });
    const error = await vigilFailure(client.listOwners());
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain('the response body exceeded 1 MiB');
    expect(server.requests).toHaveLength(1);
  });

  it('refuses an adversary nested 5 000 levels deep before parsing it', async () => {
    const raw = `{"status":"Success","data":{"resultCount":1,"adversary":[{"id":1,"name":"x","extra":${deeplyNested(5_000)}}]}}`;
    const server = await vendor(() => ({ raw }));
    const { client } = clientOf(server);
    const error = await vigilFailure(collectItems(client.iterateAdversaries('Acme')));
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain('nests deeper than 64 levels');
  });

  it('fails at once with PROVIDER_RATE_LIMITED when Retry-After asks for 999 999 s', async () => {
    const server = await vendor(() => ({
      status: 429,
      headers: { 'retry-after': '999999' },
      json: { status: 'Failure' },
    }));
    const { client, sleeps, waits } = clientOf(server);
    const error = await vigilFailure(client.whoami());
    expect(error.code).toBe('PROVIDER_RATE_LIMITED');
    expect(error.details.retryAfterMs).toBe(999_999_000);
    expect(error.message).toContain('allowed for one wait');
    expect(sleeps).toEqual([]);
    expect(waits).toEqual([]);
  });

  it('waits out a reasonable Retry-After and says so', async () => {
    const server = await vendor(({ index }) =>
      index === 0
        ? { status: 429, headers: { 'retry-after': '30' }, json: { status: 'Failure' } }
        : success({ user: { userName: 'api-user' } }),
    );
    const { client, waits } = clientOf(server);
    await client.whoami();
    expect(waits).toEqual([{ reason: 'rate-limit', ms: 30_250, method: 'GET', path: '/v2/whoami' }]);
    expect(client.stats).toMatchObject({ rateLimited: 1, rateLimitWaitMs: 30_250 });
  });

  it.each([401, 403])('fails a %i after one request, without retrying', async (status) => {
    const server = await vendor(() => ({ status, json: { status: 'Failure', message: 'Access Denied' } }));
    const { client, sleeps } = clientOf(server);
    await vigilFailure(client.whoami());
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});
