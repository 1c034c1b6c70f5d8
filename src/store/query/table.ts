import type { ReturnItem } from '../../query/ast.ts';
import { nodeFilter } from './conditions.ts';
import type { QueryDialect } from './dialect.ts';
import { type Operand, operand } from './operand.ts';
import { findOutside, needsDistinctMatches, negations, type PathPlan, pairsOnce, pathArms } from './paths.ts';
import { allOf, joinSql, type Sql, sql, trusted } from './sql.ts';

/** A RETURN item's column(s): an entity spreads over `<column>_key` … `<column>_props`. */
export interface TableColumn {
  label: string;
  kind: 'entity' | 'json' | 'text' | 'number';
  column: string;
}

/** Where each positive alias's key sits in the matches (`p.k<n>`) and its entity row (`a<n>`). */
class MatchScope {
  readonly joined = new Set<number>();
  constructor(private readonly plan: PathPlan) {}

  index(alias: string): number {
    const table = this.plan.tables.get(alias);
    if (table === undefined) throw new Error(`alias ${alias} has no table`);
    return Number(table.slice(1));
  }

  key(alias: string): Sql {
    return trusted(`p.k${this.index(alias)}`);
  }

  operand(alias: string, property: string): Operand {
    if (property === '_key') return { kind: 'column', column: this.key(alias) };
    const index = this.index(alias);
    this.joined.add(index);
    return operand(`a${index}`, property);
  }

  /**
   * A property of an entity the RETURN lists, read from its row `a<n>` (even `_key`): grouped by
   * `a<n>.key`, the primary key, every column of that row is one value per group on both engines
   * (PostgreSQL refuses `p.k<n>` there, as it is no column of `entities`).
   */
  returnedOperand(alias: string, property: string): Operand {
    return operand(this.entityTable(alias), property);
  }

  entityTable(alias: string): string {
    const index = this.index(alias);
    this.joined.add(index);
    return `a${index}`;
  }
}

/**
 * A RETURN query: the distinct-enough matches (the union of the path arms, keys only), joined to
 * the entities the items read, grouped by every non-aggregate item; ordered and limited outside.
 * When the FIND entity is filtered outside the arms (`findOutside`), groups by its key and is read
 * only through that key, the groups are built first and the FIND filter applied to each group
 * once: the 2-hop aggregate then checks 100 000 agents instead of its 250 000 matches.
 */
export function compileTable(
  general: PathPlan,
  items: readonly ReturnItem[],
  d: QueryDialect,
  limit: number | undefined,
): { sql: Sql; columns: TableColumn[] } {
  const plan = countsPairs(general, items);
  const scope = new MatchScope(plan);
  const selected: Sql[] = [];
  const groups: Sql[] = [];
  const columns = items.map((item, n): TableColumn => {
    const column = `c${n}`;
    const kind = selectItem(item, column, scope, d, selected, groups, countsOnce(plan, items));
    return { label: item.label, kind, column };
  });
  const orderBy = plan.query.orderBy;
  if (orderBy?.target.kind === 'property') {
    selected.push(
      sql`${d.json(scope.returnedOperand(orderBy.target.ref.alias, orderBy.target.ref.property))} AS c_order`,
    );
  }
  const outside = findOutside(plan) && !scope.joined.has(0) && groupsByFindKey(plan, items);
  const body = sql`SELECT ${joinSql(selected, ', ')}${trusted(outside ? ', p.k0 AS c_find' : '')} FROM (${matches(
    plan,
    items,
    d,
    outside,
  )}) AS p${joins(scope)}${groups.length === 0 ? trusted('') : sql` GROUP BY ${joinSql(groups, ', ')}`}`;
  const grouped = outside
    ? filterFindOutside(plan, d, body, outputs(columns, orderBy?.target.kind === 'property'))
    : body;
  const order = orderTerms(plan, columns, d);
  const paged = d.limitOffset(limit, plan.query.skip);
  const statement =
    order === undefined
      ? sql`${grouped}${paged}`
      : sql`SELECT * FROM (${grouped}) AS q ORDER BY ${order}${paged}`;
  return { sql: statement, columns };
}

function selectItem(
  item: ReturnItem,
  column: string,
  scope: MatchScope,
  d: QueryDialect,
  selected: Sql[],
  groups: Sql[],
  once: (alias: string) => boolean,
): TableColumn['kind'] {
  switch (item.kind) {
    case 'entity': {
      const table = scope.entityTable(item.alias);
      selected.push(
        trusted(
          `${table}.key AS ${column}_key, ${table}.type AS ${column}_type, ${table}.class AS ${column}_class, ${table}.display_name AS ${column}_name, ${table}.properties AS ${column}_props`,
        ),
      );
      groups.push(trusted(`${table}.key`));
      return 'entity';
    }
    case 'property': {
      const target = scope.operand(item.ref.alias, item.ref.property);
      if (target.kind === 'column') {
        selected.push(sql`${target.column} AS ${trusted(column)}`);
        groups.push(target.column);
        return 'text';
      }
      const value = d.json(target);
      selected.push(sql`${value} AS ${trusted(column)}`);
      groups.push(value);
      return 'json';
    }
    case 'count':
      selected.push(
        once(item.alias)
          ? trusted(`COUNT(*) AS ${column}`)
          : sql`COUNT(DISTINCT ${scope.key(item.alias)}) AS ${trusted(column)}`,
      );
      return 'number';
    case 'aggregate':
      selected.push(
        sql`${d.aggregate(item.fn, scope.operand(item.ref.alias, item.ref.property))} AS ${trusted(column)}`,
      );
      return 'number';
  }
}

