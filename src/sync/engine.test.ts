import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import { relationship } from '../graph/keys.ts';
import type { Entity, JsonValue } from '../graph/types.ts';
import { openStore } from '../store/index.ts';
import type { GraphStore } from '../store/types.ts';
import { runSync } from './engine.ts';
import { orderSteps } from './step-order.ts';
import type { IntegrationStep } from './types.ts';

/** The "client" of these tests: which keys each type should produce this run, and which steps should throw. */
interface FakeSource {
  keys: Record<string, string[]>;
  failing: Set<string>;
}

function entity(type: string, key: string): Entity {
  return { _key: key, _type: type, _class: 'Thing', displayName: key, properties: { key } };
}

function step(id: string, type: string, dependsOn: string[] = []): IntegrationStep<FakeSource> {
  return {
    id,
    name: id,
    entityTypes: [type],
    relationshipTypes: [],
    dependsOn,
    async execute({ client, writer, progress }) {
      const keys = client.keys[type] ?? [];
      await writer.entities(keys.slice(0, 1).map((k) => entity(type, k)));
      if (client.failing.has(id)) throw new VigilError('PROVIDER_API_ERROR', `${id} broke half way`);
      await writer.entities(keys.slice(1).map((k) => entity(type, k)));
      progress(keys.length);
    },
  };
}

const steps = [step('hosts', 'host'), step('findings', 'finding', ['hosts']), step('owners', 'owner')];

