import type { JsonValue } from '../graph/types.ts';

/** An entity as a query returns it (JupiterOne's shape): its fields, then its properties, flat. */
export type QueryEntity = {
  _key: string;
  _type: string;
  _class: string;
  displayName: string;
} & Record<string, JsonValue>;

/** One row of a RETURN table, keyed by each item's label; a returned alias is a whole entity. */
export type QueryRow = Record<string, JsonValue | QueryEntity>;

/**
 * JupiterOne's query result shape: `list` of the FIND entities when the query has no RETURN,
 * `table` of rows when it has. The value semantics every evaluator shares (the store's SQL and the reference evaluator):
 * - `=`, `!=`, `<`, `<=`, `>`, `>=` compare a scalar of the literal's type (strings by code
 *   point, numbers numerically, booleans by `=` only); a value of another type never matches `=`.
 * - `~=` (contains), `^=` (starts with), `$=` (ends with) and `= /regex/` match a string, or any
 *   string member of an array.
 * - `= undefined` matches a missing property or JSON null.
 * - Every negated operator (`!=`, `!~=`, `!^=`, `!$=`, `!= /regex/`, `!= undefined`) is exactly
 *   the negation of its positive form, so it matches missing properties too.
 * - Sorting: numbers, then strings, then booleans (false first), then everything else (missing,
 *   null, arrays, objects); DESC reverses the whole order. A list's ties fall back to `_key`.
 */
export type QueryResult = { type: 'list'; data: QueryEntity[] } | { type: 'table'; data: QueryRow[] };

/** What a caller may add to the query's own SKIP/LIMIT. */
export interface QueryOptions {
  /** At most this many results (the smaller of this and the query's LIMIT). */
  limit?: number;
}
