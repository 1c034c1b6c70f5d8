import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, FakeClock, type SimHarness, startSim } from '../../test/helpers/threatstack.ts';
import { VigilError } from '../errors.ts';
import {
  type RunningThreatConnectSimulator,
  startThreatConnectSimulator,
} from '../simulators/threatconnect/server.ts';
import { storeBackends, type TestStore } from '../store/testing.ts';
import { IntegrationRegistry } from './registry.ts';
import { secretCipherFor } from './secrets.ts';
import { syncIntegration } from './sync.ts';

const sqlite = storeBackends.find((backend) => backend.name === 'sqlite');

describe('syncIntegration', () => {
  let ts: SimHarness;
  let tc: RunningThreatConnectSimulator;
  const tcClock = new FakeClock(1_764_000_000_000);
  let opened: TestStore;
  let registry: IntegrationRegistry;

  beforeAll(async () => {
    ts = await startSim({ agents: 40, cves: 10, findingsPerAgent: 2, alerts: 20 });
    tc = await startThreatConnectSimulator(
      { owners: 2, adversaries: 3, threatsPerAdversary: 2 },
      { now: tcClock.now },
    );
    if (sqlite === undefined) throw new Error('no SQLite back end');
    opened = await sqlite.open();
    registry = new IntegrationRegistry(
      opened.store,
      secretCipherFor('unused.db', { VIGIL_SECRET_KEY: randomBytes(32).toString('hex') }),
    );
    const tsUrl = new URL(ts.sim.url);
    await registry.add({
      name: 'ts',
      kind: 'threatstack',
      fields: {
        host: tsUrl.hostname,
        port: Number(tsUrl.port),
        protocol: 'http',
        userId: ts.identity.userId,
        orgId: ts.identity.orgId,
        orgName: ts.sim.credentials.orgName,
        requestsPerMinute: 0,
      },
      apiKey: ts.identity.apiKey,
    });
    const tcUrl = new URL(tc.url);
    await registry.add({
      name: 'tc',
      kind: 'threatconnect',
      fields: {
        host: tcUrl.hostname,
        port: Number(tcUrl.port),
        protocol: 'http',
        apiRoot: tc.apiRoot,
        accessId: tc.credentials.accessId,
      },
      apiKey: tc.credentials.apiKey,
    });
  });

  afterAll(async () => {
    await opened?.dispose();
    await ts?.close();
    await tc?.close();
  });

  it('syncs a Threat Stack integration under its id, with request counters kept in the run record', async () => {
    const integration = await registry.get('ts');
    const report = await syncIntegration(opened.store, registry, 'ts', {
      now: ts.clock.now,
      client: { now: ts.clock.now, sleep: async (ms) => ts.clock.advance(ms) },
    });
    expect(report.status).toBe('success');
    expect(report.integrationId).toBe(integration.id);
    expect(report.requests.requests).toBeGreaterThan(0);
    const stats = (await admin<{ agents: { total: number } }>(ts.sim.url, 'GET', '/_sim/stats')).json;
    expect(report.types.find((t) => t.type === 'threatstack_agent')?.total).toBe(stats.agents.total);
    expect((await opened.store.countEntitiesByType(integration.id)).threatstack_agent).toBe(
      stats.agents.total,
    );
    const [run] = await opened.store.listRuns(integration.id);
    expect(run?.id).toBe(report.runId);
    expect(run?.summary).toMatchObject({ status: 'success', requests: report.requests });
  });

  it('syncs a ThreatConnect integration (by id) under its id', async () => {
    const integration = await registry.get('tc');
    const report = await syncIntegration(opened.store, registry, integration.id, {
      now: tcClock.now,
      client: { now: tcClock.now, sleep: async (ms) => tcClock.advance(ms) },
    });
    expect(report.status).toBe('success');
    expect(report.integrationId).toBe(integration.id);
    expect(report.types.find((t) => t.type === 'threatconnect_adversary')?.total).toBeGreaterThan(0);
  });

  it('reports a wrong key as failed steps, not a throw, and NOT_FOUND for an unknown integration', async () => {
    await registry.update('ts', { fields: {}, apiKey: 'wrong-key-0123456789abcdefghijklmnopqrstuv' });
    try {
      const report = await syncIntegration(opened.store, registry, 'ts', {
        now: ts.clock.now,
        client: { now: ts.clock.now, sleep: async (ms) => ts.clock.advance(ms) },
      });
      expect(report.status).not.toBe('success');
      expect(report.steps.map((step) => step.error?.code)).toContain('PROVIDER_AUTHENTICATION_ERROR');
      expect(JSON.stringify(report)).not.toContain(ts.identity.apiKey);
    } finally {
      await registry.update('ts', { fields: {}, apiKey: ts.identity.apiKey });
    }
    await expect(syncIntegration(opened.store, registry, 'nope')).rejects.toBeInstanceOf(VigilError);
  });
});
