import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../errors.ts';
import { relationship } from '../../graph/keys.ts';
import type { Entity, Relationship } from '../../graph/types.ts';
import type { Query } from '../../query/ast.ts';
import { parseQuery } from '../../query/parse.ts';
import { migrate } from '../migrate.ts';
import { writeEntities } from '../operations/writeEntities.ts';
import { writeRelationships } from '../operations/writeRelationships.ts';
import { openSqliteDriver } from '../sqlite-driver.ts';
import { storeBackends, type TestStore } from '../testing.ts';
import type { GraphStore } from '../types.ts';
import { querySql } from './run.ts';

const at = '2024-05-01T10:00:00.000Z';

function agent(id: string, status: string, hostname: string): Entity {
  return {
    _key: `threatstack:agent:${id}`,
    _type: 'threatstack_agent',
    _class: 'HostAgent',
    displayName: hostname,
    properties: { id, status, active: status === 'online', hostname, ipAddresses: [`10.0.0.${id}`] },
  };
}

function cve(id: string, severity: string): Entity {
  return {
    _key: `cve-${id}`,
    _type: 'cve',
    _class: 'Vulnerability',
    displayName: `CVE-${id}`,
    properties: { name: `CVE-${id}`, severity },
  };
}

const agents = [agent('1', 'online', 'web-1'), agent('2', 'offline', 'web-2'), agent('3', 'online', 'db-1')];
const cves = [cve('2024-1', 'high'), cve('2024-2', 'low')];
const graph: { entities: Entity[]; relationships: Relationship[] } = {
  entities: [...agents, ...cves],
  relationships: [
    relationship(agents[0]!, 'IDENTIFIED', cves[0]!, { severity: 'high' }),
    relationship(agents[1]!, 'IDENTIFIED', cves[0]!, { severity: 'high' }),
    relationship(agents[1]!, 'IDENTIFIED', cves[1]!, { severity: 'low' }),
  ],
};

const fields = (entity: Entity) => ({
  _key: entity._key,
  _type: entity._type,
  _class: entity._class,
  displayName: entity.displayName,
});

const keys = (result: { data: Array<Record<string, unknown>> }) => result.data.map((row) => row._key).sort();

