import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiTokenService, hashApiToken, roleAtLeast } from '../../src/app/tokens.ts';
import { VigilError } from '../../src/errors.ts';
import { storeBackends, type TestStore } from '../../src/store/testing.ts';
import { bearer, type Harness, openHarness } from './harness.ts';

describe('roleAtLeast', () => {
  it.each([
    ['viewer', 'viewer', true],
    ['viewer', 'operator', false],
    ['operator', 'viewer', true],
    ['operator', 'admin', false],
    ['admin', 'operator', true],
  ] as const)('%s may act as %s: %s', (role, minimum, allowed) => {
    expect(roleAtLeast(role, minimum)).toBe(allowed);
  });
});

describe.each(storeBackends)('ApiTokenService on $name', (backend) => {
  let opened: TestStore | undefined;
  let service: ApiTokenService;
  const clock = { ms: 0 };

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
    clock.ms = Date.parse('2026-06-01T00:00:00.000Z');
    let id = 0;
    service = new ApiTokenService(opened.store, {
      now: () => new Date(clock.ms),
      randomBytes: (size) => Buffer.alloc(size, 7),
      newId: () => `tok-${++id}`,
    });
  });

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('creates a vgl_ token of 32 random bytes and stores only its SHA-256', async () => {
    const { token, summary } = await service.create({ name: 'ci', role: 'operator' });
    expect(token).toBe(`vgl_${Buffer.alloc(32, 7).toString('base64url')}`);
    expect(summary).toEqual({
      id: 'tok-1',
      name: 'ci',
      role: 'operator',
      createdAt: '2026-06-01T00:00:00.000Z',
      lastUsedAt: null,
      revokedAt: null,
    });
    const [stored] = await (opened as TestStore).store.listApiTokens();
    expect(stored?.hash).toBe(hashApiToken(token));
    expect(JSON.stringify(stored)).not.toContain(token.slice(4));
    expect(await service.list()).toEqual([summary]);
  });

  it('authenticates a live token, records its use at most once a minute, and not after revocation', async () => {
    const { token } = await service.create({ name: 'ci', role: 'admin' });
    expect(await service.authenticate(token)).toEqual({ tokenId: 'tok-1', name: 'ci', role: 'admin' });
    clock.ms += 30_000;
    await service.authenticate(token);
    expect((await service.list())[0]?.lastUsedAt).toBe('2026-06-01T00:00:00.000Z');
    clock.ms += 30_000;
    await service.authenticate(token);
    expect((await service.list())[0]?.lastUsedAt).toBe('2026-06-01T00:01:00.000Z');
    await service.revoke('CI');
    expect(await service.authenticate(token)).toBeUndefined();
  });

  it('refuses unknown and malformed tokens, and a bad name with INPUT_INVALID', async () => {
    expect(await service.authenticate('vgl_nothing')).toBeUndefined();
    expect(await service.authenticate('')).toBeUndefined();
    const refusal = await service
      .create({ name: 'has space', role: 'viewer' })
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(VigilError);
    expect((refusal as VigilError).code).toBe('INPUT_INVALID');
  });
});

describe('/api/v1/tokens', () => {
  let harness: Harness;
  let admin: string;

  beforeEach(async () => {
    harness = await openHarness();
    admin = await harness.tokenFor('admin', 'root');
  });

  afterEach(async () => {
    await harness.close();
  });

  it('creates (201, value once), lists without values, and revokes so the token stops working', async () => {
    const created = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(admin),
      payload: { name: 'dash', role: 'viewer' },
    });
    expect(created.statusCode).toBe(201);
    const { token, apiToken } = created.json();
    expect(apiToken).toMatchObject({ name: 'dash', role: 'viewer', revokedAt: null });
    expect((await harness.app.inject({ url: '/metrics', headers: bearer(token) })).statusCode).toBe(200);

    const listed = await harness.app.inject({ url: '/api/v1/tokens', headers: bearer(admin) });
    expect(listed.json().tokens.map((t: { name: string }) => t.name)).toEqual(['dash', 'root']);
    expect(listed.body).not.toContain(token);
    expect(listed.body).not.toContain('hash');

    const revoked = await harness.app.inject({
      method: 'DELETE',
      url: '/api/v1/tokens/dash',
      headers: bearer(admin),
    });
    expect(revoked.json().apiToken.revokedAt).toBe('2026-06-01T12:00:00.000Z');
    expect((await harness.app.inject({ url: '/metrics', headers: bearer(token) })).statusCode).toBe(401);
  });

  it('answers 400 for a bad role and 404 for revoking an unknown name', async () => {
    const bad = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(admin),
      payload: { name: 'x', role: 'root' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe(
      'body.role: Invalid option: expected one of "viewer"|"operator"|"admin"',
    );
    const missing = await harness.app.inject({
      method: 'DELETE',
      url: '/api/v1/tokens/ghost',
      headers: bearer(admin),
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: "No active API token named 'ghost'.",
        hint: 'Run `vigil tokens list` to see the tokens and whether they are revoked.',
      },
    });
  });
});
