import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type RunningThreatStackSimulator,
  startThreatStackSimulator,
} from '../../src/simulators/threatstack/server.ts';
import { appBackends, codedFailure, openTestVigil, type TestVigil } from '../helpers/app.ts';
import { admin } from '../helpers/threatstack.ts';

interface Stats {
  agents: { total: number };
}

/** The TS_* variables of the simulator's primary organization. */
function vendorEnv(sim: RunningThreatStackSimulator): NodeJS.ProcessEnv {
  const url = new URL(sim.url);
  return {
    TS_USER_ID: sim.credentials.userId,
    TS_API_KEY: sim.credentials.apiKey,
    TS_ORGANIZATION_ID: sim.credentials.orgId,
    TS_ORGANIZATION_NAME: sim.credentials.orgName,
    TS_HOST: url.hostname,
    TS_PORT: url.port,
    TS_PROTOCOL: 'http',
  };
}

/**
 * Issue 8 item 6: `vigil sync threatstack` (environment), then `vigil integrations add
 * threatstack` for the same organization into the same database used to report success with
 * total 0 for every type, and after vendor churn the graph kept agents the vendor had dropped,
 * forever (also after remove and add again). Every source of one account now keeps that
 * account's graph exact.
 */
describe.each(appBackends)('one owner for every graph row ($name)', ({ name, available }) => {
  let sim: RunningThreatStackSimulator;
  let opened: TestVigil;

  beforeAll(async () => {
    sim = await startThreatStackSimulator({
      agents: 50,
      cves: 10,
      findingsPerAgent: 2,
      alerts: 10,
      rateLimit: 0,
    });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async (context) => {
    if (!available) context.skip();
    opened = await openTestVigil(name, vendorEnv(sim));
  });
  afterEach(async () => {
    await opened?.dispose();
  });

  const orgId = () => sim.credentials.orgId;
  const fields = () => {
    const url = new URL(sim.url);
    return {
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      userId: sim.credentials.userId,
      orgId: sim.credentials.orgId,
      orgName: sim.credentials.orgName,
      requestsPerMinute: 0,
    };
  };
  const vendorAgents = async () => (await admin<Stats>(sim.url, 'GET', '/_sim/stats')).json.agents.total;
  const graphAgents = async () => (await opened.vigil.graph.stats()).entities.threatstack_agent ?? 0;
  const churn = () =>
    admin(sim.url, 'POST', '/_sim/churn', { addAgents: 3, removeAgents: 5, changeAgents: 2 });
  const add = (integration: string, takeOver = false) =>
    opened.vigil.integrations.add({
      kind: 'threatstack',
      name: integration,
      fields: fields(),
      apiKey: sim.credentials.apiKey,
      takeOver,
    });

  it('the environment sync is the implicit integration of its account; a second one is refused, or takes the rows over', async () => {
    const { vigil } = opened;
    const env = await vigil.sync.fromEnvironment('threatstack', { overrides: { requestsPerMinute: 0 } });
    expect(env.report.status).toBe('success');
    expect(env.integration).toMatchObject({
      id: `threatstack:${orgId()}`,
      name: `threatstack-${orgId()}`,
      source: 'environment',
      apiKey: null,
    });
    expect(env.title).toBe(`Threat Stack sync of threatstack-${orgId()}`);
    expect((await vigil.integrations.list()).map((i) => [i.name, i.source, i.lastRun?.status])).toEqual([
      [`threatstack-${orgId()}`, 'environment', 'success'],
    ]);
    // The same environment again reuses the integration.
    const again = await vigil.sync.fromEnvironment('threatstack', { overrides: { requestsPerMinute: 0 } });
    expect(again.integration.id).toBe(env.integration.id);
    expect((await vigil.integrations.list()).length).toBe(1);

    // Its settings come from the environment: not updatable, tested and synced with the key of TS_API_KEY.
    const envName = `threatstack-${orgId()}`;
    expect((await codedFailure(vigil.integrations.update(envName, { fields: { port: 1 } }))).code).toBe(
      'INPUT_INVALID',
    );
    expect((await vigil.integrations.test(envName)).code).toBe('OK');
    expect((await vigil.sync.runIntegration(envName)).report.status).toBe('success');

    const refused = await codedFailure(add('ts'));
    expect(refused.code).toBe('ACCOUNT_OWNED');
    expect(refused.message).toContain(`threatstack:${orgId()}`);
    expect(refused.message).toContain(`threatstack-${orgId()}`);
    expect(refused.hint).toContain('--take-over');
    expect((await vigil.integrations.list()).map((i) => i.name)).toEqual([`threatstack-${orgId()}`]);

    const taken = await add('ts', true);
    expect(taken.tookOverFrom).toBe(`threatstack-${orgId()}`);
    expect(taken.integration.id).toBe(env.integration.id);
    expect(taken.sync?.report.status).toBe('success');
    const agents = taken.sync?.report.types.find((t) => t.type === 'threatstack_agent');
    expect(agents?.total).toBe(await vendorAgents());
    expect((await vigil.integrations.list()).map((i) => [i.name, i.source])).toEqual([['ts', 'registry']]);

    const envRefused = await codedFailure(vigil.sync.fromEnvironment('threatstack', {}));
    expect(envRefused.code).toBe('ACCOUNT_OWNED');
    expect(envRefused.message).toContain('integration ts');

    await churn();
    expect((await vigil.integrations.sync('ts')).report.status).toBe('success');
    expect(await graphAgents()).toBe(await vendorAgents());
  });

  it('remove --purge deletes the rows it owned; remove and add again heals after churn', async () => {
    const { vigil } = opened;
    await vigil.sync.fromEnvironment('threatstack', { overrides: { requestsPerMinute: 0 } });
    await add('ts', true);

    // Removed without purge: the rows stay; the next integration of the account takes them on.
    await vigil.integrations.remove('ts');
    await churn();
    const readded = await add('ts-again');
    expect(readded.integration.id).toBe(`threatstack:${orgId()}`);
    expect(readded.tookOverFrom).toBeNull();
    expect(await graphAgents()).toBe(await vendorAgents());

    const { purged } = await vigil.integrations.remove('ts-again', { purge: true });
    expect(purged?.find((c) => c.type === 'threatstack_agent')?.deleted).toBe(await vendorAgents());
    const after = await vigil.graph.stats();
    expect(Object.keys(after.entities).filter((type) => type.startsWith('threatstack_'))).toEqual([]);
    expect(Object.keys(after.relationships).filter((type) => type.startsWith('threatstack_'))).toEqual([]);
    const [purgeRun] = await vigil.runs.list({ integration: `threatstack:${orgId()}`, limit: 1 });
    expect(purgeRun?.changes.deleted).toBeGreaterThan(0);

    await churn();
    const fresh = await add('ts-fresh');
    expect(fresh.sync?.report.status).toBe('success');
    expect(await graphAgents()).toBe(await vendorAgents());
  });
});
