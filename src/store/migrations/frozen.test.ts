import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrations } from './index.ts';

/**
 * sha256 of each released migration (version, name and every statement of both back ends).
 * Databases in the field have run these exact statements; editing one would leave them with a
 * schema this code does not describe. A new migration gets its line here when it is released.
 */
const released: Record<number, string> = {
  1: '43e442a7d096224a9c25151e402b40117eb07eba4de61dde211e75a43d58d048',
  2: '619cc2b22da0c2c57a93e5041885263e07bb1bd106049a11408d21291431d5ed',
  3: '40c9770d1935502385b0236597269f20762f3ead23f39ff28455b95dd45ce6bf',
  4: '971597c329da95de67322f62b2a7ac2fa5602a8c4eab4a25b68f1f220dca0e4a',
  7: '26876a43e3a9e96f3fb71a694f920920e1d5fcba59b4dc6c0a1e4f08ac7a2dad',
};

function fingerprint(migration: (typeof migrations)[number]): string {
  const { version, name, sqlite, postgres } = migration;
  return createHash('sha256').update(JSON.stringify({ version, name, sqlite, postgres })).digest('hex');
}

describe('released migrations', () => {
  it('are numbered 1, 2, 3 … in order, with no gap', () => {
    expect(migrations.map((migration) => migration.version)).toEqual(migrations.map((_, index) => index + 1));
  });

  it.each(migrations.map((migration) => [migration.version, migration] as const))(
    'migration %i is unchanged since its release',
    (version, migration) => {
      const expected = released[version];
      if (expected === undefined) return;
      expect(
        fingerprint(migration),
        `Migration ${version} (${migration.name}) changed after its release: add a new migration instead`,
      ).toBe(expected);
    },
  );

  it('every released migration is still listed', () => {
    const listed = new Set(migrations.map((migration) => migration.version));
    const missing = Object.keys(released).filter((version) => !listed.has(Number(version)));
    expect(missing, 'A released migration was removed: add a new migration instead').toEqual([]);
  });
});
