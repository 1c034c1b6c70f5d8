import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiToken } from '../../src/app/tokens.ts';
import { openStore } from '../../src/store/index.ts';
import { runCli } from '../helpers/cli.ts';

describe('vigil tokens', () => {
  let dir: string;
  let db: string;
  const vigil = (...args: string[]) => runCli([...args, '--db', db]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-tokens-'));
    db = join(dir, 'vigil.db');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a token shown once on stdout, lists it without its value, and revokes it', async () => {
    const created = await vigil('tokens', 'create', '--name', 'ci', '--role', 'operator');
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toBe("Created operator token 'ci'. Copy it now: it is not shown again.\n");

    const store = await openStore(db);
    try {
      expect((await store.findApiTokenByHash(hashApiToken(token)))?.name).toBe('ci');
    } finally {
      await store.close();
    }

    const listed = await vigil('tokens', 'list', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'ci', role: 'operator', revokedAt: null }),
    ]);
    expect(listed.stdout).not.toContain(token);

    const revoked = await vigil('tokens', 'revoke', 'CI');
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^Revoked token 'ci' at \d{4}-\d\d-\d\dT/);
    const again = await vigil('tokens', 'revoke', 'ci', '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).error.code).toBe('NOT_FOUND');
  });

  it('refuses an unknown role as a usage error and a taken name as INPUT_INVALID', async () => {
    const badRole = await vigil('tokens', 'create', '--name', 'x', '--role', 'root');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('Allowed choices are viewer, operator, admin.');
    await vigil('tokens', 'create', '--name', 'dup', '--role', 'viewer');
    const taken = await vigil('tokens', 'create', '--name', 'DUP', '--role', 'viewer', '--json');
    expect(taken.code).toBe(2);
    expect(JSON.parse(taken.stdout).error.code).toBe('INPUT_INVALID');
  });
});
