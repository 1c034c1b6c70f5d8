import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stepIds } from '../../src/connectors/threatstack/steps.ts';
import { graphEntities, graphRelationships } from '../../src/graph/vocabulary.ts';
import { storeBackends } from '../../src/store/testing.ts';
import type { GraphStore } from '../../src/store/types.ts';
import { changesOf, graphSnapshot, syncOnce, tempStore } from '../helpers/sync.ts';
import { admin, type SimHarness, startSim } from '../helpers/threatstack.ts';

interface Stats {
  agents: { total: number; withInstance: number; withoutInstance: number };
  ec2: { total: number };
  cves: { total: number };
  findings: number;
  alerts: { since: { total: number } };
}

const simSize = { agents: 150, cves: 60, findingsPerAgent: 4, alerts: 200 };

async function groundTruth(h: SimHarness): Promise<Stats> {
  const since = new Date(h.clock.now() - 7 * 86_400_000).toISOString();
  return (await admin<Stats>(h.sim.url, 'GET', `/_sim/stats?alertsSince=${since}`)).json;
}

/** Every (agentId, cve) finding the simulator currently lists. */
async function findingPairs(h: SimHarness): Promise<Set<string>> {
  const { items } = await h.listAll<{ cveNumber: string; agents: Array<{ agentId: string }> }>(
    '/v2/vulnerabilities',
    'cves',
  );
  return new Set(items.flatMap((cve) => cve.agents.map((a) => `${a.agentId}|${cve.cveNumber}`)));
}

