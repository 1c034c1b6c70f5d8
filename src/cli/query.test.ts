import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/cli.ts';
import { relationship } from '../graph/keys.ts';
import type { Entity } from '../graph/types.ts';
import { openStore } from '../store/index.ts';

const agent: Entity = {
  _key: 'threatstack:agent:1',
  _type: 'threatstack_agent',
  _class: 'HostAgent',
  displayName: 'web, "one"',
  properties: { status: 'offline', hostname: 'web-1' },
};
const cve: Entity = {
  _key: 'cve-2024-1',
  _type: 'cve',
  _class: 'Vulnerability',
  displayName: 'CVE-2024-1',
  properties: { severity: 'high' },
};

describe('vigil query', () => {
  let dir: string;
  let db: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-query-cli-'));
    db = join(dir, 'vigil.db');
    const store = await openStore(db);
    const run = await store.createRun('ts1', '2024-05-01T10:00:00.000Z');
    await store.writeEntities(run, 'ts1', [agent, cve], '2024-05-01T10:00:00.000Z');
    await store.writeRelationships(
      run,
      'ts1',
      [relationship(agent, 'IDENTIFIED', cve)],
      '2024-05-01T10:00:00.000Z',
    );
    await store.close();
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const hosts =
    "FIND threatstack_agent AS a THAT IDENTIFIED cve WITH severity = 'high' AS c RETURN a, a.hostname, COUNT(c)";

  it('prints JupiterOne result shapes with --format json', async () => {
    const table = await runCli(['query', hosts, '--format', 'json', '--db', db]);
    expect(table.code).toBe(0);
    expect(JSON.parse(table.stdout)).toEqual({
      type: 'table',
      data: [
        {
          a: {
            ...agent.properties,
            _key: agent._key,
            _type: agent._type,
            _class: 'HostAgent',
            displayName: agent.displayName,
          },
          'a.hostname': 'web-1',
          'COUNT(c)': 1,
        },
      ],
    });
    const list = await runCli([
      'query',
      'FIND cve THAT IDENTIFIED HostAgent',
      '--format',
      'json',
      '--db',
      db,
    ]);
    expect(JSON.parse(list.stdout)).toEqual({
      type: 'list',
      data: [
        {
          severity: 'high',
          _key: 'cve-2024-1',
          _type: 'cve',
          _class: 'Vulnerability',
          displayName: 'CVE-2024-1',
        },
      ],
    });
  });

  it('prints an aligned table by default and RFC 4180 CSV with --format csv', async () => {
    const table = await runCli(['query', hosts, '--db', db]);
    expect(table.stdout.split('\n')[0]).toMatch(/^a\s+a\.hostname\s+COUNT\(c\)$/);
    expect(table.stdout).toContain('threatstack:agent:1  web-1');
    const csv = await runCli(['query', 'FIND HostAgent', '--format', 'csv', '--db', db]);
    expect(csv.stdout).toBe(
      '_key,_type,_class,displayName\nthreatstack:agent:1,threatstack_agent,HostAgent,"web, ""one"""\n',
    );
  });

  it('exits 2 with the position and a caret for a bad query, and for bad flags', async () => {
    const bad = await runCli(['query', 'FIND cve WITH', '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      "error QUERY_INVALID: Invalid query at line 1, column 14: expected '(' or a name but found the end of the query\nFIND cve WITH\n             ^\n",
    );
    const flags = await runCli(['query', 'FIND cve', '--limit', '0', '--db', db]);
    expect(flags.code).toBe(2);
    expect(flags.stderr).toContain('--limit must be at least 1');
  });
});
