import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { storeBackends, storePerTest } from '../../src/store/testing.ts';
import type { ApiTokenRecord, GraphStore } from '../../src/store/types.ts';

const token = (id: string, name: string, overrides: Partial<ApiTokenRecord> = {}): ApiTokenRecord => ({
  id,
  name,
  role: 'viewer',
  hash: `hash-${id}`,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastUsedAt: null,
  revokedAt: null,
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

describe.each(storeBackends)('API token rows on $name', (backend) => {
  let store: GraphStore;
  storePerTest(backend, (opened) => {
    store = opened.store;
  });

  it('inserts, finds by hash and lists by name in any case', async () => {
    await store.insertApiToken(token('t2', 'zeta', { role: 'admin' }));
    await store.insertApiToken(token('t1', 'Alpha'));
    expect(await store.findApiTokenByHash('hash-t2')).toEqual(token('t2', 'zeta', { role: 'admin' }));
    expect(await store.findApiTokenByHash('hash-none')).toBeUndefined();
    expect((await store.listApiTokens()).map((t) => t.name)).toEqual(['Alpha', 'zeta']);
  });

  it('refuses a taken name (any case), id or hash as INPUT_INVALID, storing nothing', async () => {
    await store.insertApiToken(token('t1', 'ci'));
    expect(await codeOf(store.insertApiToken(token('t2', 'CI')))).toBe('INPUT_INVALID');
    expect(await codeOf(store.insertApiToken(token('t1', 'other')))).toBe('INPUT_INVALID');
    expect(await codeOf(store.insertApiToken(token('t3', 'third', { hash: 'hash-t1' })))).toBe(
      'INPUT_INVALID',
    );
    expect(await store.listApiTokens()).toHaveLength(1);
  });

  it('revokes by name in any case once, then NOT_FOUND; the row stays', async () => {
    await store.insertApiToken(token('t1', 'ci'));
    const revoked = await store.revokeApiToken('CI', '2026-02-01T00:00:00.000Z');
    expect(revoked).toEqual(token('t1', 'ci', { revokedAt: '2026-02-01T00:00:00.000Z' }));
    expect(await codeOf(store.revokeApiToken('ci', '2026-02-02T00:00:00.000Z'))).toBe('NOT_FOUND');
    expect(await codeOf(store.revokeApiToken('nope', '2026-02-02T00:00:00.000Z'))).toBe('NOT_FOUND');
    expect((await store.findApiTokenByHash('hash-t1'))?.revokedAt).toBe('2026-02-01T00:00:00.000Z');
  });

  it('records the last use; an unknown id changes nothing', async () => {
    await store.insertApiToken(token('t1', 'ci'));
    await store.touchApiToken('t1', '2026-03-01T00:00:00.000Z');
    await store.touchApiToken('t9', '2026-03-02T00:00:00.000Z');
    expect(await store.listApiTokens()).toEqual([
      token('t1', 'ci', { lastUsedAt: '2026-03-01T00:00:00.000Z' }),
    ]);
  });
});
