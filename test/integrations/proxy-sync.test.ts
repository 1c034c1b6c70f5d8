import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForwardProxy, startForwardProxy } from '../../src/connectors/http/testing/loopback.ts';
import { IntegrationRegistry } from '../../src/integrations/registry.ts';
import { secretCipherFor } from '../../src/integrations/secrets.ts';
import { syncIntegration } from '../../src/integrations/sync.ts';
import {
  type RunningThreatConnectSimulator,
  startThreatConnectSimulator,
} from '../../src/simulators/threatconnect/server.ts';
import {
  type RunningThreatStackSimulator,
  startThreatStackSimulator,
} from '../../src/simulators/threatstack/server.ts';
import { storeBackends, type TestStore } from '../../src/store/testing.ts';
import { admin } from '../helpers/threatstack.ts';

interface RequestStats {
  requests: { total: number };
}

/** C5: every outbound request of an integration goes through its proxy — here, every request of two syncs. */
describe('two integrations synced through a forward proxy on loopback', () => {
  let proxy: ForwardProxy;
  let ts: RunningThreatStackSimulator;
  let tc: RunningThreatConnectSimulator;
  let opened: TestStore;
  let registry: IntegrationRegistry;
  const proxyPassword = 'pr0xy-secret';

  beforeAll(async () => {
    proxy = await startForwardProxy();
    ts = await startThreatStackSimulator({
      agents: 150,
      cves: 20,
      findingsPerAgent: 3,
      alerts: 30,
      rateLimit: 0,
    });
    tc = await startThreatConnectSimulator({ owners: 2, adversaries: 4, threatsPerAdversary: 2 });
    const sqlite = storeBackends.find((backend) => backend.name === 'sqlite');
    if (!sqlite) throw new Error('no SQLite back end');
    opened = await sqlite.open();
    registry = new IntegrationRegistry(
      opened.store,
      secretCipherFor('unused.db', { VIGIL_SECRET_KEY: randomBytes(32).toString('hex') }),
    );
    const proxyUrl = new URL(proxy.url);
    const viaProxy = `http://vigil:${proxyPassword}@${proxyUrl.host}`;
    const tsUrl = new URL(ts.url);
    await registry.add({
      name: 'ts-proxied',
      kind: 'threatstack',
      fields: {
        host: tsUrl.hostname,
        port: Number(tsUrl.port),
        protocol: 'http',
        proxy: viaProxy,
        userId: ts.credentials.userId,
        orgId: ts.credentials.orgId,
        orgName: ts.credentials.orgName,
        requestsPerMinute: 0,
      },
      apiKey: ts.credentials.apiKey,
    });
    const tcUrl = new URL(tc.url);
    await registry.add({
      name: 'tc-proxied',
      kind: 'threatconnect',
      fields: {
        host: tcUrl.hostname,
        port: Number(tcUrl.port),
        protocol: 'http',
        proxy: viaProxy,
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
    await proxy?.close();
  });

  it('sends every request of both syncs through the proxy, with its credentials', async () => {
    const tsReport = await syncIntegration(opened.store, registry, 'ts-proxied');
    const tcReport = await syncIntegration(opened.store, registry, 'tc-proxied');
    expect(tsReport.status).toBe('success');
    expect(tcReport.status).toBe('success');
    const tsSeen = (await admin<RequestStats>(ts.url, 'GET', '/_sim/stats')).json.requests.total;
    const tcSeen = (await admin<RequestStats>(tc.url, 'GET', '/_sim/stats')).json.requests.total;
    expect(tsSeen).toBe(tsReport.requests.requests);
    expect(tcSeen).toBe(tcReport.requests.requests);
    // Every request each simulator answered came through the proxy, and nothing else did.
    expect(proxy.seen.filter((target) => target.startsWith(ts.url))).toHaveLength(tsSeen);
    expect(proxy.seen.filter((target) => target.startsWith(tc.url))).toHaveLength(tcSeen);
    expect(proxy.seen).toHaveLength(tsSeen + tcSeen);
    const expected = `Basic ${Buffer.from(`vigil:${proxyPassword}`).toString('base64')}`;
    expect(proxy.authorizations.every((header) => header === expected)).toBe(true);
  });
});
