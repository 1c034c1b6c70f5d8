import { z } from 'zod';
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
  const rows = await driver.all(compiled.sql.text, compiled.sql.params);
  return toResult(rows, compiled.shape);
}

/** The SQL a query compiles to on a dialect (for EXPLAIN and the benchmark). */
export function querySql(dialect: Driver['dialect'], query: Query, options: QueryOptions = {}) {
  return compileQuery(query, dialects[dialect], options).sql;
}

const jsonText = z.string().transform((text): JsonValue => JSON.parse(text) as JsonValue);
const propertiesText = z
  .string()
  .transform((text): unknown => JSON.parse(text))
  .pipe(
    z.record(
      z.string(),
      z.custom<JsonValue>(() => true),
    ),
  );
const nullableNumber = z.number().nullable();

const entityRow = z.object({
  key: z.string(),
  type: z.string(),
  class: z.string(),
  display_name: z.string(),
  properties: propertiesText,
});

function toEntity(row: z.infer<typeof entityRow>): QueryEntity {
  return {
    ...row.properties,
    _key: row.key,
    _type: row.type,
    _class: row.class,
    displayName: row.display_name,
  };
}

function toResult(rows: SqlRow[], shape: ResultShape): QueryResult {
  if (shape.type === 'list') return { type: 'list', data: rows.map((row) => toEntity(entityRow.parse(row))) };
  const data = rows.map((row): QueryRow => {
    const out: QueryRow = {};
    for (const column of shape.columns) {
      const name = column.column;
      if (column.kind === 'entity') {
        out[column.label] = toEntity(
          entityRow.parse({
            key: row[`${name}_key`],
            type: row[`${name}_type`],
            class: row[`${name}_class`],
            display_name: row[`${name}_name`],
            properties: row[`${name}_props`],
          }),
        );
      } else if (column.kind === 'json') {
        out[column.label] = row[name] === null ? null : jsonText.parse(row[name]);
      } else {
        out[column.label] = nullableNumber.parse(row[name]);
      }
    }
    return out;
  });
  return { type: 'table', data };
}
