import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import { storeBackends, type TestStore } from '../store/testing.ts';
import type { GraphStore } from '../store/types.ts';
import type { IntegrationFields } from './registry.ts';
import { IntegrationRegistry, toIntegrationView } from './registry.ts';
import { secretCipherFor } from './secrets.ts';

const apiKey = 'raw-api-key-abcdefghijklmnopqrstuvwxyz-0123456789';
const proxyPassword = 'pr0xy-pa55word';
const cipher = secretCipherFor('unused.db', { VIGIL_SECRET_KEY: randomBytes(32).toString('hex') });

const threatStack: IntegrationFields = {
  host: '127.0.0.1',
  port: 8080,
  protocol: 'http',
  userId: 'user-1',
  orgId: 'org-1',
  orgName: 'Acme Production',
};
const threatConnect: IntegrationFields = { host: 'acme.threatconnect.com', accessId: '12345678901234567890' };

async function failure(work: Promise<unknown>): Promise<VigilError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe.each(storeBackends)('IntegrationRegistry on $name', (backend) => {
  let opened: TestStore | undefined;
  let store: GraphStore;
  let registry: IntegrationRegistry;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
    store = opened.store;
    registry = new IntegrationRegistry(store, cipher);
  });

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('adds a Threat Stack integration with the documented defaults and a UUID', async () => {
    const added = await registry.add({
      name: 'ts-prod',
      kind: 'threatstack',
      fields: { userId: 'u', orgId: 'o', orgName: 'n' },
      apiKey,
    });
    expect(added.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(added.config).toMatchObject({
      kind: 'threatstack',
      host: 'api.threatstack.com',
      port: 443,
      protocol: 'https',
      proxy: null,
      queryTimeMinutes: 5,
      delayTimeMinutes: 0,
      queryIntervalSeconds: 30,
      eventTimeAdjustmentSeconds: 0,
      discoverDevices: true,
      saveSuspiciousEvents: false,
      syncIntervalSeconds: 3600,
    });
    expect(added.hasApiKey).toBe(true);
    expect(await registry.get('TS-PROD')).toEqual(added);
    expect(await registry.get(added.id)).toEqual(added);
  });

  it('adds a ThreatConnect integration with its defaults (443, https, 24 h)', async () => {
    const added = await registry.add({ name: 'tc', kind: 'threatconnect', fields: threatConnect, apiKey });
    expect(added.config).toMatchObject({
      port: 443,
      protocol: 'https',
      apiRoot: '',
      syncIntervalSeconds: 86_400,
    });
  });

  it('masks secrets in the view and stores them only sealed', async () => {
    const added = await registry.add({
      name: 'ts',
      kind: 'threatstack',
      fields: { ...threatStack, proxy: `http://bob:${proxyPassword}@127.0.0.1:3128` },
      apiKey,
    });
    const view = toIntegrationView(added);
    expect(view.apiKey).toBe('[set]');
    expect(view.config.proxy).toBe('http://bob:***@127.0.0.1:3128');
    const stored = await store.findIntegration('ts');
    expect(Object.keys(stored?.secrets ?? {}).sort()).toEqual(['apiKey', 'proxyPassword']);
    const raw = JSON.stringify(stored);
    expect(raw).not.toContain(apiKey);
    expect(raw).not.toContain(proxyPassword);
    expect(Object.values(stored?.secrets ?? {}).every((sealed) => sealed.startsWith('v1.'))).toBe(true);
    const resolved = await registry.resolve('ts');
    expect(resolved.apiKey).toBe(apiKey);
    expect(resolved.config.proxy).toBe(`http://bob:${proxyPassword}@127.0.0.1:3128`);
    expect(resolved.integration).toEqual(added);
  });

  it('refuses a taken name in any case, and names that are not simple', async () => {
    await registry.add({ name: 'prod', kind: 'threatstack', fields: threatStack, apiKey });
    expect(
      (await failure(registry.add({ name: 'Prod', kind: 'threatconnect', fields: threatConnect, apiKey })))
        .code,
    ).toBe('INPUT_INVALID');
    for (const name of [
      '',
      'has space',
      '-dash',
      'a/b',
      'x'.repeat(65),
      '0f8fad5b-d9cb-469f-a165-70867728950e',
    ]) {
      const error = await failure(registry.add({ name, kind: 'threatstack', fields: threatStack, apiKey }));
      expect(error.code).toBe('INPUT_INVALID');
      expect(error.message).toContain('name');
    }
    expect(await registry.list()).toHaveLength(1);
  });

  it('validates the whole configuration before storing anything, naming every bad field', async () => {
    const bad = await failure(
      registry.add({
        name: 'ts',
        kind: 'threatstack',
        fields: { ...threatStack, port: 70_000, queryTimeMinutes: 0, orgName: undefined },
        apiKey,
      }),
    );
    expect(bad.code).toBe('CONFIG_INVALID');
    expect(bad.message).toMatch(/port:/);
    expect(bad.message).toMatch(/queryTimeMinutes:/);
    expect(bad.message).toMatch(/orgName:/);
    const foreign = await failure(
      registry.add({ name: 'ts', kind: 'threatstack', fields: { ...threatStack, accessId: 'x' }, apiKey }),
    );
    expect(foreign.message).toContain('accessId');
    const proxy = await failure(
      registry.add({
        name: 'ts',
        kind: 'threatstack',
        fields: { ...threatStack, proxy: 'socks5://u:pw@h:1' },
        apiKey,
      }),
    );
    expect(proxy.code).toBe('CONFIG_INVALID');
    expect(proxy.message).not.toContain('pw@');
    expect(await registry.list()).toEqual([]);
  });

  it('refuses what the vendor client would refuse: an unreadable CA file, an API root it cannot sign', async () => {
    const ca = await failure(
      registry.add({
        name: 'tc',
        kind: 'threatconnect',
        fields: { ...threatConnect, caFile: '/nonexistent/ca.pem' },
        apiKey,
      }),
    );
    expect(ca.code).toBe('CONFIG_INVALID');
    expect(ca.message).toContain('/nonexistent/ca.pem');
    const root = await failure(
      registry.add({
        name: 'tc',
        kind: 'threatconnect',
        fields: { ...threatConnect, apiRoot: 'a b' },
        apiKey,
      }),
    );
    expect(root.code).toBe('CONFIG_INVALID');
    expect(root.message).toContain('apiRoot');
    expect(await registry.list()).toEqual([]);
  });

  it('updates some fields and keeps the rest; a rejected update leaves the old config and key', async () => {
    const added = await registry.add({ name: 'ts', kind: 'threatstack', fields: threatStack, apiKey });
    const updated = await registry.update('ts', {
      fields: { port: 9443, syncIntervalSeconds: 1800, orgName: undefined },
    });
    expect(updated.config).toEqual({ ...added.config, port: 9443, syncIntervalSeconds: 1800 });
    expect(updated.updatedAt >= added.updatedAt).toBe(true);

    const rejected = await failure(
      registry.update('ts', {
        fields: { port: 0, delayTimeMinutes: -1 },
        apiKey: 'another-key-that-must-not-land',
      }),
    );
    expect(rejected.code).toBe('CONFIG_INVALID');
    expect(rejected.message).toMatch(/port:.*delayTimeMinutes:/);
    const after = await registry.resolve('ts');
    expect(after.integration).toEqual(updated);
    expect(after.apiKey).toBe(apiKey);
  });

  it('replaces the API key only when given one', async () => {
    await registry.add({ name: 'ts', kind: 'threatstack', fields: threatStack, apiKey });
    await registry.update('ts', { fields: { port: 1 } });
    expect((await registry.resolve('ts')).apiKey).toBe(apiKey);
    await registry.update('ts', { fields: {}, apiKey: 'new-key' });
    expect((await registry.resolve('ts')).apiKey).toBe('new-key');
  });

  it('changes, keeps (masked copy) and clears the proxy password', async () => {
    await registry.add({
      name: 'ts',
      kind: 'threatstack',
      fields: { ...threatStack, proxy: 'http://bob:first@127.0.0.1:3128' },
      apiKey,
    });
    await registry.update('ts', { fields: { proxy: 'http://bob:***@127.0.0.1:3129' } });
    expect((await registry.resolve('ts')).config.proxy).toBe('http://bob:first@127.0.0.1:3129');
    await registry.update('ts', { fields: { proxy: 'http://carol:second@127.0.0.1:3128' } });
    expect((await registry.resolve('ts')).config.proxy).toBe('http://carol:second@127.0.0.1:3128');
    await registry.update('ts', { fields: { proxy: 'http://127.0.0.1:3128' } });
    expect((await store.findIntegration('ts'))?.secrets.proxyPassword).toBeUndefined();
    await registry.update('ts', { fields: { proxy: null } });
    expect((await registry.resolve('ts')).config.proxy).toBeNull();
    expect((await registry.resolve('ts')).apiKey).toBe(apiKey);
  });

  it('removes an integration; then it is NOT_FOUND', async () => {
    const added = await registry.add({ name: 'ts', kind: 'threatstack', fields: threatStack, apiKey });
    expect((await registry.remove('ts')).id).toBe(added.id);
    expect((await failure(registry.get('ts'))).code).toBe('NOT_FOUND');
    expect((await failure(registry.remove('ts'))).code).toBe('NOT_FOUND');
    expect((await failure(registry.update('ts', { fields: {} }))).code).toBe('NOT_FOUND');
    expect(await registry.find('ts')).toBeUndefined();
  });

  it('detects sealed secrets moved between integrations (bound to the integration id)', async () => {
    await registry.add({ name: 'a', kind: 'threatstack', fields: threatStack, apiKey });
    const b = await registry.add({ name: 'b', kind: 'threatstack', fields: threatStack, apiKey: 'key-of-b' });
    const sealedOfA = (await store.findIntegration('a'))?.secrets ?? {};
    await store.updateIntegration(b.id, { config: b.config, secrets: sealedOfA, updatedAt: b.updatedAt });
    const error = await failure(registry.resolve('b'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).not.toContain(apiKey);
  });

  it('cannot open the secrets under another key', async () => {
    await registry.add({ name: 'ts', kind: 'threatstack', fields: threatStack, apiKey });
    const other = new IntegrationRegistry(
      store,
      secretCipherFor('unused.db', { VIGIL_SECRET_KEY: randomBytes(32).toString('base64') }),
    );
    expect((await other.get('ts')).hasApiKey).toBe(true);
    expect((await failure(other.resolve('ts'))).code).toBe('CONFIG_INVALID');
  });

  it('re-validates configuration read back from the database', async () => {
    const added = await registry.add({ name: 'ts', kind: 'threatstack', fields: threatStack, apiKey });
    await store.updateIntegration(added.id, {
      config: { ...added.config, port: 'not a port' },
      secrets: {},
      updatedAt: added.updatedAt,
    });
    const error = await failure(registry.get('ts'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('port');
  });
});
