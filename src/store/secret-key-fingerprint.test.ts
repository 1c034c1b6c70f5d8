import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeBackends, type TestStore } from './testing.ts';

const at = '2026-12-02T10:00:00.000Z';

describe.each(storeBackends)('the secret key record on $name', (backend) => {
  let opened: TestStore | undefined;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
  });
  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('says whether secrets are held, and keeps the first fingerprint recorded', async () => {
    const store = opened?.store;
    if (store === undefined) throw new Error('no store');
    expect(await store.secretKeyState()).toEqual({ holdsSecrets: false });
    const record = {
      id: 'i1',
      name: 'plain',
      kind: 'threatstack',
      config: {},
      secrets: {},
      createdAt: at,
      updatedAt: at,
    };
    await store.insertIntegration(record);
    expect(await store.secretKeyState()).toEqual({ holdsSecrets: false });
    await store.insertIntegration({ ...record, id: 'i2', name: 'sealed', secrets: { apiKey: 'v1.a.b.c' } });
    expect(await store.secretKeyState()).toEqual({ holdsSecrets: true });

    expect(await store.recordSecretKeyFingerprint('sha256:1111111111111111')).toBe('sha256:1111111111111111');
    expect(await store.recordSecretKeyFingerprint('sha256:2222222222222222')).toBe('sha256:1111111111111111');
    expect(await store.secretKeyState()).toEqual({
      fingerprint: 'sha256:1111111111111111',
      holdsSecrets: true,
    });
  });
});
