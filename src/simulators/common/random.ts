/**
 * Deterministic randomness for the simulators. Every generated thing draws from its own stream,
 * keyed by (seed, stream name, index), so entity i is the same whatever else was generated and
 * can be produced lazily on demand instead of being held in memory.
 */

/** FNV-1a hash of a string to an unsigned 32-bit integer. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's 32-bit finaliser: spreads the bits of `value`. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Eight hex digits that are different for every `index` (a bijection of 32-bit integers), to
 * make generated identifiers unique by construction: random draws alone can repeat, because
 * every stream walks the same 2^32-long cycle of the generator.
 */
export function uniqueHex8(index: number): string {
  return mix32(index ^ 0x5bd1e995)
    .toString(16)
    .padStart(8, '0');
}

/** A small, fast PRNG (mulberry32) with helpers for the shapes the generators need. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('Random.pick on an empty list');
    return item;
  }

  /** `length` lower-case hex digits. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += (this.int(0, 0xffff) | 0x10000).toString(16).slice(1);
    return out.slice(0, length);
  }

  /** A random RFC 4122 version-4 UUID. */
  uuid4(): string {
    const variant = this.pick(['8', '9', 'a', 'b']);
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${variant}${this.hex(3)}-${this.hex(12)}`;
  }
}

/** The random stream for one generated thing: the same (seed, stream, index) always gives the same draws. */
export function randomFor(seed: number, stream: string, index = 0): Random {
  return new Random(mix32(mix32(seed ^ hashString(stream)) + Math.imul(index + 1, 0x9e3779b1)));
}
