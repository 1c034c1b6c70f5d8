import fc from 'fast-check';
import { relationship } from '../../graph/keys.ts';
import type { Entity, JsonValue, Properties, Relationship } from '../../graph/types.ts';
import type { GraphStore } from '../types.ts';

/**
 * Random small graphs and random J1QL queries over their vocabulary, for the property test that
 * holds the compiled SQL to the reference evaluator. Strings are ASCII, numbers whole, so every
 * evaluator orders and sums them alike.
 */

export const entityTypes = ['alpha_thing', 'beta_thing', 'gamma'] as const;
const classOf: Record<(typeof entityTypes)[number], string> = {
  alpha_thing: 'Alpha',
  beta_thing: 'Beta',
  gamma: 'Alpha',
};
export const verbs = ['HAS', 'USES'] as const;
const propertyNames = ['p', 'q', 'status', 'tag.Name'] as const;
const strings = ['', 'a', 'ab', 'b', 'ba', 'A'] as const;

const scalar = fc.oneof(
  fc.constantFrom(...strings),
  fc.integer({ min: -2, max: 3 }),
  fc.boolean(),
  fc.constant(null),
);
const propertyValue: fc.Arbitrary<JsonValue> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  {
    weight: 2,
    arbitrary: fc.array(fc.oneof(fc.constantFrom(...strings), fc.integer({ min: 0, max: 2 })), {
      maxLength: 3,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ x: 'a' }) },
);

const properties: fc.Arbitrary<Properties> = fc.dictionary(fc.constantFrom(...propertyNames), propertyValue, {
  maxKeys: 4,
});

export interface Graph {
  entities: Entity[];
  relationships: Relationship[];
}

/** Up to 7 entities and 12 relationships; some relationships point at a key with no entity. */
export const graphArbitrary: fc.Arbitrary<Graph> = fc
  .array(
    fc.record({
      type: fc.constantFrom(...entityTypes),
      name: fc.constantFrom('x', 'y', 'z'),
      properties,
    }),
    { maxLength: 7 },
  )
  .chain((specs) => {
    const entities: Entity[] = specs.map((spec, index) => ({
      _key: `k${index}`,
      _type: spec.type,
      _class: classOf[spec.type],
      displayName: spec.name,
      properties: spec.properties,
    }));
    const ends = [...entities, { _key: 'ghost', _type: 'gamma' }];
    return fc
      .array(
        fc.record({
          from: fc.constantFrom(...ends),
          verb: fc.constantFrom(...verbs),
          to: fc.constantFrom(...ends),
        }),
        { maxLength: 12 },
      )
      .map((specs) => {
        const byKey = new Map(specs.map((spec) => [`${spec.from._key}|${spec.verb}|${spec.to._key}`, spec]));
        const relationships = [...byKey.values()].map((spec) => relationship(spec.from, spec.verb, spec.to));
        return { entities, relationships };
      });
  });

/** Replaces the store's graph with `graph` (one run that writes it and deletes everything else). */
export async function replaceGraph(store: GraphStore, graph: Graph): Promise<void> {
  const at = '2024-05-01T10:00:00.000Z';
  const run = await store.createRun('random', at);
  await store.writeEntities(run, 'random', graph.entities, at);
  await store.writeRelationships(run, 'random', graph.relationships, at);
  for (const type of entityTypes) await store.deleteUnseen(run, 'random', 'entity', type);
  for (const from of entityTypes) {
    for (const verb of verbs) {
      for (const to of entityTypes) {
        await store.deleteUnseen(run, 'random', 'relationship', `${from}_${verb.toLowerCase()}_${to}`);
      }
    }
  }
  await store.clearSeen(run);
}

const selector = fc.constantFrom(
  '*',
  'alpha_thing',
  'beta_thing',
  'gamma',
  'Alpha',
  'Beta',
  '(beta_thing|Alpha)',
);
const property = fc.constantFrom(...propertyNames, '_key', '_type', 'displayName');
const quoted = (text: string) => `'${text}'`;
const literal = fc.oneof(
  fc.constantFrom(...strings).map(quoted),
  fc.integer({ min: -2, max: 3 }).map(String),
  fc.constantFrom('true', 'false', 'undefined', '/a/', '/^b/', '/A/i', '/a$/'),
);

