import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import { storeBackends, type TestStore } from '../store/testing.ts';
import type { GraphStore } from '../store/types.ts';
import { IntegrationRegistry } from './registry.ts';
import { secretCipherFor } from './secrets.ts';

const cipher = secretCipherFor('unused.db', { VIGIL_SECRET_KEY: randomBytes(32).toString('hex') });
const fields = (org: string) => ({ userId: 'u', orgId: org, orgName: `Org ${org}` });

/**
 * Issue 9 item 12: one invalid stored configuration used to stop every list (and so every `serve`
 * tick, `integrations list`, `runs list`); a row written by a newer Vigil with an extra key failed too.
 */
describe.each(storeBackends)('stored configurations read back on $name', (backend) => {
  let opened: TestStore | undefined;
  let store: GraphStore;
  let registry: IntegrationRegistry;
  let warnings: string[];

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
    store = opened.store;
    warnings = [];
    registry = new IntegrationRegistry(store, cipher, { warn: (message) => warnings.push(message) });
  });
  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  async function storeConfig(name: string, change: (config: Record<string, unknown>) => unknown) {
    const record = await store.findIntegration(name);
    if (record === undefined) throw new Error(`no ${name}`);
    const config = change({ ...(record.config as Record<string, unknown>) });
    await store.updateIntegration(record.id, {
      config,
      secrets: record.secrets,
      updatedAt: record.updatedAt,
    });
  }

  it('skips an invalid row with a warning naming it; the others list, and its own reads are CONFIG_INVALID', async () => {
    await registry.add({ name: 'good', kind: 'threatstack', fields: fields('a'), apiKey: 'key-a' });
    await registry.add({ name: 'broken', kind: 'threatstack', fields: fields('b'), apiKey: 'key-b' });
    await registry.add({ name: 'other', kind: 'threatstack', fields: fields('c'), apiKey: 'key-c' });
    await storeConfig('broken', (config) => ({ ...config, port: 'eighty' }));

    expect((await registry.list()).map((integration) => integration.name)).toEqual(['good', 'other']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^integration 'broken' \(threatstack\) is skipped: .*port/);
    // A list every tick warns once, not every time.
    await registry.list();
    expect(warnings).toHaveLength(1);

    const error = await registry.resolve('broken').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('CONFIG_INVALID');
    expect((error as VigilError).message).toMatch(/integration 'broken' is not valid: .*port/);
    expect((await registry.resolve('good')).apiKey).toBe('key-a');
  });

  it('reads a row written by a newer version: unknown keys ignored, with a warning', async () => {
    await registry.add({ name: 'newer', kind: 'threatstack', fields: fields('a'), apiKey: 'key-a' });
    await storeConfig('newer', (config) => ({ ...config, futureSetting: { on: true } }));

    const [integration] = await registry.list();
    expect(integration?.name).toBe('newer');
    expect(integration?.config).not.toHaveProperty('futureSetting');
    expect(integration?.config).toMatchObject({ kind: 'threatstack', orgId: 'a' });
    expect(warnings).toEqual([
      "integration 'newer': ignoring stored settings this Vigil does not know (futureSetting); they were written by a newer version",
    ]);
    expect((await registry.resolve('newer')).apiKey).toBe('key-a');
  });
});
