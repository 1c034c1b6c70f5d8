import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntegrationFields } from '../../src/integrations/registry.ts';
import {
  type RunningThreatConnectSimulator,
  startThreatConnectSimulator,
} from '../../src/simulators/threatconnect/server.ts';
import {
  type RunningThreatStackSimulator,
  startThreatStackSimulator,
} from '../../src/simulators/threatstack/server.ts';
import { codedFailure, openTestVigil, type TestVigil } from '../helpers/app.ts';

const proxyPassword = 'proxy-pa55word-never-shown';

/**
 * The integrations, sync and runs services in process (what `vigil integrations …` and `vigil
 * runs …` call), against both simulators, on the SQLite file in a temporary VIGIL_HOME.
 */
describe('integrations and runs services against the simulators', () => {
  let ts: RunningThreatStackSimulator;
  let tc: RunningThreatConnectSimulator;
  let opened: TestVigil;
  /** Every value a service returned, to check that no secret is in any of them. */
  const outputs: unknown[] = [];
  const kept = <T>(value: T): T => {
    outputs.push(value);
    return value;
  };

  const tsFields = (org = { id: ts.credentials.orgId, name: ts.credentials.orgName }): IntegrationFields => {
    const url = new URL(ts.url);
    return {
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      userId: ts.credentials.userId,
      orgId: org.id,
      orgName: org.name,
      requestsPerMinute: 0,
    };
  };
  const staging = () => ts.simulation.directory.secondary;

  beforeAll(async () => {
    ts = await startThreatStackSimulator({
      agents: 60,
      cves: 15,
      findingsPerAgent: 2,
      alerts: 20,
      rateLimit: 0,
    });
    tc = await startThreatConnectSimulator({ owners: 2, adversaries: 3, threatsPerAdversary: 2 });
    opened = await openTestVigil('sqlite', { VIGIL_SECRET_KEY: '' });
  });

  afterAll(async () => {
    await opened?.dispose();
    await ts?.close();
    await tc?.close();
  });

  it('adds a Threat Stack integration and runs its first sync at once; the key file is 0600', async () => {
    const seen: string[] = [];
    const added = kept(
      await opened.vigil.integrations.add(
        { kind: 'threatstack', name: 'ts-stdin', fields: tsFields(), apiKey: ts.credentials.apiKey },
        { onAdded: (integration) => seen.push(integration.name) },
      ),
    );
    expect(seen).toEqual(['ts-stdin']);
    expect(added.integration.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(added.sync?.title).toBe('Threat Stack sync of ts-stdin');
    expect(added.sync?.report.status).toBe('success');
    expect(added.sync?.report.steps.at(-1)).toMatchObject({
      name: 'Alerts (last 7 days)',
      status: 'success',
    });
    expect(added.sync?.report.requests.requests).toBeGreaterThan(0);
    expect(statSync(join(opened.home, 'vigil.key')).mode & 0o777).toBe(0o600);
  });

  it('adds with no first sync (masked key, documented defaults), then syncs it by name', async () => {
    const { vigil } = opened;
    const { integration, sync } = kept(
      await vigil.integrations.add(
        { kind: 'threatstack', name: 'ts-file', fields: tsFields(staging()), apiKey: ts.credentials.apiKey },
        { firstSync: false },
      ),
    );
    expect(sync).toBeNull();
    expect(integration.apiKey).toBe('[set]');
    expect(integration.config).toMatchObject({
      queryTimeMinutes: 5,
      delayTimeMinutes: 0,
      queryIntervalSeconds: 30,
      eventTimeAdjustmentSeconds: 0,
      discoverDevices: true,
      saveSuspiciousEvents: false,
      syncIntervalSeconds: 3600,
    });
    expect(await vigil.runs.list({ integration: 'ts-file', limit: 20 })).toEqual([]);
    const synced = kept(await vigil.integrations.sync('ts-file'));
    expect(synced.report.status).toBe('success');
    expect(synced.report.integrationId).toBe(integration.id);
    expect(synced.report.requests.requests).toBeGreaterThan(0);
    expect((await vigil.integrations.sync('ts-file')).report.status).toBe('success');
  });

  it('lists the runs of an integration and shows one with its steps and per-type changes', async () => {
    const { vigil } = opened;
    const fileRuns = kept(await vigil.runs.list({ integration: 'TS-FILE', limit: 20 }));
    expect(fileRuns.map((r) => [r.integration, r.status])).toEqual([
      ['ts-file', 'success'],
      ['ts-file', 'success'],
    ]);
    const [first] = await vigil.runs.list({ integration: 'ts-stdin', limit: 20 });
    expect(first?.changes.created).toBeGreaterThan(60);
    const detail = kept(await vigil.runs.show(first?.id ?? ''));
    expect(detail.integration).toBe('ts-stdin');
    expect(detail.steps.map((s) => s.name)).toEqual([
      'Account',
      'EC2 instances',
      'Agents and protected hosts',
      'Vulnerabilities',
      'Alerts (last 7 days)',
    ]);
    expect(detail.steps.every((s) => s.status === 'success')).toBe(true);
    expect(detail.changes.find((c) => c.type === 'threatstack_agent')?.created).toBe(60);
    expect(detail.requests?.requests).toBeGreaterThan(0);
    expect((await vigil.runs.list({ limit: 20 })).filter((r) => r.status === 'success')).toHaveLength(3);
    expect((await codedFailure(vigil.runs.show('no-such-run'))).code).toBe('NOT_FOUND');
  });

  it('lists and shows integrations with the key masked', async () => {
    const list = kept(await opened.vigil.integrations.list());
    expect(list.map((i) => [i.name, i.apiKey, i.lastRun?.status])).toEqual([
      ['ts-file', '[set]', 'success'],
      ['ts-stdin', '[set]', 'success'],
    ]);
    const shown = kept(await opened.vigil.integrations.show('ts-stdin'));
    expect(shown).toMatchObject({ apiKey: '[set]', config: { queryTimeMinutes: 5 } });
  });

  it('rejects bad values naming the fields and keeps the old config', async () => {
    const { vigil } = opened;
    const before = await vigil.integrations.show('ts-file');
    const bad = await codedFailure(
      vigil.integrations.update('ts-file', { fields: { port: 70000, queryTimeMinutes: 0 } }),
    );
    expect(bad.code).toBe('CONFIG_INVALID');
    expect(bad.message).toMatch(/port:.*queryTimeMinutes:/);
    expect(await vigil.integrations.show('ts-file')).toEqual(before);
  });

  it('updates only the settings given; the proxy password is masked and can be cleared', async () => {
    const { vigil } = opened;
    const before = await vigil.integrations.show('ts-file');
    const good = kept(
      await vigil.integrations.update('ts-file', {
        fields: {
          queryTimeMinutes: 10,
          eventTimeAdjustmentSeconds: -30,
          discoverDevices: false,
          syncIntervalSeconds: 1800,
          proxy: `http://bob:${proxyPassword}@127.0.0.1:3128`,
        },
      }),
    );
    expect(good.config).toEqual({
      ...before.config,
      queryTimeMinutes: 10,
      eventTimeAdjustmentSeconds: -30,
      discoverDevices: false,
      syncIntervalSeconds: 1800,
      proxy: 'http://bob:***@127.0.0.1:3128',
    });
    const cleared = kept(
      await vigil.integrations.update('ts-file', { fields: { proxy: null }, apiKey: ts.credentials.apiKey }),
    );
    expect(cleared.config.proxy).toBeNull();
    expect((await vigil.integrations.sync('ts-file')).report.status).toBe('success');
    const nothing = await codedFailure(vigil.integrations.update('ts-file', { fields: {} }));
    expect([nothing.code, nothing.message]).toEqual(['INPUT_INVALID', 'Nothing to update for ts-file.']);
  });

  it('tests connectivity: OK, and AUTH_FAILED for a wrong key', async () => {
    const { vigil } = opened;
    const ok = kept(await vigil.integrations.test('ts-stdin'));
    expect(ok.code).toBe('OK');
    await vigil.integrations.add(
      {
        kind: 'threatstack',
        name: 'ts-wrong',
        fields: tsFields({ id: 'org-of-nobody', name: 'Nobody' }),
        apiKey: 'wrong-key-0123456789abcdefghijklmnopqrstuv',
      },
      { firstSync: false },
    );
    expect(kept(await vigil.integrations.test('ts-wrong')).code).toBe('AUTH_FAILED');
  });

  it('adds a ThreatConnect integration and its first sync succeeds', async () => {
    const url = new URL(tc.url);
    const { integration, sync } = kept(
      await opened.vigil.integrations.add({
        kind: 'threatconnect',
        name: 'tc',
        fields: {
          host: url.hostname,
          port: Number(url.port),
          protocol: 'http',
          apiRoot: tc.apiRoot,
          accessId: tc.credentials.accessId,
        },
        apiKey: tc.credentials.apiKey,
      }),
    );
    expect(integration.config).toMatchObject({
      kind: 'threatconnect',
      syncIntervalSeconds: 86_400,
      apiRoot: tc.apiRoot,
    });
    expect(sync?.report.status).toBe('success');
    expect(sync?.report.integrationId).toBe(integration.id);
    expect(sync?.report.types.find((t) => t.type === 'threatconnect_adversary')?.total).toBeGreaterThan(0);
    expect((await opened.vigil.integrations.sync('tc')).report.status).toBe('success');
  });

  it('refuses a missing key, a taken name and an unknown kind; removes an integration', async () => {
    const { vigil } = opened;
    const noKey = await codedFailure(
      vigil.integrations.add({
        kind: 'threatstack',
        name: 'ts-nokey',
        fields: tsFields(),
        apiKey: undefined,
      }),
    );
    expect(noKey.code).toBe('CONFIG_INVALID');
    expect(noKey.message).toMatch(/^No API key was given for ts-nokey/);
    const taken = await codedFailure(
      vigil.integrations.add({
        kind: 'threatstack',
        name: 'TS-FILE',
        fields: tsFields({ id: 'org-of-nobody-else', name: 'Nobody Else' }),
        apiKey: ts.credentials.apiKey,
      }),
    );
    expect(taken.code).toBe('INPUT_INVALID');
    expect(taken.message).toMatch(/^An integration named 'TS-FILE' already exists/);
    const unknown = await codedFailure(
      vigil.integrations.add({ kind: 'splunk', name: 'x', fields: {}, apiKey: 'k' }),
    );
    expect(unknown.code).toBe('INPUT_INVALID');

    const { removed, purged } = kept(await vigil.integrations.remove('ts-wrong'));
    expect([removed.kind, removed.name, purged]).toEqual(['threatstack', 'ts-wrong', null]);
    expect((await codedFailure(vigil.integrations.show('ts-wrong'))).code).toBe('NOT_FOUND');
    expect((await vigil.integrations.list()).map((i) => i.name)).toEqual(['tc', 'ts-file', 'ts-stdin']);
  });

  it('never lets a raw secret reach the database file, its WAL or any result', () => {
    const db = opened.vigil.settings.database;
    const files = [db, `${db}-wal`, `${db}-shm`].filter((file) => existsSync(file));
    const stored = Buffer.concat(files.map((file) => readFileSync(file)));
    // The files do hold the registry in clear (so a leak would be found), only never a secret.
    expect(stored.includes(Buffer.from(ts.credentials.userId))).toBe(true);
    expect(stored.includes(Buffer.from(tc.credentials.accessId))).toBe(true);
    const secrets = [ts.credentials.apiKey, tc.credentials.apiKey, proxyPassword];
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const secret of secrets)
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
    }
    const everything = JSON.stringify(outputs);
    expect(outputs.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(everything.includes(secret), `${secret} in a result`).toBe(false);
  });
});
