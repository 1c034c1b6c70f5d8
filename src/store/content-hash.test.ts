import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entity, Relationship } from '../graph/types.ts';
import { canonicalJson, entityContentHash, relationshipContentHash } from './content-hash.ts';

/** Rebuilds every object of a JSON value with its keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .reverse()
      .map((key) => [key, reverseKeys((value as Record<string, unknown>)[key])]),
  );
}

const agentEntity: Entity = {
  _key: 'threatstack:agent:a1',
  _type: 'threatstack_agent',
  _class: 'HostAgent',
  displayName: 'web-1',
  properties: { online: true, ips: ['10.0.0.2', '10.0.0.1'] },
  rawData: { nested: { y: 1.5, x: null }, id: 'a1' },
};

const protects: Relationship = {
  _key: 'threatstack:agent:a1|protects|server:web-1',
  _type: 'threatstack_agent_protects_server',
  _class: 'PROTECTS',
  fromKey: 'threatstack:agent:a1',
  toKey: 'server:web-1',
  fromType: 'threatstack_agent',
  toType: 'server',
  properties: {},
};

/** canonicalJson as JSON.stringify with a key-sorting replacer: the definition the direct writer must match. */
function replacerCanonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item === null || typeof item !== 'object' || Array.isArray(item)
      ? item
      : Object.fromEntries(
          Object.keys(item)
            .sort()
            .map((key) => [key, (item as Record<string, unknown>)[key]]),
        ),
  );
}

describe('canonicalJson', () => {
  it('writes exactly what JSON.stringify with a key-sorting replacer writes (stored hashes stay valid)', () => {
    const member = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(undefined, Number.NaN, -0, Number.POSITIVE_INFINITY, 1e21, new Date(86_400_000)),
      fc.string(),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        member,
        fc.array(tie('node')),
        fc.dictionary(fc.string(), tie('node')),
      ),
    })).node;
    fc.assert(
      fc.property(value, (generated) => {
        expect(canonicalJson(generated)).toBe(replacerCanonicalJson(generated));
      }),
      { numRuns: 2000 },
    );
    const wide = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [i % 3 === 0 ? String(99 - i) : `k${(i * 37) % 100}`, i]),
    );
    expect(canonicalJson({ wide })).toBe(replacerCanonicalJson({ wide }));
  });

  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('follows JSON.stringify for undefined, non-finite numbers and toJSON', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, Number.NaN], c: new Date(0) })).toBe(
      '{"b":[null,null],"c":"1970-01-01T00:00:00.000Z"}',
    );
    expect(() => canonicalJson({ big: 1n })).toThrow(TypeError);
    expect(canonicalJson(JSON.parse('{"z":1,"__proto__":{"b":2,"a":1}}'))).toBe(
      '{"__proto__":{"a":1,"b":2},"z":1}',
    );
  });

  it('is the same text whatever the key order, and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(reverseKeys(value))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('content hashes', () => {
  it('match frozen vectors (sha256 of the canonical JSON, computed with sha256sum)', () => {
    expect(entityContentHash(agentEntity)).toBe(
      'f1cf57b9ab0481e718456af60d434acfe3fe2a043ed88eec07b66132066704bc',
    );
    expect(relationshipContentHash(protects)).toBe(
      'b71bad41300c83ed28c42bc2dcfbd01eb9f8d086f6820caafa611c6189d71fb4',
    );
  });

  it('ignore key order and the key itself, but see every hashed field', () => {
    const base = entityContentHash(agentEntity);
    expect(entityContentHash(reverseKeys(agentEntity) as Entity)).toBe(base);
    expect(entityContentHash({ ...agentEntity, _key: 'other' })).toBe(base);
    const variants: Entity[] = [
      { ...agentEntity, _type: 'server' },
      { ...agentEntity, _class: 'Host' },
      { ...agentEntity, displayName: 'web-2' },
      { ...agentEntity, properties: { ...agentEntity.properties, online: false } },
      { ...agentEntity, properties: { ...agentEntity.properties, ips: ['10.0.0.1', '10.0.0.2'] } },
      { ...agentEntity, rawData: null },
      {
        _key: agentEntity._key,
        _type: 'threatstack_agent',
        _class: 'HostAgent',
        displayName: 'web-1',
        properties: agentEntity.properties,
      },
    ];
    const hashes = new Set([base, ...variants.map(entityContentHash)]);
    expect(hashes.size).toBe(variants.length + 1);
  });

  it('cover both ends of a relationship', () => {
    const base = relationshipContentHash(protects);
    for (const change of [
      { toKey: 'server:web-2' },
      { fromKey: 'x' },
      { toType: 'aws_instance' },
      { fromType: 'y' },
    ]) {
      expect(relationshipContentHash({ ...protects, ...change })).not.toBe(base);
    }
    expect(relationshipContentHash({ ...protects, properties: { since: 1 } })).not.toBe(base);
  });
});
