import type { Entity, JsonValue, Relationship } from '../graph/types.ts';
import type { Condition, NodePattern, PropertyRef, Query, ReturnItem, Traversal, Value } from './ast.ts';
import type { QueryEntity, QueryResult, QueryRow } from './result.ts';

/**
 * A small in-memory evaluator of the query AST over arrays, written to be obviously correct
 * rather than fast: the oracle the store's compiled SQL is tested against (see QueryResult for
 * the semantics). A match is a tuple of entities, one per alias of a non-negated step; matches are
 * distinct by their keys. A list is in `_key` order unless the query orders it.
 */
export function evaluateReference(
  query: Query,
  entities: readonly Entity[],
  relationships: readonly Relationship[],
): QueryResult {
  const byKey = new Map(entities.map((entity) => [entity._key, entity]));
  let matches: Match[] = entities
    .filter((entity) => nodeMatches(query.find, entity))
    .map((entity) => ({ [query.find.alias]: entity }));
  for (const step of query.traversals) {
    matches = step.negated
      ? matches.filter((match) => neighbours(step, match, byKey, relationships).length === 0)
      : matches.flatMap((match) =>
          neighbours(step, match, byKey, relationships).map((entity) => ({
            ...match,
            [step.node.alias]: entity,
          })),
        );
  }
  const where = query.where;
  matches = distinct(where === undefined ? matches : matches.filter((match) => holds(where, match)));
  const start = query.skip ?? 0;
  const end = query.limit === undefined ? undefined : start + query.limit;
  if (query.returns === undefined) {
    const found = distinctEntities(matches.map((match) => match[query.find.alias]));
    return { type: 'list', data: sortList(found, query).slice(start, end).map(toQueryEntity) };
  }
  const rows = tableRows(query.returns, matches);
  return { type: 'table', data: sortRows(rows, query).slice(start, end) };
}

type Match = Record<string, Entity>;

function nodeMatches(node: NodePattern, entity: Entity): boolean {
  const selected =
    node.selector.kind === 'any' ||
    node.selector.names.some(
      (name) => (name.field === '_class' ? entity._class : entity._type) === name.value,
    );
  return selected && (node.where === undefined || holds(node.where, { [node.alias]: entity }));
}

function neighbours(
  step: Traversal,
  match: Match,
  byKey: ReadonlyMap<string, Entity>,
  relationships: readonly Relationship[],
): Entity[] {
  const from = match[step.from]?._key;
  const found: Entity[] = [];
  for (const relationship of relationships) {
    if (!step.verbs.includes(relationship._class)) continue;
    const ends: string[] = [];
    if (step.direction !== 'in' && relationship.fromKey === from) ends.push(relationship.toKey);
    if (step.direction !== 'out' && relationship.toKey === from) ends.push(relationship.fromKey);
    for (const key of ends) {
      const entity = byKey.get(key);
      if (entity !== undefined && nodeMatches(step.node, entity)) found.push(entity);
    }
  }
  return distinctEntities(found);
}

function distinctEntities(entities: ReadonlyArray<Entity | undefined>): Entity[] {
  const byKey = new Map<string, Entity>();
  for (const entity of entities) if (entity !== undefined) byKey.set(entity._key, entity);
  return [...byKey.values()];
}

function distinct(matches: Match[]): Match[] {
  const seen = new Map<string, Match>();
  for (const match of matches) {
    seen.set(JSON.stringify(Object.entries(match).map(([alias, entity]) => [alias, entity._key])), match);
  }
  return [...seen.values()];
}

/** A property of an entity: its fields by name, else its properties (undefined when missing). */
function propertyOf(entity: Entity | undefined, property: string): JsonValue | undefined {
  if (entity === undefined) return undefined;
  if (property === '_key') return entity._key;
  if (property === '_type') return entity._type;
  if (property === '_class') return entity._class;
  if (property === 'displayName') return entity.displayName;
  return entity.properties[property];
}

function read(ref: PropertyRef, match: Match): JsonValue | undefined {
  return propertyOf(match[ref.alias], ref.property);
}

function holds(condition: Condition, match: Match): boolean {
  switch (condition.kind) {
    case 'and':
      return condition.operands.every((operand) => holds(operand, match));
    case 'or':
      return condition.operands.some((operand) => holds(operand, match));
    case 'compare':
      return compareValue(read(condition.left, match), condition.op, condition.right);
    case 'compareProperties': {
      const positive = condition.op === '!=' ? '=' : condition.op;
      const result = compareScalars(read(condition.left, match), positive, read(condition.right, match));
      return condition.op === '!=' ? !result : result;
    }
  }
}

/** Whether `value op literal` holds (the negated operators are exact negations). */
function compareValue(value: JsonValue | undefined, op: string, literal: Value): boolean {
  if (op.startsWith('!')) return !compareValue(value, op === '!=' ? '=' : op.slice(1), literal);
  const members = Array.isArray(value) ? value : [value];
  const strings = members.filter((member): member is string => typeof member === 'string');
  switch (literal.kind) {
    case 'undefined':
      return value === undefined || value === null;
    case 'boolean':
      return value === literal.value;
    case 'regex': {
      const pattern = new RegExp(literal.source, literal.ignoreCase ? 'i' : '');
      return strings.some((member) => pattern.test(member));
    }
    case 'string':
      if (op === '~=') return strings.some((member) => member.includes(literal.value));
      if (op === '^=') return strings.some((member) => member.startsWith(literal.value));
      if (op === '$=') return strings.some((member) => member.endsWith(literal.value));
      return compareScalars(value, op, literal.value);
    case 'number':
      return compareScalars(value, op, literal.value);
  }
}

