import { afterEach, describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../src/attack/catalogue.ts';
import { ThreatConnectClient } from '../../src/connectors/threatconnect/client.ts';
import { threatConnectSteps } from '../../src/connectors/threatconnect/steps.ts';
import { describeThreatActor, listThreatActors } from '../../src/coverage/actors.ts';
import { graphEntities, graphRelationships } from '../../src/graph/vocabulary.ts';
import type { ThreatConnectSimOptions } from '../../src/simulators/threatconnect/server.ts';
import { startThreatConnectSimulator } from '../../src/simulators/threatconnect/server.ts';
import type { GraphStore } from '../../src/store/types.ts';
import { runSync } from '../../src/sync/engine.ts';
import { tempStore } from '../helpers/sync.ts';
import { admin, FakeClock } from '../helpers/threatstack.ts';

interface TcStats {
  owners: { total: number };
  adversaries: { total: number };
  threats: { total: number };
  associations: number;
  techniques: { distinct: number; perAdversary: Record<string, string[]> };
}

const catalogue = loadAttackCatalogue();
const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
});

/** Starts a simulator on a fake clock, syncs it into a fresh SQLite store, returns both sides. */
async function syncSimulator(options: Partial<ThreatConnectSimOptions>, faults?: unknown) {
  const clock = new FakeClock(1_764_000_000_000);
  const sim = await startThreatConnectSimulator(
    { owners: 3, adversaries: 5, threatsPerAdversary: 3, ...options },
    { now: clock.now },
  );
  disposers.push(() => sim.close());
  if (faults !== undefined) await admin(sim.url, 'PUT', '/_sim/faults', faults);
  const { store, dispose } = await tempStore();
  disposers.push(dispose);
  const host = new URL(sim.url).hostname;
  const client = new ThreatConnectClient(
    {
      baseUrl: sim.url,
      apiRoot: sim.apiRoot,
      accessId: sim.credentials.accessId,
      apiKey: sim.credentials.apiKey,
      maxAttempts: 10,
    },
    { now: clock.now, sleep: async (ms) => clock.advance(ms) },
  );
  const summary = await runSync({
    store,
    integrationId: `threatconnect:${host}`,
    steps: threatConnectSteps({ host, catalogue }),
    client,
    now: clock.now,
  });
  await client.close();
  const stats = (await admin<TcStats>(sim.url, 'GET', '/_sim/stats')).json;
  return { summary, stats, store, client };
}

/** The graph matches the simulator's ground truth: counts, and every actor's techniques. */
async function expectGroundTruth(store: GraphStore, stats: TcStats): Promise<void> {
  const entities = await store.countEntitiesByType();
  expect(entities).toMatchObject({
    [graphEntities.threatconnectAccount.type]: 1,
    [graphEntities.threatconnectOwner.type]: stats.owners.total,
    [graphEntities.threatconnectAdversary.type]: stats.adversaries.total,
    [graphEntities.threatconnectThreat.type]: stats.threats.total,
    [graphEntities.mitreAttackTechnique.type]: stats.techniques.distinct,
  });
  const relationships = await store.countRelationshipsByType();
  expect(relationships[graphRelationships.threatconnectAccountHasOwner.type]).toBe(stats.owners.total);
  expect(relationships[graphRelationships.threatconnectOwnerOwnsAdversary.type]).toBe(
    stats.adversaries.total,
  );
  expect(relationships[graphRelationships.threatconnectAdversaryUsesThreat.type]).toBe(stats.associations);
  const actors = await listThreatActors(store);
  expect(actors).toHaveLength(stats.adversaries.total);
  for (const [id, expected] of Object.entries(stats.techniques.perAdversary)) {
    const actor = await describeThreatActor(store, id);
    expect({ id, techniques: actor.techniques.map((t) => t.id) }).toEqual({ id, techniques: expected });
    expect(actors.find((a) => String(a.id) === id)?.techniqueCount).toBe(expected.length);
  }
}

describe('ThreatConnect sync against the simulator', () => {
  it.each([
    ['display tags under /api', { tagStyle: 'display', apiRoot: '/api' }],
    [
      'bare tags (names resolved through the ATT&CK catalogue) with no API root',
      { tagStyle: 'bare', apiRoot: '' },
    ],
    ['legacy tags', { tagStyle: 'legacy' }],
    ['empty arrays omitted', { omitEmptyArrays: true }],
  ] as const)('%s: actors and techniques equal the ground truth', async (_name, options) => {
    const { summary, stats, store } = await syncSimulator(options);
    expect(summary.status).toBe('success');
    await expectGroundTruth(store, stats);
  });

  it('falls back to the legacy 500 result limit and still gets everything', async () => {
    const { summary, stats, store, client } = await syncSimulator({ maxResultLimit: 500 });
    expect(summary.status).toBe('success');
    expect(client.stats.paginationFallbacks).toBe(1);
    await expectGroundTruth(store, stats);
  });

  it('ends with the ground truth through 500s, 429s, resets and truncated bodies', async () => {
    const { summary, stats, store, client } = await syncSimulator(
      {},
      { spec: 'status500=0.1,status429=0.05,reset=0.02,truncate=0.02' },
    );
    expect(summary.status).toBe('success');
    expect(client.stats.retries).toBeGreaterThan(0);
    await expectGroundTruth(store, stats);
  });

  it('shows an actor with attributes, threats and where each technique came from', async () => {
    const { store, stats } = await syncSimulator({});
    const [id, expected] = Object.entries(stats.techniques.perAdversary).find(([, t]) => t.length > 1) ?? [
      '',
      [],
    ];
    const actor = await describeThreatActor(store, id);
    expect(actor.techniques.map((t) => t.id)).toEqual(expected);
    expect(actor.threats.length).toBeGreaterThan(0);
    expect(actor.attributes.Description).toEqual(expect.any(String));
    for (const technique of actor.techniques) {
      expect(technique.sources.length).toBeGreaterThan(0);
      expect(technique.name).toEqual(catalogue.get(technique.id)?.fullName ?? null);
    }
    const byName = await describeThreatActor(store, actor.name.toUpperCase());
    expect(byName.key).toBe(actor.key);
    await expect(describeThreatActor(store, 'No Such Actor')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