describe('Threat Stack sync into the graph', () => {
  let h: SimHarness;
  const disposers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    h = await startSim(simSize);
  });
  afterAll(() => h.close());
  afterEach(async () => {
    await admin(h.sim.url, 'PUT', '/_sim/faults', {});
    for (const dispose of disposers.splice(0)) await dispose();
  });

  for (const backend of storeBackends) {
    it.skipIf(!backend.available)(
      `on ${backend.name}: makes the graph equal the simulator ground truth for every type, then rewrites nothing on an unchanged re-sync`,
      async () => {
        const { store, dispose } = await backend.open();
        disposers.push(dispose);
        await expectGroundTruthSync(store);
      },
    );
  }
  if (!storeBackends.every((b) => b.available))
    console.log('sync tests: PostgreSQL skipped (set VIGIL_TEST_PG_URL)');

  async function expectGroundTruthSync(store: GraphStore): Promise<void> {
    const truth = await groundTruth(h);
    const first = await syncOnce(h, store);
    expect(first.status).toBe('success');
    const entities = await store.countEntitiesByType();
    const relationships = await store.countRelationshipsByType();
    expect(entities).toEqual({
      [graphEntities.threatstackAccount.type]: 1,
      [graphEntities.threatstackAgent.type]: truth.agents.total,
      [graphEntities.awsInstance.type]: truth.ec2.total,
      [graphEntities.server.type]: truth.agents.withoutInstance,
      [graphEntities.cve.type]: truth.cves.total,
      [graphEntities.threatstackAlert.type]: truth.alerts.since.total,
    });
    expect(relationships).toEqual({
      [graphRelationships.threatstackAccountHasAgent.type]: truth.agents.total,
      [graphRelationships.threatstackAgentProtectsAwsInstance.type]: truth.agents.withInstance,
      [graphRelationships.threatstackAgentProtectsServer.type]: truth.agents.withoutInstance,
      [graphRelationships.threatstackAgentIdentifiedCve.type]: truth.findings,
      [graphRelationships.threatstackAgentHasAlert.type]: expect.any(Number),
    });
    expect(changesOf(first, graphEntities.threatstackAgent.type)).toEqual({
      created: truth.agents.total,
      updated: 0,
      deleted: 0,
      total: truth.agents.total,
    });

    const second = await syncOnce(h, store);
    expect(second.status).toBe('success');
    for (const row of second.types)
      expect({ type: row.type, created: row.created, updated: row.updated, deleted: row.deleted }).toEqual({
        type: row.type,
        created: 0,
        updated: 0,
        deleted: 0,
      });
    const runs = await store.listRuns();
    expect(runs.map((r) => r.status)).toEqual(['success', 'success']);
  }

  it('reflects churn with the right change-log counts', async () => {
    const { store, dispose } = await tempStore();
    disposers.push(dispose);
    await syncOnce(h, store);
    const before = await findingPairs(h);
    const churn = (
      await admin<{ addedAgents: string[]; removedAgents: string[]; changedAgents: string[] }>(
        h.sim.url,
        'POST',
        '/_sim/churn',
        {
          addAgents: 4,
          removeAgents: 3,
          changeAgents: 5,
          addFindings: 6,
          removeFindings: 6,
        },
      )
    ).json;
    const after = await findingPairs(h);
    const run = await syncOnce(h, store);
    const truth = await groundTruth(h);
    expect(run.status).toBe('success');
    expect(changesOf(run, graphEntities.threatstackAgent.type)).toEqual({
      created: churn.addedAgents.length,
      updated: churn.changedAgents.length,
      deleted: churn.removedAgents.length,
      total: truth.agents.total,
    });
    const identified = changesOf(run, graphRelationships.threatstackAgentIdentifiedCve.type);
    expect(identified.created).toBe([...after].filter((p) => !before.has(p)).length);
    expect(identified.deleted).toBe([...before].filter((p) => !after.has(p)).length);
    expect(identified.total).toBe(truth.findings);
    expect(changesOf(run, graphRelationships.threatstackAccountHasAgent.type)).toMatchObject({
      created: 4,
      deleted: 3,
    });
    expect(await store.listChanges(run.runId)).toEqual(
      expect.arrayContaining([
        { kind: 'entity', type: graphEntities.threatstackAgent.type, created: 4, updated: 5, deleted: 3 },
      ]),
    );
  });

  it('ends with the same graph under faults (500, 429, resets, truncated bodies) as without', async () => {
    const clean = await tempStore();
    const faulty = await tempStore();
    disposers.push(clean.dispose, faulty.dispose);
    await syncOnce(h, clean.store);
    await admin(h.sim.url, 'PUT', '/_sim/faults', {
      spec: 'status500=0.1,status429=0.05,reset=0.02,truncate=0.02',
    });
    const run = await syncOnce(h, faulty.store);
    const injected = (await admin<{ injected: Record<string, number> }>(h.sim.url, 'GET', '/_sim/faults'))
      .json.injected;
    expect(run.status).toBe('success');
    expect(run.requests.retries).toBeGreaterThan(0);
    expect(Object.values(injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(graphSnapshot(faulty.path)).toEqual(graphSnapshot(clean.path));
  });

  it('a failed vulnerability step deletes no CVE and no IDENTIFIED relationship', async () => {
    const { store, path, dispose } = await tempStore();
    disposers.push(dispose);
    await syncOnce(h, store);
    const cvesBefore = graphSnapshot(path);
    await admin(h.sim.url, 'POST', '/_sim/churn', { removeAgents: 5, removeFindings: 10 });
    await admin(h.sim.url, 'PUT', '/_sim/faults', { status500: 1, pathPrefix: '/v2/vulnerabilities' });
    const run = await syncOnce(h, store);
    const step = run.steps.find((s) => s.id === stepIds.vulnerabilities);
    expect(step?.status).toBe('failure');
    expect(step?.error?.code).toBe('PROVIDER_API_ERROR');
    expect(run.status).toBe('partial');
    expect(changesOf(run, graphEntities.cve.type).deleted).toBe(0);
    expect(changesOf(run, graphRelationships.threatstackAgentIdentifiedCve.type).deleted).toBe(0);
    const after = graphSnapshot(path);
    for (const [key, hash] of cvesBefore.relationships) {
      if (key.includes('|identified|')) expect(after.relationships.get(key)).toBe(hash);
    }
    expect(changesOf(run, graphEntities.threatstackAgent.type).deleted).toBe(5);
  });
});

interface FindingRequests {
  listPages: number;
  serverPages: number;
  oracleServerPages: number;
}

interface Findings {
  requestBounds: FindingRequests;
  cves: Array<{ cveNumber: string; agentIds: string[]; listed: number | null }>;
}

type RouteCounts = Record<string, number>;