/** `p op value` with an operator that fits the value (as the checker demands). */
function comparison(prefix: string): fc.Arbitrary<string> {
  return fc.tuple(property, literal, fc.nat(11)).map(([name, value, pick]) => {
    const left = `${prefix}${name}`;
    const isString = value.startsWith("'");
    const isNumber = /^-?\d/.test(value);
    const stringOps = ['=', '!=', '<', '>=', '~=', '^=', '$=', '!~=', '!^=', '!$='];
    const numberOps = ['=', '!=', '<', '<=', '>', '>='];
    const ops = isString ? stringOps : isNumber ? numberOps : ['=', '!='];
    return `${left} ${ops[pick % ops.length]} ${value}`;
  });
}

function condition(prefix: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: comparison(prefix) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(comparison(prefix), fc.constantFrom('AND', 'OR'), comparison(prefix))
        .map(([a, joiner, b]) => `(${a} ${joiner} ${b})`),
    },
  );
}

const withClause = fc
  .option(condition(''), { nil: undefined, freq: 2 })
  .map((cond) => (cond === undefined ? '' : ` WITH ${cond}`));

interface Step {
  text: string;
  alias: string | undefined;
}

const step = (alias: string): fc.Arbitrary<Step> =>
  fc
    .tuple(
      fc.nat(9),
      fc.constantFrom('HAS', 'USES', '(HAS|USES)'),
      fc.constantFrom('', ' <<', ' >>'),
      selector,
      withClause,
    )
    .map(([negation, verb, arrow, target, filter]) => {
      const negated = negation === 0;
      return {
        text: ` THAT ${negated ? '!' : ''}${verb}${arrow} ${target}${filter}${negated ? '' : ` AS ${alias}`}`,
        alias: negated ? undefined : alias,
      };
    });

/** A random query over the graph vocabulary, aliased a, b, c. */
export const queryArbitrary: fc.Arbitrary<string> = fc
  .tuple(selector, withClause, fc.array(fc.nat(), { maxLength: 2 }), fc.nat(99), fc.nat(99), fc.nat(99))
  .chain(([find, filter, stepSeeds, whereSeed, returnSeed, orderSeed]) =>
    fc.tuple(...stepSeeds.map((_, index) => step(['b', 'c'][index] ?? 'd'))).chain((steps) => {
      const aliases = ['a', ...steps.flatMap((s) => (s.alias === undefined ? [] : [s.alias]))];
      return fc
        .tuple(
          fc.constantFrom(...aliases),
          fc.constantFrom(...aliases),
          comparison(''),
          property,
          fc.constantFrom('=', '!=', '<', '>='),
          fc.nat(9),
          fc.nat(9),
        )
        .map(([x, y, cmp, other, op, skip, limit]) => {
          let text = `FIND ${find}${filter} AS a${steps.map((s) => s.text).join('')}`;
          if (whereSeed < 30)
            text += whereSeed < 15 ? ` WHERE ${x}.${cmp}` : ` WHERE ${x}.p ${op} ${y}.${other}`;
          const table = returnSeed < 50;
          if (table) {
            const items = [
              `${x}`,
              `${y}.${other}`,
              `COUNT(${y}) AS n`,
              `SUM(${x}.p) AS total`,
              `MAX(${y}.q) AS top`,
              `AVG(${x}.p) AS mean`,
            ].filter((_, index) => ((returnSeed >> index) & 1) === 1 || index === 2);
            text += ` RETURN ${items.join(', ')}`;
            const byItem = ((returnSeed >> 1) & 1) === 1 && orderSeed % 3 === 0;
            // A property of the returned entity `x`: grouped by its key, PostgreSQL must read it from the row.
            const byEntity = (returnSeed & 1) === 1 && orderSeed % 3 === 1;
            const ordered = orderSeed % 4 < 2 ? '_key' : other;
            const target = byItem ? `${y}.${other}` : byEntity ? `${x}.${ordered}` : 'n';
            if (orderSeed < 30) text += ` ORDER BY ${target}${orderSeed % 2 ? ' DESC' : ''}`;
          } else if (orderSeed < 40) {
            text += ` ORDER BY a.${['p', 'q', 'displayName', 'tag.Name'][orderSeed % 4]}${orderSeed % 2 ? ' DESC' : ''}`;
          }
          if (orderSeed < 40 && skip < 4) text += ` SKIP ${skip}`;
          if (orderSeed < 40 && limit < 5) text += ` LIMIT ${limit}`;
          return text;
        });
    }),
  );
