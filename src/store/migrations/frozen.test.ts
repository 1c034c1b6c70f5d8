import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrations } from './index.ts';

/**
 * sha256 of each released migration (version, name and every statement of both back ends).
 * Databases in the field have run these exact statements; editing one would leave them with a
 * schema this code does not describe. A new migration gets its line here when it is added.
 */
const released: Record<number, string> = {
  1: '43e442a7d096224a9c25151e402b40117eb07eba4de61dde211e75a43d58d048',
  2: '619cc2b22da0c2c57a93e5041885263e07bb1bd106049a11408d21291431d5ed',
  3: '40c9770d1935502385b0236597269f20762f3ead23f39ff28455b95dd45ce6bf',
  4: '971597c329da95de67322f62b2a7ac2fa5602a8c4eab4a25b68f1f220dca0e4a',
  5: '1f2be943471a385988e9719c939c0aa76597f2c86004c56175ae21a8dd0b7e0d',
  6: '12c5bd6f752b7488f42b986048e5c2e8b23e4bf6895e8e0cdcfd052e617069ae',
  7: 'ed3502d5a882af0b3f35c57252982e199f7bce2cc72972c653f7f5bd3c1301d4',
  8: '10318bf6e566177bfbffb170bec54028a6b43aa2493eac6b26ac3a4c8ea69c22',
  9: '5bad7996413f719ada0a0350f55bada57cebbdeff8fc34714da77d37b6ecd307',
  10: '97077be77cf92e1c45ccf40c537ad26f930ed474583c128abe4337065fdd4b13',
  11: 'e34f69616b40ab95d322dda543869eda9d50b005002c6c50fbc714bf6541c1cb',
  12: '2d4a042e1eb70af1b8dfb37008b98b51bb984c48c9389e50262ca49911387512',
  13: '18973ee6e3f62c6be0733749631e6c9865ee81f0ed8062290467ad33f1c52301',
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
      expect(
        expected,
        `Migration ${version} (${migration.name}) has no recorded hash: add it to \`released\``,
      ).toBeDefined();
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
