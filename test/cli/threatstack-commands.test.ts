import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFileName } from '../../src/connectors/threatstack/agents-export.ts';
import {
  type RunningThreatStackSimulator,
  startThreatStackSimulator,
} from '../../src/simulators/threatstack/server.ts';
import { runCli, threatStackEnv } from '../helpers/cli.ts';
import { admin } from '../helpers/threatstack.ts';

interface Stats {
  agents: { online: number; offline: number; total: number };
}

describe('vigil sync / graph stats / agents export against the simulator', () => {
  let sim: RunningThreatStackSimulator;
  let dir: string;
  let stats: Stats;
  beforeAll(async () => {
    sim = await startThreatStackSimulator({
      agents: 130,
      offlineRatio: 0.2,
      cves: 30,
      findingsPerAgent: 3,
      alerts: 40,
      rateLimit: 0,
    });
    dir = await mkdtemp(join(tmpdir(), 'vigil-cli-'));
    stats = (await admin<Stats>(sim.url, 'GET', '/_sim/stats')).json;
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('exports online agents like GetAllAgents: file name, 15 columns, one pair of lines per page', async () => {
    const cwd = await mkdtemp(join(dir, 'export-'));
    const result = await runCli(['agents', 'export'], { env: threatStackEnv(sim), cwd });
    expect(result.code).toBe(0);
    const online = stats.agents.online;
    const pageSizes = [Math.min(100, online), ...(online > 100 ? [online - 100] : [])];
    expect(result.stdout).toBe(
      `${pageSizes.map((n) => `Returned ${n} agents.\n${n} agents written to file.\n`).join('')}Wrote ${online} agents to ${exportFileName(sim.credentials.orgName, new Date(), 'csv')}\n`,
    );
    const [file] = await readdir(cwd);
    expect(file).toBe(exportFileName(sim.credentials.orgName, new Date(), 'csv'));
    const lines = (await readFile(join(cwd, file ?? ''), 'utf8')).split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toBe(
      'agentId,instanceId,status,CreatedAt,LastReportedAt,version,name,description,hostname,ipAddresses,tags,agentType,osVersion,kernel,isHealthy',
    );
    expect(lines).toHaveLength(online + 1);
    expect(lines.slice(1).every((l) => l.split(',')[2] === 'online')).toBe(true);
  });

  it('exports every agent as JSON to a chosen file', async () => {
    const out = join(dir, 'all.json');
    const result = await runCli(['agents', 'export', '--status', 'all', '--format', 'json', '-o', out], {
      env: threatStackEnv(sim),
    });
    expect(result.code).toBe(0);
    const agents = JSON.parse(await readFile(out, 'utf8')) as Array<{ id: string; status: string }>;
    expect(agents).toHaveLength(stats.agents.total);
    expect(new Set(agents.map((a) => a.id)).size).toBe(stats.agents.total);
  });

  it('says "0 agents found, exiting." for an empty organization', async () => {
    const empty = await startThreatStackSimulator({
      agents: 0,
      cves: 5,
      findingsPerAgent: 0,
      alerts: 0,
      rateLimit: 0,
    });
    try {
      const cwd = await mkdtemp(join(dir, 'empty-'));
      const result = await runCli(['agents', 'export'], { env: threatStackEnv(empty), cwd });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /^0 agents found, exiting\.\nWrote 0 agents to agents-\w+-[\d-]+\.csv\n$/,
      );
    } finally {
      await empty.close();
    }
  });

  it('syncs, prints the summary table, and graph stats agrees; --json gives the run summary', async () => {
    const db = join(dir, 'sync.db');
    const human = await runCli(['sync', 'threatstack', '--db', db], { env: threatStackEnv(sim) });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Threat Stack sync of .+: success in /);
    expect(human.stdout).toMatch(/type\s+kind\s+total\s+created\s+updated\s+deleted/);
    expect(human.stdout).toMatch(/requests \d+ · retries \d+/);
    expect(human.stderr).toMatch(/\[5\/5\] Alerts \(last 7 days\): success/);

    const again = await runCli(['sync', 'threatstack', '--db', db, '--json'], { env: threatStackEnv(sim) });
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as {
      status: string;
      types: Array<{ type: string; total: number; created: number; updated: number; deleted: number }>;
    };
    expect(report.status).toBe('success');
    expect(report.types.every((t) => t.created + t.updated + t.deleted === 0)).toBe(true);

    const graph = await runCli(['graph', 'stats', '--db', db, '--json']);
    expect(graph.code).toBe(0);
    const counts = JSON.parse(graph.stdout) as {
      entities: Record<string, number>;
      relationships: Record<string, number>;
    };
    expect(counts.entities.threatstack_agent).toBe(stats.agents.total);
    for (const t of report.types.filter(
      (r) => !r.type.includes('_has_') && !r.type.includes('_protects_') && !r.type.includes('_identified_'),
    )) {
      expect(counts.entities[t.type] ?? 0).toBe(t.total);
    }
    const table = await runCli(['graph', 'stats', '--db', db]);
    expect(table.stdout).toMatch(/entity _type\s+count/);
  });

  it('keeps its state in VIGIL_HOME whatever the working directory; `vigil info` says where', async () => {
    const home = join(dir, 'home');
    const cwd = await mkdtemp(join(dir, 'elsewhere-'));
    const env = { ...threatStackEnv(sim), VIGIL_HOME: home };
    const info = await runCli(['info', '--json'], { env, cwd });
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toEqual({
      home,
      database: join(home, 'vigil.db'),
      databaseFrom: 'home',
      pgSchema: null,
      secretKey: join(home, 'vigil.key'),
      attackCatalogue: join(home, 'attack-catalogue.json'),
    });
    expect((await runCli(['info'], { env, cwd })).stdout).toMatch(/^home\s+.+\ndatabase\s+.+vigil\.db\n/);
    await expect(readdir(home)).rejects.toThrow();

    const synced = await runCli(['sync', 'threatstack', '--json'], { env, cwd });
    expect(synced.code).toBe(0);
    expect(await readdir(cwd)).toEqual([]);
    const list = await runCli(['integrations', 'list', '--json'], { env, cwd: dir });
    expect(JSON.parse(list.stdout)).toMatchObject([
      { name: `threatstack-${sim.credentials.orgId}`, source: 'environment', apiKey: null },
    ]);

    // The same organization added as an integration: refused, or taken over explicitly.
    const url = new URL(sim.url);
    const add = [
      'integrations',
      'add',
      'threatstack',
      '--name',
      'ts',
      '--host',
      url.hostname,
      '--port',
      url.port,
      '--protocol',
      'http',
      '--user-id',
      sim.credentials.userId,
      '--org-id',
      sim.credentials.orgId,
      '--org-name',
      sim.credentials.orgName,
    ];
    const refused = await runCli(add, { env, cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^error ACCOUNT_OWNED: The account threatstack:${sim.credentials.orgId} .*threatstack-${sim.credentials.orgId}`,
      ),
    );
    const taken = await runCli([...add, '--take-over', '--json'], { env, cwd });
    expect(taken.code).toBe(0);
    const report = JSON.parse(taken.stdout) as {
      tookOverFrom: string;
      sync: { types: Array<{ type: string; total: number }> };
    };
    expect(report.tookOverFrom).toBe(`threatstack-${sim.credentials.orgId}`);
    expect(report.sync.types.find((t) => t.type === 'threatstack_agent')?.total).toBe(stats.agents.total);
    const removed = await runCli(['integrations', 'remove', 'ts', '--purge'], { env, cwd });
    expect(removed.stdout).toMatch(/^Removed threatstack integration ts \(id .+\) and its [\d,]+ graph rows/);
  });

  it('refuses to run without credentials, naming what is missing and never echoing the key', async () => {
    const env = threatStackEnv(sim, { TS_ORGANIZATION_ID: '', TS_USER_ID: '' });
    const result = await runCli(['sync', 'threatstack', '--db', join(dir, 'none.db')], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error CONFIG_INVALID: .*TS_USER_ID.*TS_ORGANIZATION_ID/);
    expect(result.stderr + result.stdout).not.toContain(sim.credentials.apiKey);
  });

  it('reports a wrong API key as a failed sync with an authentication error, exit 1, key never printed', async () => {
    const wrongKey = 'wrong-key-0123456789abcdefghijklmnopqrstuv';
    const result = await runCli(['sync', 'threatstack', '--db', join(dir, 'wrong.db')], {
      env: threatStackEnv(sim, { TS_API_KEY: wrongKey }),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/PROVIDER_AUTHENTICATION_ERROR/);
    expect(result.stderr).toMatch(/^error SYNC_INCOMPLETE: /m);
    expect(result.stdout + result.stderr).not.toContain(wrongKey);
  });
});
