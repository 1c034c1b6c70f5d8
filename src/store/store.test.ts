import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import { relationship } from '../graph/keys.ts';
import type { Entity, Properties, Relationship } from '../graph/types.ts';
import { openStore } from './index.ts';
import { storeBackends, type TestStore, testPostgresUrl } from './testing.ts';
import type { GraphStore } from './types.ts';

if (testPostgresUrl === undefined) console.log('store tests: PostgreSQL skipped (set VIGIL_TEST_PG_URL)');

/** Minute `n` of a fixed day, as the ISO text the engine passes. */
const at = (minute: number) => `2024-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

function agent(id: string, properties: Properties = {}, rawData?: Entity['rawData']): Entity {
  return {
    _key: `threatstack:agent:${id}`,
    _type: 'threatstack_agent',
    _class: 'HostAgent',
    displayName: `agent ${id}`,
    properties: { id, ...properties },
    ...(rawData === undefined ? {} : { rawData }),
  };
}

function cve(id: string): Entity {
  return {
    _key: `cve-${id}`,
    _type: 'cve',
    _class: 'Vulnerability',
    displayName: `CVE-${id}`,
    properties: {},
  };
}

const account: Entity = {
  _key: 'threatstack:account:org1',
  _type: 'threatstack_account',
  _class: 'Account',
  displayName: 'org1',
  properties: {},
};

const has = (to: Entity, properties: Properties = {}): Relationship =>
  relationship(account, 'HAS', to, properties);

describe.each(storeBackends)('GraphStore on $name', (backend) => {
  let opened: TestStore | undefined;
  let store: GraphStore;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
    store = opened.store;
  });

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  async function newRun(integrationId = 'ts1', minute = 0): Promise<string> {
    return store.createRun(integrationId, at(minute));
  }

  it('migrates idempotently: twice more, and again on reopen, keeping the data', async () => {
    expect(store.dialect).toBe(backend.name);
    await store.migrate();
    await store.migrate();
    const run = await newRun();
    await store.writeEntities(run, 'ts1', [agent('a1')], at(0));
    const again = await opened!.reopen();
    expect(await again.getEntity('threatstack:agent:a1')).toMatchObject({ displayName: 'agent a1' });
  });

  it('counts created, unchanged and updated rows per type', async () => {
    const run = await newRun();
    expect(await store.writeEntities(run, 'ts1', [agent('a1'), agent('a2'), cve('1')], at(0))).toEqual({
      threatstack_agent: { created: 2, updated: 0 },
      cve: { created: 1, updated: 0 },
    });
    const run2 = await newRun('ts1', 1);
    expect(await store.writeEntities(run2, 'ts1', [agent('a1'), agent('a2'), cve('1')], at(1))).toEqual({
      threatstack_agent: { created: 0, updated: 0 },
      cve: { created: 0, updated: 0 },
    });
    expect(
      await store.writeEntities(run2, 'ts1', [agent('a1', { os: 'linux' }), agent('a3')], at(1)),
    ).toEqual({
      threatstack_agent: { created: 1, updated: 1 },
    });
    expect(await store.writeRelationships(run2, 'ts1', [has(agent('a1'))], at(1))).toEqual({
      threatstack_account_has_threatstack_agent: { created: 1, updated: 0 },
    });
    expect(await store.writeRelationships(run2, 'ts1', [has(agent('a1'), { since: 1 })], at(2))).toEqual({
      threatstack_account_has_threatstack_agent: { created: 0, updated: 1 },
    });
    expect(await store.writeEntities(run2, 'ts1', [], at(2))).toEqual({});
  });

  it('never rewrites an unchanged row; an update keeps first_seen_at', async () => {
    const run = await newRun();
    await store.writeEntities(run, 'ts1', [agent('a1'), agent('a2')], at(0));
    await store.writeRelationships(run, 'ts1', [has(agent('a1'))], at(0));
    const run2 = await newRun('ts1', 5);
    await store.writeEntities(run2, 'ts1', [agent('a1'), agent('a2', { os: 'linux' })], at(5));
    await store.writeRelationships(run2, 'ts1', [has(agent('a1'))], at(5));

    const unchanged = await store.getEntity('threatstack:agent:a1');
    expect(unchanged).toMatchObject({ firstSeenAt: at(0), updatedAt: at(0) });
    const updated = await store.getEntity('threatstack:agent:a2');
    expect(updated).toMatchObject({
      firstSeenAt: at(0),
      updatedAt: at(5),
      properties: { id: 'a2', os: 'linux' },
    });
    expect(updated?.contentHash).not.toBe(unchanged?.contentHash);
    const link = await store.getRelationship(has(agent('a1'))._key);
    expect(link).toMatchObject({ firstSeenAt: at(0), updatedAt: at(0) });
  });

  it('round-trips entities: properties, raw data absent, null or nested', async () => {
    const run = await newRun();
    const raw = { id: 'a2', tags: [{ key: 'env', value: 'prod' }], nested: { deep: [1, 2.5, null, true] } };
    const entities = [
      agent('a1'),
      agent('a2', { ips: ['10.0.0.1'], online: true, seen: 3 }, raw),
      agent('a3', {}, null),
    ];
    await store.writeEntities(run, 'ts1', entities, at(0));

    const stored = await store.getEntity('threatstack:agent:a2');
    expect(stored).toEqual({
      ...entities[1],
      integrationId: 'ts1',
      contentHash: expect.any(String),
      firstSeenAt: at(0),
      updatedAt: at(0),
    });
    expect(await store.getEntity('threatstack:agent:a1')).not.toHaveProperty('rawData');
    expect(await store.getEntity('threatstack:agent:a3')).toHaveProperty('rawData', null);
    expect(await store.getEntity('threatstack:agent:nope')).toBeUndefined();
    expect(await store.getRelationship('nope')).toBeUndefined();
  });

  it('deletes by absence only the unseen rows of that integration and type', async () => {
    const run = await newRun('ts1');
    await store.writeEntities(run, 'ts1', [agent('a1'), agent('a2'), agent('a3'), cve('1')], at(0));
    await store.writeRelationships(run, 'ts1', [has(agent('a1')), has(agent('a2'))], at(0));
    const other = await newRun('ts2');
    await store.writeEntities(other, 'ts2', [agent('b1')], at(0));

    const run2 = await newRun('ts1', 1);
    await store.writeEntities(run2, 'ts1', [agent('a1', { changed: true }), agent('a3')], at(1));
    await store.writeRelationships(run2, 'ts1', [has(agent('a1'))], at(1));
    expect(await store.deleteUnseen(run2, 'ts1', 'entity', 'threatstack_agent')).toBe(1);
    expect(
      await store.deleteUnseen(run2, 'ts1', 'relationship', 'threatstack_account_has_threatstack_agent'),
    ).toBe(1);
    expect(await store.deleteUnseen(run2, 'ts1', 'entity', 'threatstack_agent')).toBe(0);

    expect(await store.getEntity('threatstack:agent:a2')).toBeUndefined();
    expect(await store.getEntity('threatstack:agent:a1')).toBeDefined();
    expect(await store.getEntity('threatstack:agent:a3')).toBeDefined();
    expect(await store.getEntity('cve-1')).toBeDefined();
    expect(await store.getEntity('threatstack:agent:b1')).toMatchObject({ integrationId: 'ts2' });
    expect(await store.relationshipsOf(account._key)).toHaveLength(1);
  });

  it("respects ownership: another integration's key is not written, counted or seen", async () => {
    const owner = await newRun('ts1');
    await store.writeEntities(owner, 'ts1', [agent('a1')], at(0));
    const intruder = await newRun('ts2');
    expect(
      await store.writeEntities(intruder, 'ts2', [agent('a1', { stolen: true }), agent('b1')], at(1)),
    ).toEqual({
      threatstack_agent: { created: 1, updated: 0 },
    });
    expect(await store.getEntity('threatstack:agent:a1')).toMatchObject({
      integrationId: 'ts1',
      properties: { id: 'a1' },
    });
    expect(await store.deleteUnseen(intruder, 'ts2', 'entity', 'threatstack_agent')).toBe(0);
    expect(await store.getEntity('threatstack:agent:a1')).toBeDefined();

    // Being "seen" by the other integration's run does not protect a1 from its owner's delete.
    const owner2 = await newRun('ts1', 2);
    expect(await store.deleteUnseen(owner2, 'ts1', 'entity', 'threatstack_agent')).toBe(1);
    expect(await store.countEntitiesByType()).toEqual({ threatstack_agent: 1 });
  });

  it('handles duplicate keys within a batch (last wins, counted once) and across batches', async () => {
    const run = await newRun();
    const first = agent('a1', { v: 1 });
    const last = agent('a1', { v: 2 });
    expect(await store.writeEntities(run, 'ts1', [first, agent('a2'), last], at(0))).toEqual({
      threatstack_agent: { created: 2, updated: 0 },
    });
    expect((await store.getEntity(first._key))?.properties).toEqual({ id: 'a1', v: 2 });
    expect(await store.writeEntities(run, 'ts1', [last], at(1))).toEqual({
      threatstack_agent: { created: 0, updated: 0 },
    });
    expect(await store.writeEntities(run, 'ts1', [first], at(2))).toEqual({
      threatstack_agent: { created: 0, updated: 1 },
    });
    const link = has(first);
    expect(await store.writeRelationships(run, 'ts1', [link, link, link], at(2))).toEqual({
      threatstack_account_has_threatstack_agent: { created: 1, updated: 0 },
    });
    expect(await store.deleteUnseen(run, 'ts1', 'entity', 'threatstack_agent')).toBe(0);
  });

  it('aborts a run left running on the next createRun, keeping its rows', async () => {
    const crashed = await newRun('ts1', 0);
    await store.writeEntities(crashed, 'ts1', [agent('a1')], at(0));
    const elsewhere = await newRun('ts2', 0);

    const next = await newRun('ts1', 10);
    expect(next).not.toBe(crashed);
    expect(await store.getRun(crashed)).toMatchObject({ status: 'aborted', finishedAt: null });
    expect(await store.getRun(elsewhere)).toMatchObject({ status: 'running' });
    expect(await store.getRun(next)).toMatchObject({
      status: 'running',
      integrationId: 'ts1',
      startedAt: at(10),
    });
    expect(await store.getEntity('threatstack:agent:a1')).toBeDefined();
    // The crashed run's seen set is gone, and a run no longer running deletes nothing (had it only
    // lost its lock, its now empty seen set would otherwise delete every row of the type).
    expect(await store.deleteUnseen(crashed, 'ts1', 'entity', 'threatstack_agent')).toBe(0);
    expect(await store.deleteUnseen(next, 'ts1', 'entity', 'threatstack_agent')).toBe(1);
  });

  it('round-trips runs, steps and changes', async () => {
    const first = await newRun('ts1', 0);
    const second = await newRun('ts2', 1);
    const third = await newRun('ts1', 2);
    const summary = { requests: 12, retries: 1, durationMs: 340, steps: ['fetch-agents'] };
    await store.finishRun(third, 'partial', at(3), summary);

    expect(await store.getRun(third)).toEqual({
      id: third,
      integrationId: 'ts1',
      status: 'partial',
      startedAt: at(2),
      finishedAt: at(3),
      summary,
    });
    expect(await store.getRun('no-such-run')).toBeUndefined();
    expect((await store.listRuns()).map((run) => run.id)).toEqual([third, second, first]);
    expect((await store.listRuns('ts1')).map((run) => run.id)).toEqual([third, first]);
    expect((await store.listRuns(undefined, 1)).map((run) => run.id)).toEqual([third]);
    await expect(store.listRuns(undefined, -1)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(store.finishRun('no-such-run', 'success', at(4), {})).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    const failed = {
      runId: third,
      stepId: 'fetch-vulnerabilities',
      status: 'failure' as const,
      startedAt: at(2),
      finishedAt: at(3),
      types: ['cve', 'threatstack_agent_identified_cve'],
      error: { code: 'PROVIDER_API_ERROR', message: 'HTTP 503 after 3 retries' },
    };
    const fetched = {
      ...failed,
      stepId: 'fetch-agents',
      status: 'success' as const,
      types: ['threatstack_agent'],
      error: null,
    };
    await store.recordStep(failed);
    await store.recordStep(fetched);
    await store.recordStep({ ...fetched, finishedAt: at(4) });
    expect(await store.listSteps(third)).toEqual([{ ...fetched, finishedAt: at(4) }, failed]);
    expect(await store.listSteps(first)).toEqual([]);

    await store.recordChanges(third, [
      { kind: 'entity', type: 'threatstack_agent', created: 3, updated: 1, deleted: 0 },
      {
        kind: 'relationship',
        type: 'threatstack_account_has_threatstack_agent',
        created: 3,
        updated: 0,
        deleted: 2,
      },
    ]);
    await store.recordChanges(third, [
      { kind: 'entity', type: 'threatstack_agent', created: 3, updated: 1, deleted: 4 },
    ]);
    expect(await store.listChanges(third)).toEqual([
      { kind: 'entity', type: 'threatstack_agent', created: 3, updated: 1, deleted: 4 },
      {
        kind: 'relationship',
        type: 'threatstack_account_has_threatstack_agent',
        created: 3,
        updated: 0,
        deleted: 2,
      },
    ]);
  });

  it('counts rows by type, for all integrations or one', async () => {
    const run = await newRun('ts1');
    await store.writeEntities(run, 'ts1', [account, agent('a1'), agent('a2'), cve('1')], at(0));
    await store.writeRelationships(run, 'ts1', [has(agent('a1')), has(agent('a2'))], at(0));
    const other = await newRun('ts2');
    await store.writeEntities(other, 'ts2', [agent('b1')], at(0));

    expect(await store.countEntitiesByType()).toEqual({
      threatstack_account: 1,
      threatstack_agent: 3,
      cve: 1,
    });
    expect(await store.countEntitiesByType('ts2')).toEqual({ threatstack_agent: 1 });
    expect(await store.countEntitiesByType('nobody')).toEqual({});
    expect(await store.countRelationshipsByType('ts1')).toEqual({
      threatstack_account_has_threatstack_agent: 2,
    });
  });

  it('finds the relationships of an entity in either direction', async () => {
    const run = await newRun();
    const a1 = agent('a1');
    const identified = relationship(a1, 'IDENTIFIED', cve('1'), { severity: 'high', suppressed: false });
    await store.writeRelationships(run, 'ts1', [has(a1), identified, has(agent('a2'))], at(0));

    const links = await store.relationshipsOf(a1._key);
    expect(links.map((link) => link._key).sort()).toEqual([has(a1)._key, identified._key].sort());
    expect(links.find((link) => link._class === 'IDENTIFIED')).toMatchObject({
      ...identified,
      integrationId: 'ts1',
      firstSeenAt: at(0),
    });
    expect(await store.relationshipsOf('cve-1')).toHaveLength(1);
    expect(await store.relationshipsOf('nothing')).toEqual([]);
  });

  it('lists entities of a type by display name, filtered and paged', async () => {
    const run = await newRun();
    const names = ['Charlie', 'alpha', 'Bravo'];
    await store.writeEntities(
      run,
      'ts1',
      names.map((name, i) => ({ ...agent(`x${i}`), displayName: name })),
      at(0),
    );
    await store.writeEntities(run, 'ts1', [cve('9')], at(0));
    const listed = await store.listEntities({ type: agent('x')._type });
    expect(listed.map((e) => e.displayName)).toEqual(['alpha', 'Bravo', 'Charlie']);
    expect(
      (await store.listEntities({ type: agent('x')._type, displayName: 'ALPHA' })).map((e) => e._key),
    ).toEqual([agent('x1')._key]);
    expect(
      (await store.listEntities({ type: agent('x')._type, limit: 1, offset: 1 })).map((e) => e.displayName),
    ).toEqual(['Bravo']);
    expect(await store.listEntities({ type: 'nothing' })).toEqual([]);
  });

  it('writes a 20 000-entity batch across chunks, then finds it unchanged', async () => {
    const many = Array.from({ length: 20_000 }, (_, index) => agent(`n${index}`, { index }));
    const run = await newRun();
    expect(await store.writeEntities(run, 'ts1', many, at(0))).toEqual({
      threatstack_agent: { created: 20_000, updated: 0 },
    });
    const run2 = await newRun('ts1', 1);
    expect(await store.writeEntities(run2, 'ts1', many.slice(0, 15_000), at(1))).toEqual({
      threatstack_agent: { created: 0, updated: 0 },
    });
    expect(await store.deleteUnseen(run2, 'ts1', 'entity', 'threatstack_agent')).toBe(5_000);
    expect(await store.countEntitiesByType('ts1')).toEqual({ threatstack_agent: 15_000 });
    expect(await store.getEntity('threatstack:agent:n14999')).toMatchObject({ updatedAt: at(0) });
  });

  it('writes a batch all or nothing', async () => {
    const run = await newRun();
    const unserialisable = { ...agent('bad'), properties: { big: 1n } as unknown as Properties };
    const batch = [...Array.from({ length: 5_000 }, (_, index) => agent(`n${index}`)), unserialisable];
    await expect(store.writeEntities(run, 'ts1', batch, at(0))).rejects.toMatchObject({
      code: 'STORE_ERROR',
    });
    expect(await store.countEntitiesByType()).toEqual({});
    expect(await store.writeEntities(run, 'ts1', [agent('n1')], at(1))).toEqual({
      threatstack_agent: { created: 1, updated: 0 },
    });
  });

  it('serves concurrent callers without mixing their transactions', async () => {
    const run = await newRun();
    const batches = [0, 1, 2, 3].map((part) =>
      Array.from({ length: 500 }, (_, index) => agent(`p${part}-${index}`)),
    );
    const results = await Promise.all(batches.map((batch) => store.writeEntities(run, 'ts1', batch, at(0))));
    expect(results.map((counts) => counts.threatstack_agent?.created)).toEqual([500, 500, 500, 500]);
    expect(await store.countEntitiesByType()).toEqual({ threatstack_agent: 2_000 });
    await store.clearSeen(run);
    expect(await store.deleteUnseen(run, 'ts1', 'entity', 'threatstack_agent')).toBe(2_000);
  });
});

describe('openStore failures', () => {
  it('reports an unreachable PostgreSQL as STORE_ERROR without the password', async () => {
    const failure = await openStore('postgres://vigil:s3cret-Pa55@127.0.0.1:1/test').catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(VigilError);
    const error = failure as VigilError;
    expect(error.code).toBe('STORE_ERROR');
    expect(error.message).toMatch(/^Store operation migrate failed on postgres:\/\/127\.0\.0\.1:1\/test: /);
    expect(JSON.stringify({ ...error.toJSON(), details: error.details })).not.toContain('s3cret-Pa55');
    expect(error.message).not.toContain('vigil:');
  });

  it('reports a SQLite file that cannot be created as STORE_ERROR', async () => {
    await expect(openStore('/nonexistent-dir/deeper/vigil.db')).rejects.toMatchObject({
      code: 'STORE_ERROR',
      message: expect.stringContaining('Store operation open failed on /nonexistent-dir/deeper/vigil.db'),
    });
  });

  it('refuses a schema name that would need quoting', async () => {
    await expect(
      openStore('postgres://postgres@127.0.0.1:1/test', { schema: 'x"; DROP' }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