describe('sync engine', () => {
  let dir: string;
  let store: GraphStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-engine-'));
    store = await openStore(join(dir, 'vigil.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sync = (source: FakeSource, list = steps) =>
    runSync({ store, integrationId: 'fake', steps: list, client: source });

  it('runs steps in dependency order and records every step, change and total', async () => {
    const order: string[] = [];
    const observed = await runSync({
      store,
      integrationId: 'fake',
      steps: [step('findings', 'finding', ['hosts']), step('hosts', 'host')],
      client: { keys: { host: ['h1', 'h2'], finding: ['f1'] }, failing: new Set<string>() },
      observer: { stepStarted: (s) => order.push(s.id), stepProgress: () => {}, stepFinished: () => {} },
    });
    expect(order).toEqual(['hosts', 'findings']);
    expect(observed.status).toBe('success');
    expect(observed.types).toEqual([
      { kind: 'entity', type: 'host', total: 2, created: 2, updated: 0, deleted: 0 },
      { kind: 'entity', type: 'finding', total: 1, created: 1, updated: 0, deleted: 0 },
    ]);
    expect((await store.listSteps(observed.runId)).map((s) => [s.stepId, s.status])).toEqual([
      ['hosts', 'success'],
      ['findings', 'success'],
    ]);
    expect((await store.getRun(observed.runId))?.status).toBe('success');
  });

  it('deletes by absence only the types whose step fully succeeded', async () => {
    await sync({
      keys: { host: ['h1', 'h2', 'h3'], finding: ['f1', 'f2'], owner: ['o1', 'o2'] },
      failing: new Set(),
    });
    const run = await sync({
      keys: { host: ['h1'], finding: ['f1'], owner: ['o1'] },
      failing: new Set(['hosts']),
    });
    expect(run.status).toBe('partial');
    expect(run.steps.map((s) => [s.id, s.status])).toEqual([
      ['hosts', 'failure'],
      ['findings', 'skipped'],
      ['owners', 'success'],
    ]);
    expect(run.steps[0]?.error).toEqual({ code: 'PROVIDER_API_ERROR', message: 'hosts broke half way' });
    // host: the step failed; finding: skipped as its dependency failed — both keep what the graph had.
    expect(await store.countEntitiesByType('fake')).toEqual({ host: 3, finding: 2, owner: 1 });
    expect(run.types.find((t) => t.type === 'owner')).toMatchObject({ deleted: 1, total: 1 });
    expect(run.types.find((t) => t.type === 'host')).toMatchObject({ deleted: 0, total: 3 });
  });

  it('never deletes by absence the types of a history step, even when it fully succeeded', async () => {
    const history = [step('hosts', 'host'), { ...step('events', 'event'), history: true }];
    await sync({ keys: { host: ['h1', 'h2'], event: ['e1', 'e2'] }, failing: new Set() }, history);
    const run = await sync({ keys: { host: ['h1'], event: ['e3'] }, failing: new Set() }, history);
    expect(run.status).toBe('success');
    expect(run.types.find((t) => t.type === 'event')).toMatchObject({ created: 1, deleted: 0, total: 3 });
    expect(run.types.find((t) => t.type === 'host')).toMatchObject({ deleted: 1, total: 1 });
  });

  it('fails a step that writes a type it did not declare, and deletes nothing of it', async () => {
    const rogue: IntegrationStep<FakeSource> = {
      ...step('rogue', 'declared'),
      async execute({ writer }) {
        await writer.entities([entity('undeclared', 'u1')]);
      },
    };
    const run = await sync({ keys: {}, failing: new Set() }, [rogue]);
    expect(run.status).toBe('failure');
    expect(run.steps[0]?.error?.code).toBe('INTERNAL_ERROR');
    expect(await store.countEntitiesByType()).toEqual({});
  });

  it('stops between batches when its signal aborts: deletes nothing, records `interrupted` with what it wrote', async () => {
    await sync({ keys: { host: ['h1', 'h2', 'h3'], finding: ['f1'], owner: ['o1'] }, failing: new Set() });
    const controller = new AbortController();
    const started: string[] = [];
    const stopping: IntegrationStep<FakeSource> = {
      ...step('findings', 'finding', ['hosts']),
      async execute({ writer }) {
        controller.abort();
        await writer.entities([entity('finding', 'f2')]);
      },
    };
    const attempt = runSync({
      store,
      integrationId: 'fake',
      steps: [step('hosts', 'host'), stopping, step('owners', 'owner')],
      client: { keys: { host: ['h4'], owner: [] }, failing: new Set<string>() },
      signal: controller.signal,
      observer: { stepStarted: (s) => started.push(s.id), stepProgress: () => {}, stepFinished: () => {} },
    });
    await expect(attempt).rejects.toMatchObject({ code: 'SYNC_INTERRUPTED' });
    expect(started).toEqual(['hosts', 'findings']);
    const [run] = await store.listRuns('fake', 1);
    expect(run?.status).toBe('interrupted');
    expect(await store.listChanges(run!.id)).toEqual([
      { kind: 'entity', type: 'host', created: 1, updated: 0, deleted: 0 },
    ]);
    const recorded = await store.listSteps(run!.id);
    expect(recorded.map((s) => [s.stepId, s.status, s.error?.code]).sort()).toEqual([
      ['findings', 'failure', 'SYNC_INTERRUPTED'],
      ['hosts', 'success', undefined],
    ]);
    // f2 came after the stop; h1–h3 were not deleted although this run's complete hosts step did not see them.
    expect(await store.countEntitiesByType('fake')).toEqual({ host: 4, finding: 1, owner: 1 });
    const next = await sync({ keys: { host: ['h1'], finding: ['f1'], owner: ['o1'] }, failing: new Set() });
    expect(next.status).toBe('success');
  });

  it('refuses a second run of the integration while one holds its lock, writing nothing', async () => {
    const lock = await store.acquireRunLock('fake');
    expect(lock).toBeDefined();
    await expect(sync({ keys: { host: ['h1'] }, failing: new Set() })).rejects.toMatchObject({
      code: 'SYNC_IN_PROGRESS',
    });
    expect(await store.listRuns('fake')).toEqual([]);
    expect(await store.countEntitiesByType()).toEqual({});
    await lock?.release();
    expect((await sync({ keys: { host: ['h1'] }, failing: new Set() })).status).toBe('success');
  });

  it('does not write the relationships of a step whose entity write failed', async () => {
    let deep: JsonValue = 'bottom';
    for (let level = 0; level < 100_000; level++) deep = [deep];
    const good = entity('host', 'h1');
    const broken: Entity = { ...entity('host', 'h2'), rawData: deep };
    const linking: IntegrationStep<FakeSource> = {
      id: 'hosts',
      name: 'hosts',
      entityTypes: ['host'],
      relationshipTypes: ['host_connects_host'],
      dependsOn: [],
      async execute({ writer }) {
        await writer.entities([good, broken]);
        await writer.relationships([relationship(good, 'CONNECTS', broken)]);
      },
    };
    const run = await sync({ keys: {}, failing: new Set() }, [linking]);
    expect(run.status).toBe('failure');
    expect(run.steps[0]?.error?.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(await store.countEntitiesByType()).toEqual({});
    expect(await store.countRelationshipsByType()).toEqual({});
  });

  it('orders steps and rejects duplicates, unknown dependencies and cycles', () => {
    expect(
      orderSteps([
        { id: 'b', dependsOn: ['a'] },
        { id: 'a', dependsOn: [] },
      ]).map((s) => s.id),
    ).toEqual(['a', 'b']);
    expect(() =>
      orderSteps([
        { id: 'a', dependsOn: [] },
        { id: 'a', dependsOn: [] },
      ]),
    ).toThrow(/declared twice/);
    expect(() => orderSteps([{ id: 'a', dependsOn: ['x'] }])).toThrow(/unknown step x/);
    expect(() =>
      orderSteps([
        { id: 'a', dependsOn: ['b'] },
        { id: 'b', dependsOn: ['a'] },
      ]),
    ).toThrow(/cycle/);
  });
});