/**
 * Which counted aliases a group holds once per match, so `COUNT(*)` equals `COUNT(DISTINCT)`: the
 * matches hold each (FIND, node) pair once (`pairsOnce`), the counted alias is one end of the step
 * and the items group by the other end's key. Grouping by anything coarser (a hostname shared by
 * two agents) or counting the grouped alias keeps DISTINCT.
 */
/**
 * The plan with `disjoint` arms when that lets a COUNT drop DISTINCT (one undirected step with one
 * verb): the `in` arm then checks, per match, that no `out` relationship holds the same pair.
 */
function countsPairs(plan: PathPlan, items: readonly ReturnItem[]): PathPlan {
  if (plan.positive[0]?.step.direction !== 'any') return plan;
  const disjoint = { ...plan, disjoint: true };
  const once = countsOnce(disjoint, items);
  return items.some((item) => item.kind === 'count' && once(item.alias)) ? disjoint : plan;
}

function countsOnce(plan: PathPlan, items: readonly ReturnItem[]): (alias: string) => boolean {
  const step = plan.positive[0]?.step;
  if (step === undefined || !pairsOnce(plan)) return () => false;
  const ends = [step.from, step.node.alias];
  const groupedByKey = (alias: string) =>
    items.some(
      (item) =>
        (item.kind === 'entity' && item.alias === alias) ||
        (item.kind === 'property' && item.ref.alias === alias && item.ref.property === '_key'),
    );
  return (counted) => {
    const other = ends.find((alias) => alias !== counted);
    return ends.includes(counted) && other !== undefined && groupedByKey(other);
  };
}

/** Whether the items group by the FIND entity's key (so each group holds one FIND entity). */
function groupsByFindKey(plan: PathPlan, items: readonly ReturnItem[]): boolean {
  const find = plan.query.find.alias;
  return items.some(
    (item) => item.kind === 'property' && item.ref.alias === find && item.ref.property === '_key',
  );
}

/** The SQL columns of the items (and `c_order`), as `g.<column>`: `c_find` is not returned. */
function outputs(columns: readonly TableColumn[], ordered: boolean): Sql {
  const names = columns.flatMap(({ kind, column }) =>
    kind === 'entity'
      ? ['_key', '_type', '_class', '_name', '_props'].map((part) => `${column}${part}`)
      : [column],
  );
  if (ordered) names.push('c_order');
  return trusted(names.map((name) => `g.${name}`).join(', '));
}

/**
 * The groups (`g`) whose FIND entity, joined by `c_find`, passes its filter and negated steps;
 * `c_find` itself is left out of the rows (100 000 fewer strings for the 2-hop aggregate).
 */
function filterFindOutside(plan: PathPlan, d: QueryDialect, groups: Sql, columns: Sql): Sql {
  const filter = allOf([
    trusted('e0.key = g.c_find'),
    nodeFilter(plan.query.find, 'e0', d),
    ...negations(plan, d, 'find'),
  ]);
  return sql`SELECT ${columns} FROM (${groups}) AS g${trusted(d.joinSeparator)}entities e0 WHERE ${filter}`;
}

/**
 * The matches as key tuples `k<n>`; distinct when SUM or AVG must count each match once. With
 * `outside`, `k0` is the FIND key as the first relationship holds it (the entity is filtered later).
 */
function matches(plan: PathPlan, items: readonly ReturnItem[], d: QueryDialect, outside: boolean): Sql {
  const distinct = needsDistinctMatches(items) ? 'DISTINCT ' : '';
  const others = plan.positive.map(({ index }) => `, e${index}.key AS k${index}`).join('');
  const arms = outside
    ? pathArms(plan, d, (findKey) => sql`${trusted(distinct)}${findKey} AS k0${trusted(others)}`)
    : pathArms(plan, d, trusted(`${distinct}e0.key AS k0${others}`));
  return joinSql(arms, distinct === '' ? ' UNION ALL ' : ' UNION ');
}

function joins(scope: MatchScope): Sql {
  return trusted(
    [...scope.joined].map((index) => ` JOIN entities a${index} ON a${index}.key = p.k${index}`).join(''),
  );
}

function orderTerms(plan: PathPlan, columns: readonly TableColumn[], d: QueryDialect): Sql | undefined {
  const orderBy = plan.query.orderBy;
  if (orderBy === undefined) return undefined;
  const target = orderBy.target;
  if (target.kind === 'property') return d.sortTerms(trusted('q.c_order'), orderBy.descending);
  const column = columns.find((candidate) => candidate.label === target.label);
  if (column === undefined || column.kind === 'entity') return undefined;
  const value = trusted(`q.${column.column}`);
  if (column.kind === 'text') return sql`${d.keyOrder(value)}${trusted(orderBy.descending ? ' DESC' : '')}`;
  return d.sortTerms(column.kind === 'number' ? d.numberAsJson(value) : value, orderBy.descending);
}
