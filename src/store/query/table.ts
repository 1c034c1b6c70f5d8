import type { ReturnItem } from '../../query/ast.ts';
import type { QueryDialect } from './dialect.ts';
import { type Operand, operand } from './operand.ts';
import { needsDistinctMatches, type PathPlan, pathArms } from './paths.ts';
import { joinSql, type Sql, sql, trusted } from './sql.ts';

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

  entityTable(alias: string): string {
    const index = this.index(alias);
    this.joined.add(index);
    return `a${index}`;
  }
}

/**
 * A RETURN query: the distinct-enough matches (the union of the path arms, keys only), joined to
 * the entities the items read, grouped by every non-aggregate item; ordered and limited outside.
 */
export function compileTable(
  plan: PathPlan,
  items: readonly ReturnItem[],
  d: QueryDialect,
  limit: number | undefined,
): { sql: Sql; columns: TableColumn[] } {
  const scope = new MatchScope(plan);
  const selected: Sql[] = [];
  const groups: Sql[] = [];
  const columns = items.map((item, n): TableColumn => {
    const column = `c${n}`;
    const kind = selectItem(item, column, scope, d, selected, groups);
    return { label: item.label, kind, column };
  });
  const orderBy = plan.query.orderBy;
  if (orderBy?.target.kind === 'property') {
    selected.push(
      sql`${d.json(scope.operand(orderBy.target.ref.alias, orderBy.target.ref.property))} AS c_order`,
    );
  }
  const grouped = sql`SELECT ${joinSql(selected, ', ')} FROM (${matches(plan, items, d)}) AS p${joins(scope)}${
    groups.length === 0 ? trusted('') : sql` GROUP BY ${joinSql(groups, ', ')}`
  }`;
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
      selected.push(sql`COUNT(DISTINCT ${scope.key(item.alias)}) AS ${trusted(column)}`);
      return 'number';
    case 'aggregate':
      selected.push(
        sql`${d.aggregate(item.fn, scope.operand(item.ref.alias, item.ref.property))} AS ${trusted(column)}`,
      );
      return 'number';
  }
}

/** The matches as key tuples `k<n>`; distinct when SUM or AVG must count each match once. */
function matches(plan: PathPlan, items: readonly ReturnItem[], d: QueryDialect): Sql {
  const distinct = needsDistinctMatches(items);
  const aliases = [0, ...plan.positive.map(({ index }) => index)];
  const keys = aliases.map((index) => `e${index}.key AS k${index}`).join(', ');
  const arms = pathArms(plan, d, trusted(`${distinct ? 'DISTINCT ' : ''}${keys}`));
  return joinSql(arms, distinct ? ' UNION ' : ' UNION ALL ');
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
