import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import { storeBackends, type TestStore, testPostgresUrl } from './testing.ts';
import type { GraphStore, IntegrationRecord } from './types.ts';

if (testPostgresUrl === undefined)
  console.log('integration store tests: PostgreSQL skipped (set VIGIL_TEST_PG_URL)');

const record = (id: string, name: string, overrides: Partial<IntegrationRecord> = {}): IntegrationRecord => ({
  id,
  name,
  kind: 'threatstack',
  config: { kind: 'threatstack', host: 'api.threatstack.com', port: 443, nested: { list: [1, 2] } },
  secrets: { apiKey: `v1.sealed-${id}` },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
  } catch (error) {
    return error instanceof VigilError ? error.code : 'not a VigilError';
  }
  return undefined;
}

describe.each(storeBackends)('integration registry rows on $name', (backend) => {
  let opened: TestStore | undefined;
  let store: GraphStore;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
    store = opened.store;
  });

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('inserts, finds by id or by name in any case, and lists by name', async () => {
    await store.insertIntegration(record('id-2', 'zeta'));
    await store.insertIntegration(record('id-1', 'Alpha', { kind: 'threatconnect', secrets: {} }));
    expect(await store.findIntegration('id-2')).toEqual(record('id-2', 'zeta'));
    expect((await store.findIntegration('ALPHA'))?.id).toBe('id-1');
    expect((await store.findIntegration('alpha'))?.secrets).toEqual({});
    expect(await store.findIntegration('nope')).toBeUndefined();
    expect((await store.listIntegrations()).map((r) => r.name)).toEqual(['Alpha', 'zeta']);
  });

  it('refuses a taken name (in any case) or id as INPUT_INVALID, storing nothing', async () => {
    await store.insertIntegration(record('id-1', 'prod'));
    expect(await codeOf(store.insertIntegration(record('id-2', 'PROD')))).toBe('INPUT_INVALID');
    expect(await codeOf(store.insertIntegration(record('id-1', 'other')))).toBe('INPUT_INVALID');
    expect(await store.listIntegrations()).toHaveLength(1);
  });

  it('finds an id before a name that happens to equal it', async () => {
    await store.insertIntegration(record('shared', 'first'));
    await store.insertIntegration(record('id-9', 'shared'));
    expect((await store.findIntegration('shared'))?.name).toBe('first');
  });

  it('updates config and secrets only, NOT_FOUND for an unknown id', async () => {
    await store.insertIntegration(record('id-1', 'prod'));
    await store.updateIntegration('id-1', {
      config: { kind: 'threatstack', port: 8443 },
      secrets: { apiKey: 'v1.new', proxyPassword: 'v1.pw' },
      updatedAt: '2026-02-02T00:00:00.000Z',
    });
    expect(await store.findIntegration('prod')).toEqual({
      ...record('id-1', 'prod'),
      config: { kind: 'threatstack', port: 8443 },
      secrets: { apiKey: 'v1.new', proxyPassword: 'v1.pw' },
      updatedAt: '2026-02-02T00:00:00.000Z',
    });
    expect(
      await codeOf(
        store.updateIntegration('nope', { config: {}, secrets: {}, updatedAt: '2026-02-02T00:00:00.000Z' }),
      ),
    ).toBe('NOT_FOUND');
  });

  it('deletes by id, reporting whether there was one, and frees the name', async () => {
    await store.insertIntegration(record('id-1', 'prod'));
    expect(await store.deleteIntegration('id-1')).toBe(true);
    expect(await store.deleteIntegration('id-1')).toBe(false);
    expect(await store.findIntegration('prod')).toBeUndefined();
    await store.insertIntegration(record('id-2', 'prod'));
    expect((await store.findIntegration('prod'))?.id).toBe('id-2');
  });

  it('keeps integrations across a reopen (the migration runs once)', async () => {
    await store.insertIntegration(record('id-1', 'prod'));
    const again = await opened?.reopen();
    expect((await again?.listIntegrations())?.map((r) => r.id)).toEqual(['id-1']);
  });
});
