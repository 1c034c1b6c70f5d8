import type { AggregateFunction, OrderOp } from '../../query/ast.ts';
import type { Operand } from './operand.ts';
import type { Sql } from './sql.ts';

/** A string test applied to a string property or to each string member of an array property. */
export type MemberTest =
  | { kind: 'contains' | 'startsWith' | 'endsWith'; value: string }
  | { kind: 'regex'; source: string; ignoreCase: boolean };

/**
 * The SQL of each value operation of the query semantics (see QueryResult), per back end. Every
 * positive predicate is true, false or NULL (NULL acting as false); `not` turns one into its exact
 * negation.
 */
export interface QueryDialect {
  /** Between the tables of a join: SQLite keeps the written order with CROSS JOIN. */
  joinSeparator: string;
  /** Whether a traversal joins each relationship as a LATERAL index probe (see paths.ts). */
  lateralRelationships: boolean;
  /** A string scalar equal to `value` (written so an expression index on the property serves it). */
  stringEquals(target: Operand, value: string): Sql;
  booleanEquals(target: Operand, value: boolean): Sql;
  numberCompare(target: Operand, op: '=' | OrderOp, value: number): Sql;
  stringOrder(target: Operand, op: OrderOp, value: string): Sql;
  /** Missing or JSON null. */
  missing(target: Operand): Sql;
  members(target: Operand, test: MemberTest): Sql;
  /** Two scalars of one type: equal (`=`), or ordered (numbers, strings). */
  compareOperands(left: Operand, op: '=' | OrderOp, right: Operand): Sql;
  not(positive: Sql): Sql;
  /** The property as JSON (text on SQLite, jsonb on PostgreSQL); NULL when missing or JSON null. */
  json(target: Operand): Sql;
  /** An aggregate over the numeric values of a property (NULL when there are none). */
  aggregate(fn: AggregateFunction, target: Operand): Sql;
  /** A numeric expression as the JSON `sortTerms` takes. */
  numberAsJson(value: Sql): Sql;
  /** ORDER BY terms for a value given as `json(…)`: by type rank, then value. */
  sortTerms(json: Sql, descending: boolean): Sql;
  /** The tie-breaking ORDER BY term for a key column (code-point order). */
  keyOrder(column: Sql): Sql;
  limitOffset(limit: number | undefined, offset: number | undefined): Sql;
}
