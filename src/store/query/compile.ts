import type { Query } from '../../query/ast.ts';
import type { QueryOptions } from '../../query/result.ts';
import { compileCondition, nodeFilter } from './conditions.ts';
import type { QueryDialect } from './dialect.ts';
import { columnOf, operand } from './operand.ts';
import { findOutside, negations, type PathPlan, pathArms } from './paths.ts';
import { allOf, joinSql, type Sql, sql, trusted } from './sql.ts';
import { compileTable, type TableColumn } from './table.ts';

/** How the rows of a compiled query become a result. */
export type ResultShape = { type: 'list' } | { type: 'table'; columns: TableColumn[] };

export interface CompiledQuery {
  sql: Sql;
  shape: ResultShape;
}

const entityColumns = ['key', 'type', 'class', 'display_name', 'properties'] as const;

/**
 * Compiles a checked query into ONE SQL statement for the dialect. Traversals are joins over
 * `relationships` (an undirected step is a UNION ALL of both directions, so every join can use
 * the (from_key, class, to_key) and (to_key, class, from_key) indexes); a negated step is NOT
 * EXISTS; every value is a bound parameter, every property name passed an allowlist.
 */
export function compileQuery(query: Query, d: QueryDialect, options: QueryOptions = {}): CompiledQuery {
  const tables = new Map<string, string>([[query.find.alias, 'e0']]);
  for (const [index, step] of query.traversals.entries()) tables.set(step.node.alias, `e${index + 1}`);
  const positive = query.traversals
    .map((step, index) => ({ step, index: index + 1 }))
    .filter(({ step }) => !step.negated);
  const plan: PathPlan = { query, tables, positive };
  const limit =
    options.limit === undefined
      ? query.limit
      : Math.min(options.limit, query.limit ?? Number.POSITIVE_INFINITY);
  if (query.returns === undefined) return { sql: compileList(plan, d, limit), shape: { type: 'list' } };
  const table = compileTable(plan, query.returns, d, limit);
  return { sql: table.sql, shape: { type: 'table', columns: table.columns } };
}

function compileList(plan: PathPlan, d: QueryDialect, limit: number | undefined): Sql {
  const { query } = plan;
  const columns = trusted(entityColumns.map((column) => `e0.${column}`).join(', '));
  let filter: Sql;
  if (plan.positive.length === 0) filter = conditions(plan, d);
  else if (findOutside(plan)) {
    filter = allOf([
      nodeFilter(query.find, 'e0', d),
      ...negations(plan, d, 'find'),
      sql`e0.key IN (${joinSql(pathArms(plan, d), ' UNION ALL ')})`,
    ]);
  } else filter = sql`e0.key IN (${joinSql(pathArms(plan, d, trusted('e0.key')), ' UNION ALL ')})`;
  const orderBy = query.orderBy;
  const order: Sql[] = [];
  if (orderBy?.target.kind === 'property') {
    order.push(d.sortTerms(d.json(operand('e0', orderBy.target.ref.property)), orderBy.descending));
  }
  if (orderBy !== undefined) order.push(d.keyOrder(columnOf('e0', '_key')));
  const orderClause = order.length === 0 ? trusted('') : sql` ORDER BY ${joinSql(order, ', ')}`;
  return sql`SELECT ${columns} FROM entities e0 WHERE ${filter}${orderClause}${d.limitOffset(limit, query.skip)}`;
}

/** Every WHERE term of the FIND entity alone (no positive step): its filter, negations, WHERE. */
function conditions(plan: PathPlan, d: QueryDialect): Sql {
  return allOf([
    nodeFilter(plan.query.find, 'e0', d),
    ...negations(plan, d),
    ...(plan.query.where === undefined ? [] : [compileCondition(plan.query.where, plan.tables, d)]),
  ]);
}
