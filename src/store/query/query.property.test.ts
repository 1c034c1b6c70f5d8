import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../graph/types.ts';
import type { Query } from '../../query/ast.ts';
import { parseQuery } from '../../query/parse.ts';
import { compareSortValues, evaluateReference } from '../../query/reference.ts';
import type { QueryResult } from '../../query/result.ts';
import { storeBackends, type TestStore } from '../testing.ts';
import { graphArbitrary, queryArbitrary, replaceGraph } from './testing.ts';

/** JSON with sorted keys and numbers to 9 significant digits (AVG may round differently). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, inner: unknown) => {
    if (typeof inner === 'number') return Number(inner.toPrecision(9));
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      return Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return inner;
  });
}

/** The sort key of each row, as the query orders it. */
function sortKeys(query: Query, result: QueryResult): JsonValue[] {
  const target = query.orderBy?.target;
  if (target === undefined) return [];
  // A table ordered by a property reads it from the returned entity of that alias.
  const entity = query.returns?.find(
    (item) => item.kind === 'entity' && target.kind === 'property' && item.alias === target.ref.alias,
  )?.label;
  return result.data.map((row) => {
    if (target.kind === 'item') return canonical(row[target.label] ?? null);
    const holder = entity === undefined ? row : row[entity];
    const value =
      typeof holder === 'object' && holder !== null && !Array.isArray(holder)
        ? holder[target.ref.property]
        : undefined;
    return canonical(value ?? null);
  });
}

/**
 * What both evaluators must agree on: a list exactly (its order is total once ordered); a table as
 * a multiset of rows, plus, when ordered, the sequence of sort values (ties may come in any order),
 * and, when paged, only its length and that sequence.
 */
function comparable(query: Query, result: QueryResult): unknown {
  const rows = result.data.map(canonical);
  const paged = query.skip !== undefined || query.limit !== undefined;
  if (result.type === 'list') return query.orderBy === undefined ? [...rows].sort() : rows;
  return {
    rows: paged ? rows.length : [...rows].sort(),
    order: sortKeys(query, result),
  };
}

describe.each(storeBackends)('J1QL on $name agrees with the reference evaluator', (backend) => {
  let opened: TestStore | undefined;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
  });

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('returns exactly what the reference returns, for random queries on random graphs', async () => {
    const store = opened!.store;
    await fc.assert(
      fc.asyncProperty(
        graphArbitrary,
        fc.array(queryArbitrary, { minLength: 8, maxLength: 8 }),
        async (graph, texts) => {
          await replaceGraph(store, graph);
          for (const text of texts) {
            const query = parseQuery(text);
            const expected = evaluateReference(query, graph.entities, graph.relationships);
            const actual = await store.query(query);
            expect({ text, result: comparable(query, actual) }).toEqual({
              text,
              result: comparable(query, expected),
            });
          }
        },
      ),
      { numRuns: 40, seed: 12 },
    );
  });

  it('orders lists by type rank, value and key, and keeps DESC the exact reverse', () => {
    expect([3, 'a', true, null, 1, 'B'].sort(compareSortValues)).toEqual([1, 3, 'B', 'a', true, null]);
  });
});
