import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relationship } from '../../src/graph/keys.ts';
import type { Entity } from '../../src/graph/types.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { queryRoutes } from '../../src/server/routes/query.ts';
import { storeBackends, type TestStore } from '../../src/store/testing.ts';
import { bearer, type Harness, openHarness } from './harness.ts';

const at = '2026-06-01T10:00:00.000Z';
const agent = (id: number, status: string): Entity => ({
  _key: `threatstack:agent:${id}`,
  _type: 'threatstack_agent',
  _class: 'HostAgent',
  displayName: `web-${id}`,
  properties: { status, hostname: `web-${id}` },
});
const cve: Entity = {
  _key: 'cve-2024-1',
  _type: 'cve',
  _class: 'Vulnerability',
  displayName: 'CVE-2024-1',
  properties: { severity: 'high' },
};

/** `POST /api/v1/query` over a real store, through the server's auth, validation and errors. */
describe('POST /api/v1/query', () => {
  let graph: TestStore;
  let harness: Harness;
  let viewer: string;

  beforeAll(async () => {
    const sqlite = storeBackends.find((backend) => backend.name === 'sqlite');
    if (sqlite === undefined) throw new Error('no SQLite back end');
    graph = await sqlite.open();
    const { store } = graph;
    const agents = [agent(1, 'online'), agent(2, 'offline'), agent(3, 'offline')];
    const run = await store.createRun('ts1', at);
    await store.writeEntities(run, 'ts1', [...agents, cve], at);
    await store.writeRelationships(run, 'ts1', [relationship(agents[1] as Entity, 'IDENTIFIED', cve)], at);
    const runQuery = (text: string, options?: { limit?: number }) => store.query(parseQuery(text), options);
    harness = await openHarness({ resources: [queryRoutes({ run: runQuery })] });
    viewer = await harness.tokenFor('viewer');
  });
  afterAll(async () => {
    await harness.close();
    await graph.dispose();
  });

  const post = (payload: unknown, headers: Record<string, string> = bearer(viewer)) =>
    harness.app.inject({
      method: 'POST',
      url: '/api/v1/query',
      payload: payload as Record<string, unknown>,
      headers,
    });

  it('answers a list without RETURN and a table with it, to a viewer', async () => {
    const list = await post({ query: "FIND threatstack_agent WITH status = 'offline'" });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      type: 'list',
      data: [
        {
          _key: 'threatstack:agent:2',
          _type: 'threatstack_agent',
          _class: 'HostAgent',
          displayName: 'web-2',
          status: 'offline',
          hostname: 'web-2',
        },
        {
          _key: 'threatstack:agent:3',
          _type: 'threatstack_agent',
          _class: 'HostAgent',
          displayName: 'web-3',
          status: 'offline',
          hostname: 'web-3',
        },
      ],
    });
    const table = await post({
      query: 'FIND threatstack_agent AS a THAT IDENTIFIED cve AS c RETURN a.hostname, COUNT(c)',
    });
    expect(table.json()).toEqual({ type: 'table', data: [{ 'a.hostname': 'web-2', 'COUNT(c)': 1 }] });
  });

  it('caps the results at limit', async () => {
    const limited = await post({ query: 'FIND threatstack_agent', limit: 1 });
    expect(limited.json().data).toHaveLength(1);
  });

  it('refuses a bad query with 400 QUERY_INVALID naming where, and bad bodies with INPUT_INVALID', async () => {
    const bad = await post({ query: 'FIND threatstack_agent WITH' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('QUERY_INVALID');
    expect(bad.json().error.message).toMatch(/line 1, column \d+/);
    const noQuery = await post({ limit: 5 });
    expect(noQuery.statusCode).toBe(400);
    expect(noQuery.json().error).toMatchObject({ code: 'INPUT_INVALID' });
    expect((await post({ query: 'FIND cve', limit: 0 })).statusCode).toBe(400);
  });

  it('needs a token', async () => {
    expect((await post({ query: 'FIND cve' }, {})).statusCode).toBe(401);
  });
});