function compareScalars(left: JsonValue | undefined, op: string, right: JsonValue | undefined): boolean {
  const type = typeof left;
  if (type !== typeof right || (type !== 'string' && type !== 'number' && type !== 'boolean')) return false;
  if (op === '=') return left === right;
  if (type === 'boolean') return false;
  const [a, b] = [left as string | number, right as string | number];
  if (op === '<') return a < b;
  if (op === '<=') return a <= b;
  if (op === '>') return a > b;
  return a >= b;
}

/** The sort key of a value: numbers, then strings, then booleans, then anything else. */
function sortRank(value: JsonValue | undefined): [number, number | string] {
  if (typeof value === 'number') return [0, value];
  if (typeof value === 'string') return [1, value];
  if (typeof value === 'boolean') return [2, value ? 1 : 0];
  return [3, 0];
}

export function compareSortValues(a: JsonValue | undefined, b: JsonValue | undefined): number {
  const [rankA, keyA] = sortRank(a);
  const [rankB, keyB] = sortRank(b);
  if (rankA !== rankB) return rankA - rankB;
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}

function sortList(entities: Entity[], query: Query): Entity[] {
  const byKey = (a: Entity, b: Entity) => (a._key < b._key ? -1 : a._key > b._key ? 1 : 0);
  const target = query.orderBy?.target;
  if (query.orderBy === undefined || target?.kind !== 'property') return entities.sort(byKey);
  const sign = query.orderBy.descending ? -1 : 1;
  return entities.sort(
    (a, b) =>
      sign * compareSortValues(propertyOf(a, target.ref.property), propertyOf(b, target.ref.property)) ||
      byKey(a, b),
  );
}

/** An entity in a query result: properties first, then its fields (which win). */
function toQueryEntity(entity: Entity): QueryEntity {
  return {
    ...entity.properties,
    _key: entity._key,
    _type: entity._type,
    _class: entity._class,
    displayName: entity.displayName,
  };
}

function tableRows(items: readonly ReturnItem[], matches: Match[]): QueryRow[] {
  const groups = new Map<string, { row: QueryRow; matches: Match[] }>();
  for (const match of matches) {
    const row: QueryRow = {};
    for (const item of items) {
      if (item.kind === 'entity' && match[item.alias] !== undefined) {
        row[item.label] = toQueryEntity(match[item.alias] as Entity);
      }
      if (item.kind === 'property') row[item.label] = read(item.ref, match) ?? null;
    }
    const key = JSON.stringify(row);
    const group = groups.get(key) ?? { row, matches: [] };
    group.matches.push(match);
    groups.set(key, group);
  }
  const grouping = items.some((item) => item.kind === 'entity' || item.kind === 'property');
  // Aggregates alone make one row, even over no match (COUNT 0), as SQL does.
  if (!grouping && groups.size === 0) groups.set('', { row: {}, matches: [] });
  return [...groups.values()].map(({ row, matches: grouped }) => {
    const complete: QueryRow = {};
    for (const item of items) {
      complete[item.label] =
        item.kind === 'entity' || item.kind === 'property'
          ? (row[item.label] ?? null)
          : aggregate(item, grouped);
    }
    return complete;
  });
}

function aggregate(item: ReturnItem & { kind: 'count' | 'aggregate' }, matches: Match[]): JsonValue {
  if (item.kind === 'count') return new Set(matches.map((match) => match[item.alias]?._key)).size;
  const numbers = matches
    .map((match) => read(item.ref, match))
    .filter((value): value is number => typeof value === 'number');
  if (numbers.length === 0) return null;
  const sum = numbers.reduce((total, value) => total + value, 0);
  if (item.fn === 'sum') return sum;
  if (item.fn === 'avg') return sum / numbers.length;
  return item.fn === 'min' ? Math.min(...numbers) : Math.max(...numbers);
}

function sortRows(rows: QueryRow[], query: Query): QueryRow[] {
  const orderBy = query.orderBy;
  if (orderBy === undefined) return rows;
  const target = orderBy.target;
  const entityLabel = query.returns?.find(
    (item) => item.kind === 'entity' && target.kind === 'property' && item.alias === target.ref.alias,
  )?.label;
  const key = (row: QueryRow): JsonValue | undefined => {
    if (target.kind === 'item') return row[target.label];
    const entity = entityLabel === undefined ? undefined : row[entityLabel];
    return typeof entity === 'object' && entity !== null && !Array.isArray(entity)
      ? entity[target.ref.property]
      : undefined;
  };
  const sign = orderBy.descending ? -1 : 1;
  return rows.sort((a, b) => sign * compareSortValues(key(a), key(b)));
}
