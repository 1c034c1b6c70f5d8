import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEntity } from '../../src/graph/types.ts';
import { graphEntities } from '../../src/graph/vocabulary.ts';
import type { QueryEntity } from '../../src/query/result.ts';
import type { GraphStore } from '../../src/store/types.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';
import { syncOnce, tempStore } from '../helpers/sync.ts';
import { type SimHarness, startSim } from '../helpers/threatstack.ts';

/**
 * The reading shortcuts over a graph synced from the Threat Stack simulator. Each expectation is
 * computed from the store's own listings (not J1QL), so a wrong query shows as a difference.
 */
describe('vigil agents list, cves list, alerts list|show, hosts --cve', () => {
  let h: SimHarness;
  let store: GraphStore;
  let db: string;
  let dispose: () => Promise<void>;
  let home: string;
  let agents: StoredEntity[];
  let alerts: StoredEntity[];
  const env = () => {
    const vars: NodeJS.ProcessEnv = { ...process.env, VIGIL_HOME: home, COLUMNS: '200' };
    delete vars.VIGIL_DB;
    return vars;
  };
  const vigil = (...args: string[]) => runInProcess([...args, '--db', db], env());
  const json = async <T>(...args: string[]): Promise<T> => {
    const result = await vigil(...args, '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as T;
  };
  /** The agent keys that IDENTIFIED a CVE key, from the store's relationships. */
  const agentsWith = async (cveKey: string) =>
    (await store.relationshipsOf(cveKey))
      .filter((r) => r._class === 'IDENTIFIED')
      .map((r) => r.fromKey)
      .sort();

  beforeAll(async () => {
    h = await startSim({ agents: 25, offlineRatio: 0.3, cves: 8, findingsPerAgent: 2, alerts: 30 });
    ({ store, path: db, dispose } = await tempStore());
    home = await mkdtemp(join(tmpdir(), 'vigil-reading-'));
    await syncOnce(h, store);
    agents = await store.listEntities({ type: 'threatstack_agent' });
    alerts = await store.listEntities({ type: 'threatstack_alert' });
  });
  afterAll(async () => {
    await dispose();
    await h.close();
    await rm(home, { recursive: true, force: true });
  });

  it('lists agents by status, as a JupiterOne list ordered by name', async () => {
    const offline = await json<{ type: string; data: QueryEntity[] }>(
      'agents',
      'list',
      '--status',
      'offline',
    );
    const expected = agents.filter((a) => a.properties.status === 'offline');
    expect(expected.length).toBeGreaterThan(0);
    expect(offline.type).toBe('list');
    expect(offline.data.map((a) => a._key).sort()).toEqual(expected.map((a) => a._key).sort());
    const names = offline.data.map((a) => a.displayName);
    expect(names).toEqual([...names].sort());

    const table = await vigil('agents', 'list', '--limit', '3');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^name\s+hostname\s+status\s+version\s+ip\s+last reported$/);
    expect(lines).toHaveLength(2 + 3);
  });

  it('lists the agents with a CVE, and the hosts that have it', async () => {
    const cve = await store.listEntities({ type: 'cve', limit: 1 });
    const cveKey = cve[0]?._key ?? '';
    const cveId = cve[0]?.displayName ?? '';
    const expected = await agentsWith(cveKey);
    expect(expected.length).toBeGreaterThan(0);
    const withCve = await json<{ data: QueryEntity[] }>('agents', 'list', '--with-cve', cveId.toLowerCase());
    expect(withCve.data.map((a) => a._key).sort()).toEqual(expected);

    const hosts = await json<{ cve: string; agents: Array<QueryEntity & { hosts: Array<{ key: string }> }> }>(
      'hosts',
      '--cve',
      cveId,
    );
    expect(hosts.cve).toBe(cveId);
    expect(hosts.agents.map((a) => a._key).sort()).toEqual(expected);
    for (const agent of hosts.agents) {
      const protectedKeys = (await store.relationshipsOf(agent._key))
        .filter((r) => r._class === 'PROTECTS')
        .map((r) => r.toKey);
      expect(agent.hosts.map((host) => host.key).sort()).toEqual(protectedKeys.sort());
    }
    const table = await vigil('hosts', '--cve', cveId);
    expect(table.stdout).toContain(`${expected.length} agent(s) have ${cveId}:`);
    expect(await vigil('hosts', '--cve', 'log4shell')).toMatchObject({ code: 2 });
  });

  it('lists CVEs with their agent counts, by severity and by agent', async () => {
    const all = await json<{ type: string; data: Array<{ key: string; agents: number; severity: string }> }>(
      'cves',
      'list',
    );
    expect(all.type).toBe('table');
    for (const row of all.data) expect(row.agents).toBe((await agentsWith(row.key)).length);
    const counts = all.data.map((row) => row.agents);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));

    const high = await json<{ data: Array<{ severity: string }> }>('cves', 'list', '--severity', 'HIGH');
    expect(high.data.length).toBe(all.data.filter((row) => row.severity === 'high').length);

    const agent = agents[0] as StoredEntity;
    const ofAgent = await json<{ data: Array<{ key: string; agents: number }> }>(
      'cves',
      'list',
      '--agent',
      String(agent.properties.id),
    );
    const identified = (await store.relationshipsOf(agent._key)).filter((r) => r._class === 'IDENTIFIED');
    expect(ofAgent.data.map((row) => row.key).sort()).toEqual(identified.map((r) => r.toKey).sort());
    expect(ofAgent.data.every((row) => row.agents === 1)).toBe(true);
  });

  it('lists alerts newest first by severity, age and status, and shows one with its agent', async () => {
    const high = await json<{ data: QueryEntity[] }>(
      'alerts',
      'list',
      '--severity',
      'high',
      '--status',
      'open',
    );
    const expected = alerts.filter((a) => a.properties.severity === 1 && a.properties.dismissed === false);
    expect(high.data.map((a) => a._key).sort()).toEqual(expected.map((a) => a._key).sort());
    const created = high.data.map((a) => Number(a.createdOn));
    expect(created).toEqual([...created].sort((a, b) => b - a));

    // A cutoff halfway between two alerts' creation times (`--since` counts back from the real clock).
    const times = alerts.map((a) => Number(a.properties.createdOn)).sort((a, b) => b - a);
    const gaps = times
      .slice(1)
      .map((time, index) => ({ at: (time + (times[index] ?? 0)) / 2, size: (times[index] ?? 0) - time }));
    const cutoff = gaps.reduce((widest, gap) => (gap.size > widest.size ? gap : widest)).at;
    expect(times.filter((t) => t >= cutoff).length).toBeGreaterThan(0);
    const sinceSeconds = Math.round((Date.now() - cutoff) / 1000);
    const recent = await json<{ data: QueryEntity[] }>('alerts', 'list', '--since', `${sinceSeconds}s`);
    expect(recent.data.map((a) => Number(a.createdOn))).toEqual(times.filter((t) => t >= cutoff));

    const alert = alerts.find((a) => a.properties.agentId !== undefined) as StoredEntity;
    const shown = await json<{ alert: QueryEntity; agent: QueryEntity | null; events: unknown }>(
      'alerts',
      'show',
      String(alert.properties.id),
    );
    expect(shown.alert._key).toBe(alert._key);
    expect(shown.agent?._key).toBe(graphEntities.threatstackAgent.key(String(alert.properties.agentId)));
    expect(shown.events).toBeNull();
    const text = await vigil('alerts', 'show', String(alert.properties.id));
    expect(text.stdout).toContain('events:    none stored');

    expect(await vigil('alerts', 'show', 'no-such-alert')).toMatchObject({ code: expect.any(Number) });
    expect((await vigil('alerts', 'show', 'no-such-alert')).stderr).toContain('NOT_FOUND');
    expect((await vigil('alerts', 'list', '--status', 'closed')).stderr).toContain(
      '--status must be one of open, dismissed',
    );
  });
});
