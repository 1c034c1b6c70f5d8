import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashString, Random, randomFor, uniqueHex8 } from './random.ts';

function draws(random: Random, count = 20): number[] {
  return Array.from({ length: count }, () => random.next());
}

describe('hashString (FNV-1a, 32 bits)', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('matches the published FNV-1a test vector for %j', (text, expected) => {
    expect(hashString(text)).toBe(expected);
  });

  it('is stable and an unsigned 32-bit integer', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const hash = hashString(text);
        expect(hashString(text)).toBe(hash);
        expect(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff).toBe(true);
      }),
    );
    expect(hashString('agents')).not.toBe(hashString('alerts'));
  });
});

describe('Random', () => {
  it('the same seed gives the same sequence; another seed another one', () => {
    expect(draws(new Random(42))).toEqual(draws(new Random(42)));
    expect(draws(new Random(43))).not.toEqual(draws(new Random(42)));
  });

  it('next() is in [0, 1)', () => {
    const random = new Random(9);
    for (let i = 0; i < 10_000; i++) {
      const value = random.next();
      expect(value >= 0 && value < 1).toBe(true);
    }
  });

  it('int(min, max) stays within both bounds and reaches both', () => {
    const random = new Random(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const value = random.int(1, 6);
      expect(Number.isInteger(value) && value >= 1 && value <= 6).toBe(true);
      seen.add(value);
    }
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Random(5).int(7, 7)).toBe(7);
  });

  it('int bounds hold for any range (property)', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.nat(1_000_000),
        (seed, min, span) => {
          const value = new Random(seed).int(min, min + span);
          expect(Number.isInteger(value) && value >= min && value <= min + span).toBe(true);
        },
      ),
    );
  });

  it('chance(0) never and chance(1) always', () => {
    const random = new Random(3);
    for (let i = 0; i < 1_000; i++) {
      expect(random.chance(0)).toBe(false);
      expect(random.chance(1)).toBe(true);
    }
  });

  it('pick returns an element, and throws on an empty list', () => {
    const random = new Random(4);
    const items = ['a', 'b', 'c'] as const;
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) seen.add(random.pick(items));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(() => random.pick([])).toThrow(/empty/);
  });

  it('hex(n) is exactly n lower-case hex digits', () => {
    const random = new Random(6);
    for (let n = 0; n <= 40; n++) expect(random.hex(n)).toMatch(new RegExp(`^[0-9a-f]{${n}}$`));
    const many = Array.from({ length: 200 }, () => random.hex(24)).join('');
    expect(new Set(many)).toEqual(new Set('0123456789abcdef'));
  });

  it('uuid4() is an RFC 4122 version-4 UUID, and they differ', () => {
    const random = new Random(8);
    const ids = Array.from({ length: 500 }, () => random.uuid4());
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });
});

describe('randomFor', () => {
  it('the same (seed, stream, index) always gives the same draws', () => {
    expect(draws(randomFor(1, 'agents', 17))).toEqual(draws(randomFor(1, 'agents', 17)));
    expect(randomFor(1, 'agents').uuid4()).toBe(randomFor(1, 'agents', 0).uuid4());
  });

  it('entity i does not depend on what was generated before it', () => {
    const alone = draws(randomFor(7, 'alerts', 5));
    for (let i = 0; i < 5; i++) draws(randomFor(7, 'alerts', i));
    draws(randomFor(7, 'agents', 5));
    expect(draws(randomFor(7, 'alerts', 5))).toEqual(alone);
  });

  it('streams, indices and seeds are independent of one another', () => {
    const first = (seed: number, stream: string, index: number) => randomFor(seed, stream, index).next();
    const byIndex = new Set(Array.from({ length: 1_000 }, (_, i) => first(1, 'agents', i)));
    expect(byIndex.size).toBe(1_000);
    const byStream = new Set(
      ['agents', 'alerts', 'cves', 'findings', 'rules', 'members'].map((s) => first(1, s, 0)),
    );
    expect(byStream.size).toBe(6);
    const bySeed = new Set(Array.from({ length: 1_000 }, (_, seed) => first(seed, 'agents', 0)));
    expect(bySeed.size).toBe(1_000);
  });

  it('neighbouring indices are not shifted copies of each other', () => {
    const a = draws(randomFor(1, 'agents', 0), 50);
    const b = draws(randomFor(1, 'agents', 1), 50);
    for (let shift = 0; shift < 10; shift++) {
      expect(b.slice(0, 40)).not.toEqual(a.slice(shift, shift + 40));
      expect(a.slice(0, 40)).not.toEqual(b.slice(shift, shift + 40));
    }
  });
});

describe('uniqueHex8', () => {
  it('gives eight hex digits, different for every index', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(uniqueHex8(i));
    expect(seen.size).toBe(200_000);
    expect(uniqueHex8(7)).toMatch(/^[0-9a-f]{8}$/);
  });
});