const LIST_CVES = 'GET /v2/vulnerabilities';
const CVE_SERVERS = 'GET /v2/vulnerabilities/{cve}/servers';

async function routeCounts(h: SimHarness): Promise<RouteCounts> {
  return (await admin<{ requests: { byRoute: RouteCounts } }>(h.sim.url, 'GET', '/_sim/stats')).json.requests
    .byRoute;
}

function identifiedKeys(path: string): string[] {
  return [...graphSnapshot(path).relationships.keys()].filter((k) => k.includes('|identified|')).sort();
}

describe('Threat Stack sync: findings exact whatever the vendor does to agents[]', () => {
  let h: SimHarness;
  const disposers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    h = await startSim({ agents: 300, cves: 50, findingsPerAgent: 4, alerts: 20 });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    await admin(h.sim.url, 'PUT', '/_sim/cve-agents', { mode: 'full' });
    for (const dispose of disposers.splice(0)) await dispose();
  });

  /** The ground-truth findings once the simulator is in `mode`, with the request bounds of /_sim/stats. */
  async function findingsIn(mode: string): Promise<Findings> {
    await admin(h.sim.url, 'PUT', '/_sim/cve-agents', { mode });
    const { cves } = (await admin<Findings>(h.sim.url, 'GET', '/_sim/findings')).json;
    const stats = await admin<{ findingRequests: FindingRequests }>(h.sim.url, 'GET', '/_sim/stats');
    return { cves, requestBounds: stats.json.findingRequests };
  }

  it.each(['full', 'cap:5', 'cap:120', 'cap:0', 'absent'])(
    'in mode %s: IDENTIFIED equals the ground truth, at exactly the expected requests',
    async (mode) => {
      const findings = await findingsIn(mode);
      const { store, path, dispose } = await tempStore();
      disposers.push(dispose);
      const before = await routeCounts(h);
      const run = await syncOnce(h, store);
      const after = await routeCounts(h);
      expect(run.status).toBe('success');
      const truth = findings.cves.flatMap((c) =>
        c.agentIds.map((id) => `threatstack:agent:${id}|identified|${c.cveNumber.toLowerCase()}`),
      );
      expect(identifiedKeys(path)).toEqual(truth.sort());
      // The lower bound of an exact client: every CVE page, and the /servers pages of the CVEs
      // whose agents[] is absent or as long as the longest (those may have been cut).
      const { listPages, serverPages, oracleServerPages } = findings.requestBounds;
      const made = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
      expect({ lists: made(LIST_CVES), servers: made(CVE_SERVERS) }).toEqual({
        lists: listPages,
        servers: serverPages,
      });
      expect(made(CVE_SERVERS)).toBeGreaterThanOrEqual(oracleServerPages);
      expect(run.requests.retries).toBe(0);
      const sum = Object.keys(after).reduce((total, route) => total + made(route), 0);
      expect(sum).toBe(run.requests.requests);
    },
  );

  it('reads /servers of every CVE only when agents[] is absent, of the longest lists otherwise', async () => {
    const full = (await findingsIn('full')).requestBounds;
    const capped = (await findingsIn('cap:5')).requestBounds;
    const absent = (await findingsIn('absent')).requestBounds;
    expect(full.oracleServerPages).toBe(0);
    expect(full.serverPages).toBeLessThan(capped.serverPages);
    expect(capped.serverPages).toBeLessThan(absent.serverPages);
    expect(absent.serverPages).toBe(absent.oracleServerPages);
  });

  it('a change of mode between two syncs changes nothing in the graph', async () => {
    const { store, path, dispose } = await tempStore();
    disposers.push(dispose);
    await findingsIn('full');
    await syncOnce(h, store);
    const graph = graphSnapshot(path);
    for (const mode of ['cap:2', 'absent', 'cap:0']) {
      await findingsIn(mode);
      const run = await syncOnce(h, store);
      expect(changesOf(run, graphRelationships.threatstackAgentIdentifiedCve.type)).toMatchObject({
        created: 0,
        updated: 0,
        deleted: 0,
      });
      expect(graphSnapshot(path).relationships).toEqual(graph.relationships);
    }
  });
});
