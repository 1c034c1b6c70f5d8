import type { JsonValue } from '../../graph/types.ts';
import type { Query } from '../../query/ast.ts';
import type { QueryEntity, QueryOptions, QueryResult, QueryRow } from '../../query/result.ts';
import type { Driver, SqlRow } from '../driver.ts';
import { compileQuery, type ResultShape } from './compile.ts';
import type { QueryDialect } from './dialect.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { sqliteDialect } from './sqlite-dialect.ts';

const dialects: Record<Driver['dialect'], QueryDialect> = {
  sqlite: sqliteDialect,
  postgres: postgresDialect,
};

/**
 * Runs a checked J1QL query as one SQL statement and returns JupiterOne's result shape: a list
 * of the FIND entities without RETURN, a table keyed by RETURN labels with it. `options.limit`
 * caps the results on top of the query's own LIMIT.
 */
export async function runQuery(
  driver: Driver,
  query: Query,
  options: QueryOptions = {},
): Promise<QueryResult> {
  const compiled = compileQuery(query, dialects[driver.dialect], options);
  const rows = await driver.all(compiled.sql.text, compiled.sql.params, { largeRead: true });
  return toResult(rows, compiled.shape);
}

/** The SQL a query compiles to on a dialect (for EXPLAIN and the benchmark). */
export function querySql(dialect: Driver['dialect'], query: Query, options: QueryOptions = {}) {
  return compileQuery(query, dialects[dialect], options).sql;
}

/**
 * Rows are checked by hand rather than with zod: a list can hold 100 000 entities, and these
 * checks cost a fraction of a schema parse per row.
 */
function text(row: SqlRow, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`query result column ${column} is not text`);
  return value;
}

function json(row: SqlRow, column: string): JsonValue {
  return JSON.parse(text(row, column)) as JsonValue;
}

function number(row: SqlRow, column: string): number | null {
  const value = row[column];
  if (value !== null && typeof value !== 'number')
    throw new Error(`query result column ${column} is not a number`);
  return value;
}

function toEntity(row: SqlRow, prefix = '', columns = plainColumns): QueryEntity {
  const properties = json(row, `${prefix}${columns.properties}`);
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw new Error('query result properties are not a JSON object');
  }
  // The freshly parsed object is the result: fields are set after the properties, so they win.
  return Object.assign(properties, {
    _key: text(row, `${prefix}${columns.key}`),
    _type: text(row, `${prefix}${columns.type}`),
    _class: text(row, `${prefix}${columns.class}`),
    displayName: text(row, `${prefix}${columns.displayName}`),
  });
}

const plainColumns = {
  key: 'key',
  type: 'type',
  class: 'class',
  displayName: 'display_name',
  properties: 'properties',
};
/** The columns of a returned entity in a table (see table.ts): `<column>_key` … `<column>_props`. */
const itemColumns = {
  key: '_key',
  type: '_type',
  class: '_class',
  displayName: '_name',
  properties: '_props',
};

function toResult(rows: SqlRow[], shape: ResultShape): QueryResult {
  if (shape.type === 'list') return { type: 'list', data: rows.map((row) => toEntity(row)) };
  const data = rows.map((row): QueryRow => {
    const out: QueryRow = {};
    for (const { label, kind, column } of shape.columns) {
      if (kind === 'entity') out[label] = toEntity(row, column, itemColumns);
      else if (kind === 'json') out[label] = row[column] === null ? null : json(row, column);
      else if (kind === 'text') out[label] = text(row, column);
      else out[label] = number(row, column);
    }
    return out;
  });
  return { type: 'table', data };
}
