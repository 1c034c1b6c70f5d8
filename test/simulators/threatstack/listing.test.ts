import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type SimHarness, startSim } from '../../helpers/threatstack.ts';

type Json = Record<string, unknown>;
type Agent = Json & { id: string; instanceId: string | null; status: string; hostname: string };
type Alert = Json & { id: string; createdAt: string; isDismissed: boolean; agentId: string | null };
type Server = Json & { agentId: string; hostname: string };
type Cve = Json & { cveNumber: string; reportedPackage: string; securityNotices: Json[]; agents: Server[] };
type Ec2 = Json & { id: string; monitored: boolean; agents?: Json[] };
type SeverityCounts = { severityCounts: Array<{ severity: number; count: number }> };
interface Stats {
  agents: { online: number; offline: number; total: number };
  ec2: { total: number; monitored: number; unmonitored: number };
  cves: { total: number; suppressed: number };
  findings: number;
  alerts: { total: number; active: number; dismissed: number; bySeverity: Record<string, number> };
  members: number;
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TOKEN = /^[A-Za-z0-9_.-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const words = (text: string) => text.trim().split(/\s+/);
const AGENT_KEYS = words(`id instanceId status createdAt lastReportedAt version name description hostname
  ipAddresses tags agentType osVersion kernel agentModuleHealth`);
const EVENT_KEYS = words(`id timestamp eventType agentId hostname user exe command args pid ppid srcIp dstIp
  dstPort filename syscall ruleId alertId`);
const MEMBER_KEYS = words('role ssoEnabled displayName userEnabled lastAuthenticatedAt mfaEnabled id email');
const ms = (iso: string) => Date.parse(iso);
const withQuery = (path: string, extra: string) => `${path}${path.includes('?') ? '&' : '?'}${extra}`;

describe('Threat Stack simulator: lists, pagination and filters (D5–D8)', () => {
  let h: SimHarness;
  let stats: Stats;
  let online: Agent[];
  let offline: Agent[];
  let alerts: Alert[];
  let cves: Cve[];

  async function get<T = Json>(path: string): Promise<T> {
    const response = await h.call('GET', path);
    expect(response.status, `GET ${path}: ${response.text}`).toBe(200);
    return response.json<T>();
  }

  async function expectError(path: string, status: number, message?: string): Promise<void> {
    const response = await h.call('GET', path);
    expect(response.status, `GET ${path}`).toBe(status);
    const body = response.json<{ errors: unknown }>();
    expect(Object.keys(body)).toEqual(['errors']);
    expect(body.errors).toEqual(message === undefined ? [expect.any(String)] : [message]);
  }

  /** Follows every page, checking the D5 envelope, page size and token form on each. */
  async function pagesOf<T>(path: string, key: string): Promise<T[][]> {
    const pages: T[][] = [];
    let token: string | null = null;
    do {
      const page: Json = await get(token === null ? path : withQuery(path, `token=${token}`));
      expect(Object.keys(page).sort(), path).toEqual([key, 'token'].sort());
      const items = page[key] as T[];
      token = page.token as string | null;
      if (token !== null) {
        expect(token).toMatch(TOKEN);
        expect(items).toHaveLength(100);
      } else expect(items.length).toBeLessThanOrEqual(100);
      pages.push(items);
    } while (token !== null);
    return pages;
  }

  const all = async <T>(path: string, key: string) => (await pagesOf<T>(path, key)).flat();

  beforeAll(async () => {
    h = await startSim({ agents: 300, cves: 250, alerts: 400 });
    stats = (await admin<Stats>(h.sim.url, 'GET', '/_sim/stats')).json;
    online = await all<Agent>('/v2/agents?status=online', 'agents');
    offline = await all<Agent>('/v2/agents?status=offline', 'agents');
    alerts = [
      ...(await all<Alert>('/v2/alerts?status=active', 'alerts')),
      ...(await all<Alert>('/v2/alerts?status=dismissed', 'alerts')),
    ].sort((a, b) => ms(a.createdAt) - ms(b.createdAt) || (a.id < b.id ? -1 : 1));
    cves = await all<Cve>('/v2/vulnerabilities', 'cves');
  });
  afterAll(() => h.close());

  describe('pagination (D5)', () => {
    const investigating = '/v2/agents?status=online&type=investigate';

    it('pages online agents by 100 until token null, unique ids, total equal to stats', async () => {
      const pages = await pagesOf<Agent>('/v2/agents?status=online', 'agents');
      expect(pages.length).toBe(Math.ceil(stats.agents.online / 100));
      expect(pages.length).toBeGreaterThanOrEqual(3);
      const ids = pages.flat().map((a) => a.id);
      expect(ids).toHaveLength(stats.agents.online);
      expect(new Set(ids).size).toBe(ids.length);
      expect(offline).toHaveLength(stats.agents.offline);
    });

    it('accepts a token with the same filters in another query order', async () => {
      const first = await get<{ agents: Agent[]; token: string }>(investigating);
      const same = await h.call('GET', `${investigating}&token=${first.token}`);
      const reordered = await h.call('GET', `/v2/agents?type=investigate&token=${first.token}&status=online`);
      expect(reordered.status).toBe(200);
      expect(reordered.text).toBe(same.text);
      const second = reordered.json<{ agents: Agent[] }>().agents;
      expect(second.length).toBeGreaterThan(0);
      expect(second.every((a) => a.agentType === 'investigate' && a.status === 'online')).toBe(true);
      expect(second.map((a) => a.id)).not.toContain(first.agents[0]?.id);
    });

    it('rejects a token used with different filters, or altered, or garbage, with 400 Invalid token', async () => {
      const { token } = await get<{ token: string }>(investigating);
      const flipped = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
      for (const path of [
        `/v2/agents?status=online&token=${token}`,
        `/v2/agents?status=offline&type=investigate&token=${token}`,
        `${investigating}&hostname=x&token=${token}`,
        `/v2/alerts?status=active&token=${token}`,
        `${investigating}&token=${flipped}`,
        `${investigating}&token=${token.slice(0, -1)}`,
        `${investigating}&token=${token}x`,
        `${investigating}&token=garbage`,
        `${investigating}&token=a.b.c`,
      ]) {
        await expectError(path, 400, 'Invalid token');
      }
    });

    it('ends exactly on the last full page: 200 online agents give 2 pages and no empty third', async () => {
      const small = await startSim({ agents: 200, offlineRatio: 0 });
      try {
        const page1 = (await small.call('GET', '/v2/agents?status=online')).json<{
          agents: [];
          token: string;
        }>();
        expect(page1.agents).toHaveLength(100);
        const page2 = (await small.call('GET', `/v2/agents?status=online&token=${page1.token}`)).json();
        expect(page2).toEqual({ agents: expect.any(Array), token: null });
        expect(page2.agents).toHaveLength(100);
      } finally {
        await small.close();
      }
    });

    it('gives every list endpoint exactly the two keys <plural> and token on every page', async () => {
      const { rulesets } = await get<{ rulesets: Array<{ id: string }> }>('/v2/rulesets');
      const lists: Array<[string, string]> = [
        ['/v2/agents?status=offline', 'agents'],
        ['/v2/alerts?status=active', 'alerts'],
        ['/v2/vulnerabilities?status=active', 'cves'],
        [`/v2/vulnerabilities/${cves[0]?.cveNumber}/servers`, 'servers'],
        [`/v2/vulnerabilities/package/${cves[0]?.reportedPackage.split(' ')[0]}`, 'packages'],
        ['/v2/vulnerabilities/suppressions', 'suppressions'],
        ['/v2/rulesets', 'rulesets'],
        [`/v2/rulesets/${rulesets[0]?.id}/rules`, 'rules'],
        ['/v2/aws/ec2?monitored=true', 'servers'],
        ['/v2/organizations/members', 'members'],
      ];
      for (const [path, key] of lists) expect((await all(path, key)).length, path).toBeGreaterThan(0);
    });
  });

  describe('agents', () => {
    it.each(['online', 'offline'].flatMap((s) => [`${s} investigate`, `${s} monitor`]))(
      'filters status and type: %s',
      async (pair) => {
        const [status, type] = words(pair);
        const listed = await all<Agent>(`/v2/agents?status=${status}&type=${type}`, 'agents');
        expect(listed.length).toBeGreaterThan(0);
        expect(listed).toEqual((status === 'online' ? online : offline).filter((a) => a.agentType === type));
      },
    );

    it('filters by hostname and instanceId, and serves /v2/agents/{id}', async () => {
      const agent = offline.find((a) => a.instanceId !== null);
      if (!agent?.instanceId) throw new Error('fixture: need an offline EC2 agent');
      expect(await all(`/v2/agents?status=offline&hostname=${agent.hostname}`, 'agents')).toEqual([agent]);
      expect(await all(`/v2/agents?status=online&hostname=${agent.hostname}`, 'agents')).toEqual([]);
      const byInstance = await all(`/v2/agents?status=offline&instanceId=${agent.instanceId}`, 'agents');
      expect(byInstance).toEqual([agent]);
      expect(await get(`/v2/agents/${agent.id}`)).toEqual(agent);
      await expectError('/v2/agents/00000000-0000-1000-8000-000000000000', 404);
    });

    it.each(['', '?status=all', '?status=ONLINE', '?status=online&type=sensor'])(
      'rejects /v2/agents%s with 400 {"errors":[…]}',
      (query) => expectError(`/v2/agents${query}`, 400),
    );
  });

  describe('alerts (D6, D7)', () => {
    it('lists by status, totals equal to stats, and keeps the filter and createdAt order across pages', async () => {
      expect(alerts).toHaveLength(stats.alerts.total);
      expect(alerts.filter((a) => a.isDismissed)).toHaveLength(stats.alerts.dismissed);
      expect(alerts.every((a) => ISO_MS.test(a.createdAt))).toBe(true);
      const pages = await pagesOf<Alert>('/v2/alerts?status=active', 'alerts');
      expect(pages.length).toBeGreaterThan(1);
      const listed = pages.flat();
      expect(listed).toHaveLength(stats.alerts.active);
      expect(listed.every((a) => !a.isDismissed)).toBe(true);
      const times = listed.map((a) => ms(a.createdAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    });

    const forms: Array<[string, (iso: string) => string, (iso: string) => number]> = [
      ['yyyy-mm-dd', (iso) => iso.slice(0, 10), (iso) => ms(`${iso.slice(0, 10)}T00:00:00.000Z`)],
      ['yyyy-mm-ddThh', (iso) => iso.slice(0, 13), (iso) => ms(`${iso.slice(0, 13)}:00:00.000Z`)],
      ['yyyy-mm-ddThh:mm', (iso) => iso.slice(0, 16), (iso) => ms(`${iso.slice(0, 16)}:00.000Z`)],
      ['yyyy-mm-ddThh:mm:ss', (iso) => iso.slice(0, 19), (iso) => ms(`${iso.slice(0, 19)}.000Z`)],
      ['…:ss.mmm', (iso) => iso.slice(0, 23), ms],
      ['…:ss.µµµµµµ', (iso) => `${iso.slice(0, 23)}000`, ms],
      ['…:ssZ', (iso) => `${iso.slice(0, 19)}Z`, (iso) => ms(`${iso.slice(0, 19)}.000Z`)],
      ['…:ss.mmmZ', (iso) => iso, ms],
      ['…:ss.µµµµµµZ', (iso) => `${iso.slice(0, 23)}000Z`, ms],
    ];
    it.each(forms)('reads from/until in the form %s as UTC, bounds included', async (_, format, instant) => {
      const active = alerts.filter((a) => !a.isDismissed);
      const pivot = active[150];
      if (!pivot) throw new Error('fixture: need 150 active alerts');
      const at = instant(pivot.createdAt);
      const from = await all<Alert>(`/v2/alerts?status=active&from=${format(pivot.createdAt)}`, 'alerts');
      expect(from).toEqual(active.filter((a) => ms(a.createdAt) >= at));
      const until = await all<Alert>(`/v2/alerts?status=active&until=${format(pivot.createdAt)}`, 'alerts');
      expect(until).toEqual(active.filter((a) => ms(a.createdAt) <= at));
      if (at === ms(pivot.createdAt)) expect([from[0], until.at(-1)]).toEqual([pivot, pivot]);
    });

    it.each([
      'status=active&from=yesterday',
      'status=active&from=2026/11/10',
      'status=active&from=2026-13-01',
      'status=dismissed&from=2026-11-31',
      'status=active&until=2026-11-10T25',
      'status=active&until=2026-11-10T13:61',
      'status=active&until=2026-11-10T13:45:75',
      'status=active&severity=4',
      'status=active&severity=high',
      'status=open',
      'severity=1',
    ])('rejects /v2/alerts?%s with 400', (query) => expectError(`/v2/alerts?${query}`, 400));

    it('filters by severity, ruleId and agentId (each combined with status)', async () => {
      const sample = alerts.find((a) => a.agentId && alerts.filter((b) => b.agentId === a.agentId)[1]);
      if (!sample?.agentId) throw new Error('fixture: need an agent with several alerts');
      const cases: Array<[string, (a: Alert) => boolean]> = [
        ['severity=1', (a) => a.severity === 1],
        ['severity=2', (a) => a.severity === 2],
        ['severity=3', (a) => a.severity === 3],
        [`ruleId=${sample.ruleId}`, (a) => a.ruleId === sample.ruleId],
        [`agentId=${sample.agentId}`, (a) => a.agentId === sample.agentId],
      ];
      for (const [query, keep] of cases) {
        for (const status of ['active', 'dismissed']) {
          const listed = await all<Alert>(`/v2/alerts?status=${status}&${query}`, 'alerts');
          expect(listed).toEqual(alerts.filter((a) => a.isDismissed === (status === 'dismissed') && keep(a)));
        }
      }
    });

    it('serves severity counts that sum to the stats, with and without from/until', async () => {
      const { severityCounts } = await get<SeverityCounts>('/v2/alerts/severity-counts');
      expect(severityCounts.map((c) => c.severity)).toEqual([1, 2, 3]);
      for (const { severity, count } of severityCounts) expect(count).toBe(stats.alerts.bySeverity[severity]);
      expect(severityCounts.reduce((sum, c) => sum + c.count, 0)).toBe(stats.alerts.total);
      const window = await get<SeverityCounts>('/v2/alerts/severity-counts?from=2026-11-10&until=2026-11-20');
      const [lo, hi] = [ms('2026-11-10T00:00:00Z'), ms('2026-11-20T00:00:00Z')];
      const inWindow = alerts.filter((a) => ms(a.createdAt) >= lo && ms(a.createdAt) <= hi);
      expect(inWindow.length).toBeGreaterThan(0);
      const count = (severity: number) => inWindow.filter((a) => a.severity === severity).length;
      expect(window.severityCounts).toEqual(
        [1, 2, 3].map((severity) => ({ severity, count: count(severity) })),
      );
    });

    it('serves /v2/alerts/{id} and its events in the D7 shape', async () => {
      const host = alerts.find((a) => a.agentId !== null);
      const cloud = alerts.find((a) => a.agentId === null);
      for (const alert of [host, cloud]) {
        if (!alert) throw new Error('fixture: need host and CloudTrail alerts');
        expect(await get(`/v2/alerts/${alert.id}`)).toEqual(alert);
        const body = await get<{ events: Json[] }>(`/v2/alerts/${alert.id}/events`);
        expect(Object.keys(body)).toEqual(['events']);
        expect(body.events.length).toBeGreaterThan(0);
        for (const event of body.events) {
          expect(Object.keys(event)).toEqual(EVENT_KEYS);
          expect(event).toMatchObject({ alertId: alert.id, ruleId: alert.ruleId, agentId: alert.agentId });
          expect(event.timestamp).toMatch(ISO_MS);
          if (alert === cloud) {
            expect(event).toMatchObject({ eventType: 'cloudtrail', hostname: null, exe: null, pid: null });
          } else {
            expect(event).toMatchObject({ command: expect.any(String), args: expect.any(Array) });
            expect([event.pid, event.ppid].every(Number.isInteger)).toBe(true);
            expect([event.dstPort, event.filename]).toEqual([null, null]);
          }
        }
      }
      await expectError('/v2/alerts/000000000000000000000000', 404);
      await expectError('/v2/alerts/000000000000000000000000/events', 404);
    });
  });

  describe('vulnerabilities', () => {
    it('lists each CVE with agents[] equal to its full paginated servers list; totals equal stats', async () => {
      expect(cves).toHaveLength(stats.cves.total);
      expect(cves.length).toBeGreaterThan(100);
      let findings = 0;
      let paginated = 0;
      for (const cve of cves) {
        const pages = await pagesOf<Server>(`/v2/vulnerabilities/${cve.cveNumber}/servers`, 'servers');
        if (pages.length > 1) paginated++;
        expect(pages.flat(), cve.cveNumber).toEqual(cve.agents);
        findings += cve.agents.length;
      }
      expect(paginated).toBeGreaterThan(0);
      expect(findings).toBe(stats.findings);
      expect(cves.filter((c) => c.isSuppressed)).toHaveLength(stats.cves.suppressed);
    });

    it('filters by hasSecurityNotices and agentId, and serves one CVE by number', async () => {
      const withNotices = await all<Cve>('/v2/vulnerabilities?hasSecurityNotices=true', 'cves');
      const without = await all<Cve>('/v2/vulnerabilities?status=active&hasSecurityNotices=false', 'cves');
      expect(withNotices).toEqual(cves.filter((c) => c.securityNotices.length > 0));
      expect(without).toEqual(cves.filter((c) => c.securityNotices.length === 0));
      expect(withNotices.length * without.length).toBeGreaterThan(0);
      const agent = online[7];
      const forAgent = await all<Cve>(`/v2/vulnerabilities?agentId=${agent?.id}`, 'cves');
      expect(forAgent).toEqual(cves.filter((c) => c.agents.some((s) => s.agentId === agent?.id)));
      expect(forAgent).toHaveLength(4);
      expect(await get(`/v2/vulnerabilities/${cves[3]?.cveNumber}`)).toEqual(cves[3]);
      await expectError('/v2/vulnerabilities/CVE-1999-0001', 404);
      await expectError('/v2/vulnerabilities/CVE-1999-0001/servers', 404);
    });

    it('lists a package by name or by "name version", and the suppressions', async () => {
      const sample = cves[0]?.reportedPackage ?? '';
      const name = sample.split(' ')[0] ?? '';
      const numbers = (items: Json[]) => items.map((p) => p.cveNumber);
      const byName = await all<Json>(`/v2/vulnerabilities/package/${name}`, 'packages');
      expect(numbers(byName)).toEqual(numbers(cves.filter((c) => c.reportedPackage.startsWith(`${name} `))));
      const byVersion = await all<Json>(`/v2/vulnerabilities/package/${encodeURI(sample)}`, 'packages');
      expect(numbers(byVersion)).toEqual(numbers(cves.filter((c) => c.reportedPackage === sample)));
      expect(byVersion.length).toBeLessThan(byName.length);
      const suppressions = await all<Json>('/v2/vulnerabilities/suppressions', 'suppressions');
      const suppressed = numbers(cves.filter((c) => c.isSuppressed));
      expect(suppressed.length).toBeGreaterThan(0);
      expect(numbers(suppressions)).toEqual(expect.arrayContaining(suppressed));
    });
  });

  describe('EC2 (D8) and members', () => {
    it('lists monitored and unmonitored instances under both parameter names, matching stats and agents', async () => {
      const monitored = await all<Ec2>('/v2/aws/ec2?monitored=true', 'servers');
      const unmonitored = await all<Ec2>('/v2/aws/ec2?monitored=false', 'servers');
      expect(await all('/v2/aws/ec2?isMonitored=true', 'servers')).toEqual(monitored);
      expect(await all('/v2/aws/ec2?isMonitored=false', 'servers')).toEqual(unmonitored);
      expect(monitored).toHaveLength(stats.ec2.monitored);
      expect(unmonitored).toHaveLength(stats.ec2.unmonitored);
      expect(await all('/v2/aws/ec2', 'servers')).toHaveLength(stats.ec2.total);
      expect(monitored.every((s) => s.monitored === true && s.agents === undefined)).toBe(true);
      expect(unmonitored.every((s) => s.monitored === false)).toBe(true);
      const instanceIds = [...online, ...offline].map((a) => a.instanceId).filter((id) => id !== null);
      expect(new Set(monitored.map((s) => s.id))).toEqual(new Set(instanceIds));
      await expectError('/v2/aws/ec2?monitored=yes', 400);
    });

    it('adds agents[] to monitored instances with verbose=true', async () => {
      const byInstance = new Map([...online, ...offline].map((a) => [a.instanceId, a]));
      const servers = await all<Ec2>('/v2/aws/ec2?verbose=true', 'servers');
      expect(servers).toHaveLength(stats.ec2.total);
      for (const server of servers) {
        const agent = server.monitored ? byInstance.get(server.id) : undefined;
        expect(server.agents).toEqual(
          agent ? [expect.objectContaining({ id: agent.id, hostname: agent.hostname })] : [],
        );
      }
    });

    it('lists the active members of the organization with the personas roles', async () => {
      const members = await all<Json>('/v2/organizations/members', 'members');
      expect(members).toHaveLength(stats.members);
      type Creds = { users: Array<{ persona: string; userId: string }> };
      const { users } = (await admin<Creds>(h.sim.url, 'GET', '/_sim/credentials')).json;
      const roleOf = (persona: string) =>
        members.find((m) => m.id === users.find((u) => u.persona === persona)?.userId)?.role;
      expect([roleOf('admin'), roleOf('analyst'), roleOf('auditor')]).toEqual(['admin', 'user', 'reader']);
      expect([roleOf('former'), roleOf('outsider')]).toEqual([undefined, undefined]);
      for (const member of members) {
        expect(Object.keys(member).sort()).toEqual([...MEMBER_KEYS].sort());
        expect(Number.isInteger(member.lastAuthenticatedAt)).toBe(true);
      }
    });
  });

  describe('determinism and realism', () => {
    const firstPages = words(
      '/v2/agents?status=online /v2/vulnerabilities /v2/alerts?status=active /v2/aws/ec2',
    );
    async function bodies(seed: number): Promise<string[]> {
      const sim = await startSim({ seed, agents: 150 });
      try {
        return await Promise.all(firstPages.map(async (path) => (await sim.call('GET', path)).text));
      } finally {
        await sim.close();
      }
    }

    it('gives byte-identical first pages for the same seed and clock, and different data for another seed', async () => {
      const [a, b, c] = [await bodies(42), await bodies(42), await bodies(43)];
      expect(a).toEqual(b);
      a.forEach((body, i) => {
        expect(body.length).toBeGreaterThan(1000);
        expect(body, firstPages[i]).not.toBe(c[i]);
      });
    });

    it('generates realistic agents: UUID and legacy ids, some without instance, ISO timestamps, spec key order', () => {
      const agents = [...online, ...offline];
      expect(agents).toHaveLength(300);
      const uuids = agents.filter((a) => UUID.test(a.id));
      const legacy = agents.filter((a) => /^[0-9a-f]{24}$/.test(a.id));
      expect(uuids.length * legacy.length).toBeGreaterThan(0);
      expect(uuids.length + legacy.length).toBe(agents.length);
      expect(agents.some((a) => a.instanceId === null)).toBe(true);
      expect(agents.some((a) => a.instanceId !== null)).toBe(true);
      for (const agent of agents) {
        expect(Object.keys(agent)).toEqual(AGENT_KEYS);
        for (const time of [agent.createdAt, agent.lastReportedAt]) expect(time).toMatch(ISO_MS);
        expect(Object.keys(agent.ipAddresses as Json)).toEqual(['private', 'link_local', 'public']);
      }
    });
  });
});
