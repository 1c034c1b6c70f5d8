import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import { relationship } from '../graph/keys.ts';
import type { Entity, JsonValue } from '../graph/types.ts';
import { canonicalJson } from './content-hash.ts';
import { sanitizeEntity, sanitizeRelationship, sanitizeText } from './sanitize.ts';
import { storeBackends, storePerTest } from './testing.ts';
import type { GraphStore } from './types.ts';

const nul = String.fromCharCode(0);
const loneHigh = '\uD83D';
const at = '2024-05-01T10:00:00.000Z';

function host(id: string, name = id): Entity {
  return { _key: `host:${id}`, _type: 'host', _class: 'Host', displayName: name, properties: { id } };
}

describe('sanitizeText', () => {
  it('drops NUL, replaces lone surrogates and keeps paired ones', () => {
    expect(sanitizeText(`a${nul}b`)).toBe('ab');
    expect(sanitizeText(`x${loneHigh}y\uDC00z`)).toBe('x\uFFFDy\uFFFDz');
    expect(sanitizeText('ok \uD83D\uDE00')).toBe('ok \uD83D\uDE00');
  });
});

/** Sanitizing by copying everything: what sanitizeEntity must equal, copy or not. */
function copySanitized(value: JsonValue): JsonValue {
  if (typeof value === 'string') return sanitizeText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copySanitized);
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [sanitizeText(key), copySanitized(item)]),
  );
}

describe('sanitizeEntity', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'b', nul, loneHigh, '\uDC00', '\uD83D\uDE00') });
  const json = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.integer(),
      fc.constant(null),
      fc.array(tie('node')),
      fc.dictionary(text, tie('node')),
    ),
  })).node as fc.Arbitrary<JsonValue>;

  it('sanitizes every text at every depth, and hands clean data back without copying it', () => {
    fc.assert(
      fc.property(fc.dictionary(text, json), json, (properties, rawData) => {
        const entity: Entity = { ...host('x'), properties, rawData };
        const sanitized = sanitizeEntity(entity);
        expect(sanitized.properties).toEqual(copySanitized(properties));
        expect(sanitized.rawData).toEqual(copySanitized(rawData));
        const again = sanitizeEntity(sanitized);
        expect(again.properties).toBe(sanitized.properties);
        expect(again.rawData).toBe(sanitized.rawData);
      }),
      { numRuns: 500 },
    );
  });
});

describe('sanitizeRelationship keys', () => {
  it('refuses a key other than <from>|<verb>|<to>: one relationship per (from, class, to)', () => {
    const linked = relationship({ _key: 'a', _type: 'host' }, 'HAS', { _key: 'b', _type: 'host' });
    expect(sanitizeRelationship(linked)._key).toBe('a|has|b');
    for (const key of ['a|has|b#2', 'a|uses|b', 'b|has|a']) {
      const error = (() => {
        try {
          return sanitizeRelationship({ ...linked, _key: key });
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe('INTERNAL_ERROR');
    }
  });
});

describe('canonicalJson on deep nesting', () => {
  it('refuses with INPUT_INVALID instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 200_000; level++) deep = { next: deep };
    expect(() => canonicalJson(deep)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});

describe.each(storeBackends)('stored text on $name', (backend) => {
  let store: GraphStore;
  storePerTest(backend, (opened) => {
    store = opened.store;
  });

  const dirty: Entity = {
    _key: `host:bad${nul}1`,
    _type: 'host',
    _class: 'Host',
    displayName: `web${nul}-${loneHigh}1`,
    properties: { [`note${nul}`]: `a${nul}b`, list: [`c${loneHigh}`] },
    rawData: { nested: { [`k${loneHigh}`]: `v${nul}` } },
  };

  it('stores a record with NUL and lone surrogates sanitized, with the rest of its batch, stably', async () => {
    const run = await store.createRun('ts1', at);
    const batch = [host('a'), dirty, host('b')];
    expect(await store.writeEntities(run, 'ts1', batch, at)).toEqual({ host: { created: 3, updated: 0 } });
    const stored = await store.getEntity('host:bad1');
    expect(stored).toMatchObject({
      displayName: 'web-\uFFFD1',
      properties: { note: 'ab', list: ['c\uFFFD'] },
      rawData: { nested: { 'k\uFFFD': 'v' } },
    });
    const linked = relationship(host('a'), 'HAS', dirty, { why: `x${nul}` });
    expect(await store.writeRelationships(run, 'ts1', [linked], at)).toEqual({
      host_has_host: { created: 1, updated: 0 },
    });
    expect(await store.getRelationship('host:a|has|host:bad1')).toMatchObject({
      toKey: 'host:bad1',
      properties: { why: 'x' },
    });
    const again = await store.createRun('ts1', at);
    expect(await store.writeEntities(again, 'ts1', batch, at)).toEqual({ host: { created: 0, updated: 0 } });
  });

  it('adds each write to the run change log as it commits', async () => {
    const run = await store.createRun('ts1', at);
    await store.writeEntities(run, 'ts1', [host('a'), host('b')], at);
    expect(await store.listChanges(run)).toEqual([
      { kind: 'entity', type: 'host', created: 2, updated: 0, deleted: 0 },
    ]);
    await store.writeEntities(run, 'ts1', [host('a', 'renamed'), host('c')], at);
    expect(await store.listChanges(run)).toEqual([
      { kind: 'entity', type: 'host', created: 3, updated: 1, deleted: 0 },
    ]);
  });
});
