import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPages, vigilFailure } from '../../../test/helpers/async.ts';
import { admin, type SimHarness, startSim } from '../../../test/helpers/threatstack.ts';
import { ThreatStackClient, type ThreatStackClientConfig } from './client.ts';

interface Stats {
  agents: { online: number; offline: number; total: number };
  ec2: { total: number; monitored: number; unmonitored: number };
  cves: { total: number; suppressed: number };
  findings: number;
  alerts: { total: number; active: number; dismissed: number; since?: { active: number; dismissed: number } };
  requests: { total: number; byStatus: Record<string, number> };
}
interface Credentials {
  organizations: Array<{ id: string }>;
  users: Array<{ persona: string; userId: string; apiKey: string }>;
}

/** A dispatcher that records the exact request target of every request it carries. */
function recordingDispatcher(paths: string[]): Dispatcher {
  return new Agent().compose((dispatch) => (options, handler) => {
    paths.push(options.path);
    return dispatch(options, handler);
  });
}

const simStats = async (h: SimHarness, query = '') =>
  (await admin<Stats>(h.sim.url, 'GET', `/_sim/stats${query}`)).json;

function clientFor(h: SimHarness, config: Partial<ThreatStackClientConfig> = {}): ThreatStackClient {
  return new ThreatStackClient(
    { baseUrl: h.sim.url, ...h.identity, requestsPerMinute: 0, ...config },
    {
      now: h.clock.now,
      sleep: async (ms) => h.clock.advance(ms),
      random: () => 0.5,
    },
  );
}

describe('ThreatStackClient against the simulator: pagination', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim({ agents: 250, offlineRatio: 0 });
  });
  afterAll(() => h.close());

  it('lists 250 online agents in exactly 3 requests, repeating the filters with each token', async () => {
    const paths: string[] = [];
    const dispatcher = recordingDispatcher(paths);
    const client = clientFor(h, { dispatcher });
    const before = await simStats(h);
    const { items, pages } = await collectPages(client.iterateAgents('online'));
    expect(items).toHaveLength(250);
    expect(new Set(items.map((a) => a.id)).size).toBe(250);
    expect(pages).toBe(3);
    expect(client.stats.requests).toBe(3);
    expect((await simStats(h)).requests.total - before.requests.total).toBe(3);
    expect(paths[0]).toBe('/v2/agents?status=online');
    expect(paths[1]).toMatch(/^\/v2\/agents\?status=online&token=[A-Za-z0-9_.-]+$/);
    expect(paths[2]).toMatch(/^\/v2\/agents\?status=online&token=[A-Za-z0-9_.-]+$/);
    await client.close();
    await dispatcher.close();
  });
});

describe('ThreatStackClient against the simulator: every list equals the ground truth', () => {
  let h: SimHarness;
  let client: ThreatStackClient;
  let stats: Stats;
  beforeAll(async () => {
    h = await startSim({ agents: 230, cves: 150, alerts: 260 });
    client = clientFor(h);
    stats = await simStats(h);
  });
  afterAll(async () => {
    await client.close();
    await h.close();
  });

  it('passes the Hawk self-test', async () => {
    await expect(client.selfTest()).resolves.toBeUndefined();
  });

  it('lists online and offline agents', async () => {
    const online = await collectPages(client.iterateAgents('online'));
    const offline = await collectPages(client.iterateAgents('offline'));
    expect(online.items).toHaveLength(stats.agents.online);
    expect(offline.items).toHaveLength(stats.agents.offline);
    expect(online.items.every((a) => a.status === 'online')).toBe(true);
    expect(offline.items.every((a) => a.status === 'offline')).toBe(true);
    expect(new Set([...online.items, ...offline.items].map((a) => a.id)).size).toBe(stats.agents.total);
  });

  it('lists monitored and unmonitored EC2 instances', async () => {
    const { items } = await collectPages(client.iterateEc2Instances());
    expect(items).toHaveLength(stats.ec2.total);
    expect(items.filter((i) => i.monitored === true)).toHaveLength(stats.ec2.monitored);
    expect(new Set(items.map((i) => i.id)).size).toBe(stats.ec2.total);
  });

  it('lists CVEs, and the vulnerable servers of each matches its agents[]', async () => {
    const { items: cves } = await collectPages(client.iterateVulnerabilities());
    expect(cves).toHaveLength(stats.cves.total);
    expect(cves.filter((c) => c.isSuppressed)).toHaveLength(stats.cves.suppressed);
    let findings = 0;
    for (const cve of cves) {
      const { items: servers } = await collectPages(client.iterateVulnerableServers(cve.cveNumber));
      expect(servers.map((s) => s.agentId).sort()).toEqual((cve.agents ?? []).map((a) => a.agentId).sort());
      findings += servers.length;
    }
    expect(findings).toBe(stats.findings);
  });

  it('yields no pages of vulnerable servers for an unknown CVE (404)', async () => {
    expect(await collectPages(client.iterateVulnerableServers('CVE-1900-0001'))).toEqual({
      items: [],
      pages: 0,
    });
  });

  it('lists active and dismissed alerts, and filters by time', async () => {
    const active = await collectPages(client.iterateAlerts({ status: 'active' }));
    const dismissed = await collectPages(client.iterateAlerts({ status: 'dismissed' }));
    expect(active.items).toHaveLength(stats.alerts.active);
    expect(dismissed.items).toHaveLength(stats.alerts.dismissed);
    expect(active.pages).toBe(Math.ceil(stats.alerts.active / 100));
    const created = active.items.map((a) => Date.parse(a.createdAt));
    expect(created).toEqual([...created].sort((a, b) => a - b));

    const from = new Date(created[Math.floor(created.length / 2)] ?? 0);
    const since = await simStats(h, `?alertsSince=${from.toISOString()}`);
    const activeSince = await collectPages(
      client.iterateAlerts({ status: 'active', from, until: new Date(h.clock.now()) }),
    );
    const dismissedSince = await collectPages(client.iterateAlerts({ status: 'dismissed', from }));
    expect(activeSince.items).toHaveLength(since.alerts.since?.active ?? -1);
    expect(dismissedSince.items).toHaveLength(since.alerts.since?.dismissed ?? -1);
    expect(activeSince.items.every((a) => Date.parse(a.createdAt) >= from.getTime())).toBe(true);
  });

  it('gets one alert and its events; unknown alerts are PROVIDER_NOT_FOUND and have no events', async () => {
    const { items } = await collectPages(client.iterateAlerts({ status: 'active' }));
    const listed = items[0];
    if (!listed) throw new Error('the simulator has no active alert');
    expect(await client.getAlert(listed.id)).toEqual(listed);
    const events = await client.listAlertEvents(listed.id);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => typeof e.timestamp === 'string' && typeof e.eventType === 'string')).toBe(
      true,
    );

    expect(await client.listAlertEvents('000000000000000000000000')).toEqual([]);
    const missing = await vigilFailure(client.getAlert('000000000000000000000000'));
    expect(missing.code).toBe('PROVIDER_NOT_FOUND');
    expect(missing.message).toContain('GET /v2/alerts/000000000000000000000000');
    expect(missing.message).toContain('404');
  });

  it('dismisses an alert with a signed JSON body (payload hash)', async () => {
    const { items } = await collectPages(client.iterateAlerts({ status: 'active' }));
    const target = items[items.length - 1];
    if (!target) throw new Error('the simulator has no active alert');
    await client.dismissAlerts({ ids: [target.id], dismissReason: 'MAINTENANCE' });
    const after = await client.getAlert(target.id);
    expect(after.isDismissed).toBe(true);
    expect(after.dismissReason).toBe('MAINTENANCE');
  });
});

