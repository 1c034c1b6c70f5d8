import { afterEach, describe, expect, it } from 'vitest';
import { describeWait, type WaitEvent } from '../../src/connectors/http/waits.ts';
import { ThreatStackClient, type ThreatStackClientConfig } from '../../src/connectors/threatstack/client.ts';
import { collectItems, vigilFailure } from '../helpers/async.ts';
import {
  deeplyNested,
  type HostileScript,
  type HostileVendor,
  hostileThreatStack,
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

/** A client of the hostile vendor whose `sleep` records each wait and moves a fake clock. */
function clientOf(server: HostileVendor, config: Partial<ThreatStackClientConfig> = {}) {
  const clock = new FakeClock();
  const sleeps: number[] = [];
  const waits: WaitEvent[] = [];
  const client = new ThreatStackClient(
    { baseUrl: server.url, ...hostileThreatStack, requestsPerMinute: 0, ...config },
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

const agent = (id: string) => ({ id, status: 'online' });

describe('Threat Stack client against a hostile vendor: listings', () => {
  it('fails a listing whose page token cycles (A → B → A) instead of ending it as complete', async () => {
    const next: Record<string, string> = { '': 'A', A: 'B', B: 'A' };
    const server = await vendor(({ query }) => {
      const token = query.get('token') ?? '';
      return { json: { agents: [agent(`agent-${token}`)], token: next[token] } };
    });
    const { client } = clientOf(server);
    const error = await vigilFailure(collectItems(client.iterateAgents('online')));
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain('the next page token repeats one already followed');
    expect(server.requests).toHaveLength(3);
  });

  it('fails the CVE listing too when its token cycles', async () => {
    const server = await vendor(({ query }) => ({
      json: {
        cves: [{ cveNumber: `CVE-${query.get('token') ?? 0}` }],
        token: query.get('token') ? 'A' : 'A',
      },
    }));
    const { client } = clientOf(server);
    const error = await vigilFailure(collectItems(client.iterateVulnerabilities()));
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(server.requests).toHaveLength(2);
  });

  it('fails a listing that pages endlessly once it passes maxPagesPerListing', async () => {
    const server = await vendor(({ index }) => ({
      json: { agents: [agent(`a${index}`)], token: `t${index}` },
    }));
    const { client } = clientOf(server, { maxPagesPerListing: 25 });
    const error = await vigilFailure(collectItems(client.iterateAgents('online')));
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain('did not end after more than 25 pages');
    expect(server.requests).toHaveLength(26);
  });

  it('fails a listing that passes maxItemsPerListing', async () => {
    const server = await vendor(({ index }) => ({
      json: { agents: Array.from({ length: 10 }, (_, i) => agent(`a${index}-${i}`)), token: `t${index}` },
    }));
    const { client } = clientOf(server, { maxItemsPerListing: 35 });
    const error = await vigilFailure(collectItems(client.iterateAgents('online')));
    expect(error.message).toContain('more than 35 items');
    expect(server.requests).toHaveLength(4);
  });

  it('refuses a page token holding a lone surrogate with a coded error', async () => {
    const server = await vendor(() => ({
      raw: '{"agents":[{"id":"a","status":"online"}],"token":"x\\ud800"}',
    }));
    const { client } = clientOf(server);
    const error = await vigilFailure(collectItems(client.iterateAgents('online')));
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain('lone surrogate');
  });

  it('reads a page of 130 000 alert events without overflowing the stack', async () => {
    const events = Array.from({ length: 130_000 }, (_, i) => ({
      id: `e${i}`,
      timestamp: '2026-01-01T00:00:00Z',
      eventType: 'audit',
    }));
    const server = await vendor(() => ({ json: { events, token: null } }));
    const { client } = clientOf(server);
    expect(await client.listAlertEvents('alert-1')).toHaveLength(130_000);
  });
});

describe('Threat Stack client against a hostile vendor: bodies', () => {
  it('stops reading an endless body at maxResponseBytes and does not retry it', async () => {
    const server = await vendor(() => ({
      endless: { prefix: '{"agents":[', chunk: '{"id":"a","status":"online"},' },
    }));
    const { client } = clientOf(server, { maxResponseBytes: 1024 * 1024 });
    const error = await vigilFailure(collectItems(client.iterateAgents('online')));
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain('the response body exceeded 1 MiB');
    expect(server.requests).toHaveLength(1);
    expect(client.stats.retries).toBe(0);
  });

  it('applies maxVulnerabilityPageBytes to the element-wise CVE listing', async () => {
    const server = await vendor(() => ({
      endless: { prefix: '{"cves":[', chunk: '{"cveNumber":"CVE-1"},' },
    }));
    const { client } = clientOf(server, { maxVulnerabilityPageBytes: 2 * 1024 * 1024 });
    const error = await vigilFailure(collectItems(client.iterateVulnerabilities()));
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain('the response body exceeded 2 MiB');
  });

  it('refuses a signed page with one huge field above the limit, from its Content-Length', async () => {
    const server = await vendor(() => ({
      json: {
        agents: [{ id: 'a', status: 'online', description: 'x'.repeat(3 * 1024 * 1024) }],
        token: null,
      },
    }));
    const { client } = clientOf(server, { maxResponseBytes: 1024 * 1024 });
    const error = await vigilFailure(collectItems(client.iterateAgents('online')));
    expect(error.message).toContain('the response body exceeded 1 MiB');
  });

  it('refuses an agent nested 5 000 levels deep before parsing it', async () => {
    const raw = `{"agents":[{"id":"a","status":"online","extra":${deeplyNested(5_000)}}],"token":null}`;
    const server = await vendor(() => ({ raw }));
    const { client } = clientOf(server);
    const error = await vigilFailure(collectItems(client.iterateAgents('online')));
    expect(error.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(error.message).toContain('nests deeper than 64 levels');
  });

  it('refuses deep nesting in the element-wise CVE listing', async () => {
    const raw = `{"cves":[{"cveNumber":"CVE-1","extra":${deeplyNested(200)}}],"token":null}`;
    const server = await vendor(() => ({ raw }));
    const { client } = clientOf(server);
    const error = await vigilFailure(collectItems(client.iterateVulnerabilities()));
    expect(error.message).toContain('nests deeper than 64 levels');
  });
});

describe('Threat Stack client against a hostile vendor: waits and refusals', () => {
  it('fails at once with PROVIDER_RATE_LIMITED when x-rate-limit-reset asks for 600 000 ms', async () => {
    const server = await vendor(() => ({
      status: 429,
      headers: { 'x-rate-limit-reset': '600000' },
      json: { errors: ['Too Many Requests'] },
    }));
    const { client, sleeps } = clientOf(server);
    const error = await vigilFailure(collectItems(client.iterateAgents('online')));
    expect(error.code).toBe('PROVIDER_RATE_LIMITED');
    expect(error.details.retryAfterMs).toBe(600_000);
    expect(error.message).toContain('more than the 120 s allowed for one wait');
    expect(sleeps).toEqual([]);
    expect(client.stats).toMatchObject({ rateLimited: 1, rateLimitWaitMs: 0 });
  });

  it('caps the total time one listing waits on 429s, and reports each wait as the vendor’s', async () => {
    const server = await vendor(({ index }) =>
      index % 2 === 0
        ? { status: 429, headers: { 'x-rate-limit-reset': '100000' }, json: { errors: ['slow down'] } }
        : { json: { agents: [agent(`a${index}`)], token: `t${index}` } },
    );
    const { client, waits } = clientOf(server, { maxTotalRateLimitWaitMs: 250_000 });
    const error = await vigilFailure(collectItems(client.iterateAgents('online')));
    expect(error.code).toBe('PROVIDER_RATE_LIMITED');
    expect(error.message).toContain('would exceed the 250 s allowed in all for one listing');
    expect(waits.map((w) => w.reason)).toEqual(['rate-limit', 'rate-limit']);
    expect(describeWait(waits[0] as WaitEvent)).toBe("waiting 101 s for the vendor's rate limit");
    expect(client.stats).toMatchObject({ rateLimited: 3, rateLimitWaitMs: 200_500, budgetWaits: 0 });
  });

  it('tells budget waits apart from the vendor’s rate limit', async () => {
    const server = await vendor(() => ({ json: { authenticated: true } }));
    const { client, waits } = clientOf(server, { requestsPerMinute: 1 });
    await client.selfTest();
    await client.selfTest();
    expect(waits.map((w) => w.reason)).toEqual(['budget']);
    expect(describeWait(waits[0] as WaitEvent)).toBe('waiting 60 s for the request budget');
    expect(client.stats).toMatchObject({ rateLimited: 0, budgetWaits: 1, budgetWaitMs: 60_000 });
  });

  it.each([401, 403])('fails a %i after one request, without retrying', async (status) => {
    const server = await vendor(() => ({ status, json: { errors: ['no'] } }));
    const { client, sleeps } = clientOf(server);
    const error = await vigilFailure(client.selfTest());
    expect(error.code).toBe(status === 401 ? 'PROVIDER_AUTHENTICATION_ERROR' : 'PROVIDER_PERMISSION_ERROR');
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});