describe.each(storeBackends)('GraphStore.query on $name', (backend) => {
  let opened: TestStore | undefined;
  let store: GraphStore;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
    store = opened.store;
    const run = await store.createRun('ts1', at);
    await store.writeEntities(run, 'ts1', graph.entities, at);
    await store.writeRelationships(run, 'ts1', graph.relationships, at);
  });

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('answers without RETURN with a list of whole entities (fields and properties)', async () => {
    expect(
      await store.query(parseQuery('FIND threatstack_agent WITH active = true ORDER BY displayName')),
    ).toEqual({
      type: 'list',
      data: [
        {
          _key: 'threatstack:agent:3',
          _type: 'threatstack_agent',
          _class: 'HostAgent',
          displayName: 'db-1',
          ...agents[2]!.properties,
        },
        {
          _key: 'threatstack:agent:1',
          _type: 'threatstack_agent',
          _class: 'HostAgent',
          displayName: 'web-1',
          ...agents[0]!.properties,
        },
      ],
    });
  });

  it('answers the issue queries: 2-hop aggregate, reverse traversal, hosts of one CVE', async () => {
    const aggregate = await store.query(
      parseQuery(
        "FIND threatstack_agent AS a THAT IDENTIFIED cve WITH severity = 'high' AS c RETURN a._key, COUNT(c) ORDER BY a._key",
      ),
    );
    expect(aggregate).toEqual({
      type: 'table',
      data: [
        { 'a._key': 'threatstack:agent:1', 'COUNT(c)': 1 },
        { 'a._key': 'threatstack:agent:2', 'COUNT(c)': 1 },
      ],
    });
    const reverse = await store.query(
      parseQuery("FIND cve THAT IDENTIFIED threatstack_agent WITH status = 'offline'"),
    );
    expect(keys(reverse)).toEqual(['cve-2024-1', 'cve-2024-2']);
    const hosts = await store.query(
      parseQuery(
        "FIND threatstack_agent AS a THAT IDENTIFIED cve WITH _key = 'cve-2024-1' RETURN a.hostname AS host",
      ),
    );
    expect(hosts.data.map((row) => row.host).sort()).toEqual(['web-1', 'web-2']);
  });

  it('groups by the FIND key before filtering the FIND entity, and still filters it', async () => {
    const text =
      "FIND threatstack_agent WITH status = 'online' AS a THAT IDENTIFIED cve WITH _key = 'cve-2024-1' AS c RETURN a._key, COUNT(c) AS n";
    expect(querySql('sqlite', parseQuery(text)).text).toMatch(/GROUP BY p\.k0\) AS g CROSS JOIN entities e0/);
    const result = await store.query(parseQuery(text));
    expect(result.data).toEqual([{ 'a._key': 'threatstack:agent:1', n: 1 }]);
  });

  it('counts without DISTINCT only where no (group, counted entity) pair can repeat', async () => {
    // Pairs that repeat: a1 HAS and IDENTIFIED c1; c1 IDENTIFIED a1 back; a4 shares a1's hostname.
    const a4 = agent('4', 'online', 'web-1');
    const run = await store.createRun('ts1', at);
    await store.writeEntities(run, 'ts1', [a4], at);
    await store.writeRelationships(
      run,
      'ts1',
      [
        relationship(agents[0]!, 'HAS', cves[0]!),
        relationship(cves[0]!, 'IDENTIFIED', agents[0]!),
        relationship(cves[1]!, 'IDENTIFIED', agents[2]!),
        relationship(a4, 'IDENTIFIED', cves[0]!),
      ],
      at,
    );
    const table = async (text: string) => {
      const counted = /COUNT\(\*\)/.test(querySql('sqlite', parseQuery(text)).text) ? 'star' : 'distinct';
      return { counted, data: (await store.query(parseQuery(text))).data };
    };
    const a = (n: number) => `threatstack:agent:${n}`;
    // One directed step, one verb, grouped by the other end's key: COUNT(*).
    expect(
      await table(
        'FIND threatstack_agent AS a THAT IDENTIFIED >> cve AS c RETURN a._key, COUNT(c) ORDER BY a._key',
      ),
    ).toEqual({
      counted: 'star',
      data: [
        { 'a._key': a(1), 'COUNT(c)': 1 },
        { 'a._key': a(2), 'COUNT(c)': 2 },
        { 'a._key': a(4), 'COUNT(c)': 1 },
      ],
    });
    // Undirected, one verb: the reverse arm leaves out pairs the forward arm holds (a1–c1 twice).
    expect(
      await table(
        'FIND threatstack_agent AS a THAT IDENTIFIED cve AS c RETURN a._key, COUNT(c) ORDER BY a._key',
      ),
    ).toEqual({
      counted: 'star',
      data: [
        { 'a._key': a(1), 'COUNT(c)': 1 },
        { 'a._key': a(2), 'COUNT(c)': 2 },
        { 'a._key': a(3), 'COUNT(c)': 1 },
        { 'a._key': a(4), 'COUNT(c)': 1 },
      ],
    });
    const byCve = await table('FIND cve AS c THAT IDENTIFIED threatstack_agent AS a RETURN c, COUNT(a)');
    expect(byCve.counted).toBe('star');
    expect(byCve.data.map((row) => [(row.c as { _key: string })._key, row['COUNT(a)']]).sort()).toEqual([
      ['cve-2024-1', 3],
      ['cve-2024-2', 2],
    ]);
    // Several verbs: a1 reaches c1 by HAS and by IDENTIFIED.
    expect(
      await table(
        'FIND threatstack_agent AS a THAT (HAS|IDENTIFIED) >> cve AS c RETURN a._key, COUNT(c) ORDER BY a._key',
      ),
    ).toMatchObject({
      counted: 'distinct',
      data: [{ 'a._key': a(1), 'COUNT(c)': 1 }, { 'COUNT(c)': 2 }, { 'COUNT(c)': 1 }],
    });
    // Grouped by a shared hostname: a1 and a4 both reach c1.
    expect(
      await table(
        'FIND threatstack_agent AS a THAT IDENTIFIED >> cve AS c RETURN a.hostname, COUNT(c) ORDER BY a.hostname',
      ),
    ).toEqual({
      counted: 'distinct',
      data: [
        { 'a.hostname': 'web-1', 'COUNT(c)': 1 },
        { 'a.hostname': 'web-2', 'COUNT(c)': 2 },
      ],
    });
    // Counting the grouped alias itself.
    expect(
      await table(
        'FIND threatstack_agent AS a THAT IDENTIFIED >> cve AS c RETURN a._key, COUNT(a) ORDER BY a._key',
      ),
    ).toMatchObject({
      counted: 'distinct',
      data: [{ 'COUNT(a)': 1 }, { 'COUNT(a)': 1 }, { 'COUNT(a)': 1 }],
    });
  });

  it('returns whole entities beside aggregates, ordered by any field of a returned entity', async () => {
    const entity = (row: Record<string, unknown>, label: string) => (row[label] as { _key: string })._key;
    const byCve = await store.query(
      parseQuery(
        'FIND cve AS c THAT IDENTIFIED threatstack_agent AS a RETURN c, COUNT(a) ORDER BY c._key DESC',
      ),
    );
    expect(byCve.data.map((row) => [entity(row, 'c'), row['COUNT(a)']])).toEqual([
      ['cve-2024-2', 1],
      ['cve-2024-1', 2],
    ]);
    expect(byCve.data[0]?.c).toEqual({ ...cves[1]!.properties, ...fields(cves[1]!) });
    const byAgent = await store.query(
      parseQuery(
        'FIND threatstack_agent AS a THAT IDENTIFIED cve AS c RETURN a, c, COUNT(c) AS n ORDER BY a.hostname',
      ),
    );
    expect(byAgent.data.map((row) => [entity(row, 'a'), entity(row, 'c'), row.n])).toEqual([
      ['threatstack:agent:1', 'cve-2024-1', 1],
      ['threatstack:agent:2', 'cve-2024-1', 1],
      ['threatstack:agent:2', 'cve-2024-2', 1],
    ]);
    const highest = await store.query(
      parseQuery(
        'FIND cve AS c THAT IDENTIFIED threatstack_agent AS a RETURN c, MAX(a.id) AS top ORDER BY c.severity',
      ),
    );
    expect(highest.data.map((row) => entity(row, 'c'))).toEqual(['cve-2024-1', 'cve-2024-2']);
  });

  it('caps results with the limit option on top of the query LIMIT', async () => {
    expect((await store.query(parseQuery('FIND * ORDER BY _key'), { limit: 2 })).data).toHaveLength(2);
    expect((await store.query(parseQuery('FIND * ORDER BY _key LIMIT 1'), { limit: 3 })).data).toHaveLength(
      1,
    );
  });

  it('binds hostile values, regexes and verbs: no harm, exact results', async () => {
    const hostile = [
      "FIND threatstack_agent WITH hostname = 'x\\'; DROP TABLE entities; --'",
      "FIND threatstack_agent WITH hostname = \"web-1' OR '1'='1\"",
      'FIND threatstack_agent WITH hostname ~= "\'); DELETE FROM relationships; --"',
      "FIND threatstack_agent WITH hostname = /.*'\\); DROP TABLE entities; --/",
      "FIND threatstack_agent AS a WHERE a.hostname = '$.status' OR a.hostname = '\\u0000'",
    ];
    for (const text of hostile) expect((await store.query(parseQuery(text))).data).toEqual([]);
    const odd = agent('4', 'online', `o'hara"; DROP TABLE entities; --`);
    await store.writeEntities(await store.createRun('ts1', at), 'ts1', [odd], at);
    const exact = await store.query(
      parseQuery(
        `FIND threatstack_agent WITH hostname = 'o\\'hara"; DROP TABLE entities; --' AND hostname ^= "o'h"`,
      ),
    );
    expect(keys(exact)).toEqual([odd._key]);
    const injectedVerb: Query = {
      ...parseQuery('FIND threatstack_agent THAT IDENTIFIED cve'),
    };
    injectedVerb.traversals = injectedVerb.traversals.map((step) => ({
      ...step,
      verbs: ["IDENTIFIED') OR ('1'='1"],
    }));
    expect((await store.query(injectedVerb)).data).toEqual([]);
    expect(await store.countEntitiesByType()).toEqual({ cve: 2, threatstack_agent: 4 });
    expect(await store.countRelationshipsByType()).toEqual({ threatstack_agent_identified_cve: 3 });
  });

  it('refuses property names outside the allowlist before any SQL is written', async () => {
    const query = parseQuery("FIND threatstack_agent WITH status = 'online'");
    for (const property of ["status') = 1; DROP TABLE entities; --", 'a"b', "x'", 'a..b', '']) {
      const injected: Query = {
        ...query,
        find: {
          ...query.find,
          where: {
            kind: 'compare',
            left: { alias: '$0', property },
            op: '=',
            right: { kind: 'string', value: 'x' },
          },
        },
      };
      const error = await store.query(injected).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe('QUERY_INVALID');
    }
    expect(await store.countEntitiesByType()).toEqual({ cve: 2, threatstack_agent: 3 });
  });
});