describe('ThreatStackClient against the simulator: credentials and permissions', () => {
  let h: SimHarness;
  let credentials: Credentials;
  beforeAll(async () => {
    h = await startSim({ agents: 20 });
    credentials = (await admin<Credentials>(h.sim.url, 'GET', '/_sim/credentials')).json;
  });
  afterAll(() => h.close());

  const persona = (name: string) => {
    const user = credentials.users.find((u) => u.persona === name);
    if (!user) throw new Error(`no persona ${name}`);
    return user;
  };

  it('fails a wrong key with PROVIDER_AUTHENTICATION_ERROR after exactly one request', async () => {
    const wrongKey = 'wrong-key-0123456789abcdef';
    const client = clientFor(h, { apiKey: wrongKey });
    const before = await simStats(h);
    const error = await vigilFailure(collectPages(client.iterateAgents('online')));
    expect(error.code).toBe('PROVIDER_AUTHENTICATION_ERROR');
    expect(error.message).toContain('GET /v2/agents?status=online');
    expect(error.message).toContain('401');
    expect(error.message).toContain('Bad mac');
    expect(error.hint).toContain('TS_API_KEY');
    expect(client.stats).toMatchObject({ requests: 1, retries: 0, rateLimited: 0, clockCorrections: 0 });
    expect((await simStats(h)).requests.total - before.requests.total).toBe(1);
    for (const text of [error.message, error.hint ?? '', JSON.stringify(error.toJSON())]) {
      expect(text).not.toContain(wrongKey);
      expect(text).not.toContain(h.identity.apiKey);
    }
    await client.close();
  });

  it('fails a revoked member with PROVIDER_PERMISSION_ERROR, though its self-test passes', async () => {
    const former = persona('former');
    const client = clientFor(h, { userId: former.userId, apiKey: former.apiKey });
    await expect(client.selfTest()).resolves.toBeUndefined();
    const error = await vigilFailure(collectPages(client.iterateAgents('online')));
    expect(error.code).toBe('PROVIDER_PERMISSION_ERROR');
    expect(error.message).toContain('403');
    expect(error.message).toContain('Forbidden');
    expect(error.message).not.toContain(former.apiKey);
    expect(client.stats.requests).toBe(2);
    await client.close();
  });

  it('fails an organization the user does not belong to with PROVIDER_AUTHENTICATION_ERROR', async () => {
    const outsider = persona('outsider');
    const client = clientFor(h, { userId: outsider.userId, apiKey: outsider.apiKey });
    const error = await vigilFailure(client.selfTest());
    expect(error.code).toBe('PROVIDER_AUTHENTICATION_ERROR');
    expect(error.message).toContain('Invalid organization');
    expect(error.hint).toContain('TS_ORGANIZATION_ID');
    await client.close();
  });

  it('corrects a skewed clock once from the verified challenge, then succeeds', async () => {
    await admin(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 120_000 });
    const client = clientFor(h);
    try {
      await client.selfTest();
      const { items } = await collectPages(client.iterateAgents('online'));
      expect(items.length).toBeGreaterThan(0);
      expect(client.stats.clockCorrections).toBe(1);
      expect(client.stats.requests).toBe(3);
    } finally {
      await admin(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 0 });
      await client.close();
    }
  });

  it('rejects a configuration without an API key, without echoing values', () => {
    expect(() => new ThreatStackClient({ baseUrl: h.sim.url, ...h.identity, apiKey: '' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(
      () => new ThreatStackClient({ baseUrl: 'https://user:secret@example.com/v2', ...h.identity }),
    ).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.not.stringContaining('secret') }),
    );
  });
});
