import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wireRules } from '../../src/app/rules.ts';
import { graphEntities } from '../../src/graph/vocabulary.ts';
import { InProcessQueue } from '../../src/jobs/in-process.ts';
import type { SyncJobDeps } from '../../src/jobs/kinds/sync.ts';
import { createJobRuntime } from '../../src/jobs/start.ts';
import { parseQuery } from '../../src/query/parse.ts';
import type { AlertPayload } from '../../src/rules/payload.ts';
import { type StoreBackend, storeBackends } from '../../src/store/testing.ts';
import type { GraphStore } from '../../src/store/types.ts';
import { testIntegration } from '../helpers/integrations.ts';
import { captureLogger } from '../helpers/log-capture.ts';
import { INTEGRATION_ID, syncOnce } from '../helpers/sync.ts';
import { admin, type SimHarness, startSim } from '../helpers/threatstack.ts';

/**
 * The whole path of an after-sync rule, nothing stood in: the Threat Stack simulator, the sync
 * engine and the store, the job runtime on its in-process queue (dispatched by hand), the sync
 * job's completion enqueuing rule jobs, the J1QL engine, and a webhook receiver on loopback.
 * The store is SQLite always and PostgreSQL when VIGIL_TEST_PG_URL is set (a fresh schema per
 * test); the queue stays in-process, dispatched by hand, so the simulator's clock drives it.
 */

const syncIntervalMs = 60_000;

/** A receiver on 127.0.0.1 that answers `status` and keeps the JSON bodies it gets. */
async function receiver(
  status: number,
): Promise<{ url: string; bodies: AlertPayload[]; close(): Promise<void> }> {
  const bodies: AlertPayload[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertPayload);
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The sync job's view of one Threat Stack integration syncing `store` from the simulator. */
function syncDeps(h: SimHarness, store: GraphStore): SyncJobDeps {
  const integration = testIntegration('ts', syncIntervalMs / 1000, { id: INTEGRATION_ID });
  return {
    listIntegrations: async () => [integration],
    findIntegration: async (id) => (id === integration.id ? integration : undefined),
    latestRun: async (id) => (await store.listRuns(id, 1))[0],
    async runSync() {
      const summary = await syncOnce(h, store);
      const writtenTypes = summary.types
        .filter((t) => t.created + t.updated + t.deleted > 0)
        .map((t) => t.type);
      return { runId: summary.runId, status: summary.status, durationMs: summary.durationMs, writtenTypes };
    },
  };
}

async function world(backend: StoreBackend, receiverStatus: number) {
  const h = await startSim({ agents: 12, cves: 6, findingsPerAgent: 2, alerts: 3 });
  const { store, dispose } = await backend.open();
  const hook = await receiver(receiverStatus);
  const log = captureLogger();
  let ids = 0;
  const now = () => new Date(h.clock.now());
  const { rules, ruleJobs } = wireRules({
    store,
    runQuery: (text) => store.query(parseQuery(text)),
    checkQuery: (text) => void parseQuery(text),
    now,
    newId: () => `id-${++ids}`,
    logger: () => log.logger,
  });
  const queue = new InProcessQueue({ now: () => h.clock.now() });
  const runtime = createJobRuntime({
    queue,
    now: () => h.clock.now(),
    sync: syncDeps(h, store),
    rules: ruleJobs,
    logger: log.logger,
    concurrency: 2,
    leaseSeconds: 3600,
  });
  await runtime.work();
  return {
    h,
    store,
    hook,
    rules,
    /** The rule evaluations the jobs logged so far. */
    evaluations: () => log.lines.filter((line) => line.msg === 'rule evaluated'),
    syncLines: () => log.lines.filter((line) => line.msg.startsWith('sync ')).map((line) => line.msg),
    /** One interval later: plans the due sync and runs every job it leads to. */
    async syncRound() {
      h.clock.advance(syncIntervalMs);
      await runtime.plan();
      while (queue.dispatch().length > 0) await queue.idle();
    },
    async close() {
      await runtime.stop();
      await hook.close();
      await dispose();
      await h.close();
    },
  };
}

describe.each(storeBackends)('a `new` rule evaluated as jobs after real syncs ($name)', (backend) => {
  const cleanups: Array<() => Promise<void>> = [];
  beforeEach((context) => {
    if (!backend.available) context.skip();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('fires once for the agents with findings a churn sync added, and not for an unchanged re-sync', async () => {
    const w = await world(backend, 204);
    cleanups.push(() => w.close());
    const query = 'FIND threatstack_agent THAT IDENTIFIED cve';
    await w.rules.addRule({
      name: 'new vulnerable agents',
      queries: [{ text: query }],
      when: 'new',
      actions: [`webhook:${w.hook.url}`],
    });

    await w.syncRound();
    const baseline = (await w.store.query(parseQuery(query))).data.length;
    expect(baseline).toBeGreaterThan(0);
    expect(w.evaluations()).toEqual([
      expect.objectContaining({ fired: true, rowCount: baseline, decision: 'open' }),
    ]);

    const churn = await admin<{ addedAgents: string[] }>(w.h.sim.url, 'POST', '/_sim/churn', {
      addAgents: 3,
    });
    await w.syncRound();
    expect(w.evaluations()).toHaveLength(2);
    expect(w.evaluations()[1]).toMatchObject({
      fired: true,
      rowCount: 3,
      decision: 'refresh',
      deliveries: ['delivered'],
    });
    expect(w.hook.bodies).toHaveLength(2);
    const added = (w.hook.bodies[1]?.rows ?? []).map(({ row }) => row._key);
    expect(added.sort()).toEqual(churn.json.addedAgents.map(graphEntities.threatstackAgent.key).sort());
    expect(w.hook.bodies[1]).toMatchObject({
      rule: 'new vulnerable agents',
      condition: 'new',
      rowCount: 3,
      truncated: false,
    });

    await w.syncRound();
    expect(w.syncLines().filter((msg) => msg === 'sync finished')).toHaveLength(3);
    expect(w.evaluations()).toHaveLength(2);
    expect(w.hook.bodies).toHaveLength(2);
    expect(await w.rules.run('new vulnerable agents')).toMatchObject({ fired: false, decision: 'clear' });
  });

  it('completes the sync and the rule job when the webhook refuses the delivery', async () => {
    const w = await world(backend, 400);
    cleanups.push(() => w.close());
    await w.rules.addRule({
      name: 'agents',
      queries: [{ text: 'FIND HostAgent' }],
      when: 'any',
      actions: [`webhook:${w.hook.url}`],
    });

    await w.syncRound();
    expect(w.syncLines()).toEqual(['sync started', 'sync finished']);
    expect(w.evaluations()).toEqual([expect.objectContaining({ fired: true, deliveries: ['failed'] })]);
    expect(w.hook.bodies).toHaveLength(1);
    const details = await w.rules.showRule('agents');
    expect(details.deliveries.map((attempt) => [attempt.outcome, attempt.statusCode])).toEqual([
      ['failed', 400],
    ]);
  });
});