describe('compiled SQL on SQLite uses the query indexes', () => {
  let dir: string | undefined;

  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function plan(text: string): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'vigil-query-'));
    const driver = openSqliteDriver(join(dir, 'vigil.db'));
    try {
      await migrate(driver);
      await writeEntities(driver, 'r1', 'ts1', graph.entities, at);
      await writeRelationships(driver, 'r1', 'ts1', graph.relationships, at);
      const compiled = querySql('sqlite', parseQuery(text));
      const rows = await driver.all(`EXPLAIN QUERY PLAN ${compiled.text}`, compiled.params);
      return rows.map((row) => String(row.detail)).join('\n');
    } finally {
      await driver.close();
    }
  }

  it('joins relationships through the (key, class, key) covering indexes', async () => {
    const detail = await plan(
      "FIND threatstack_agent AS a THAT IDENTIFIED cve WITH severity = 'high' AS c RETURN a._key, COUNT(c)",
    );
    expect(detail).toMatch(/USING COVERING INDEX relationships_(from_class_to|to_class_from)/);
    expect(detail).not.toMatch(/SCAN r1\b/);
  });

  it('probes relationships per entity on PostgreSQL (LATERAL … OFFSET 0), never on SQLite', () => {
    const reverse = parseQuery("FIND cve THAT IDENTIFIED threatstack_agent WITH status = 'offline'");
    expect(querySql('postgres', reverse).text.match(/LATERAL \(SELECT r1\.class/g)).toHaveLength(2);
    expect(querySql('postgres', reverse).text).toMatch(/OFFSET 0\) AS r1/);
    expect(querySql('sqlite', reverse).text).not.toMatch(/LATERAL/);
  });

  it('finds entities by a filtered property through its expression index', async () => {
    expect(await plan("FIND threatstack_agent WITH status = 'offline'")).toMatch(
      /USING INDEX entities_type_status/,
    );
  });
});
