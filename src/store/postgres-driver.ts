import pg from 'pg';
import type { Driver, SqlRow, SqlValue } from './driver.ts';

const jsonOids = new Set([114, 3802]);
const int8Oid = 20;

/**
 * Both back ends hand JSON columns back as text and counts as numbers, so row parsing is the
 * same on both: json/jsonb keep their text, int8 (COUNT) becomes a number.
 */
const storeTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (jsonOids.has(oid)) return (value: string) => value;
    if (oid === int8Oid) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

const schemaNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Whether `name` can be a schema name without quoting tricks (letters, digits, underscore). */
export function isValidSchemaName(name: string): boolean {
  return schemaNamePattern.test(name);
}

/**
 * Opens a pool on a `postgres://` URL. With `schema` (a valid name: see `isValidSchemaName`),
 * every pooled connection starts with that schema as its `search_path`, a startup parameter, so
 * no connection ever runs without it. The pool connects lazily: the first query reports an
 * unreachable server.
 */
export function openPostgresDriver(url: string, schema?: string): Driver {
  const pool = new pg.Pool({
    connectionString: url,
    types: storeTypes,
    connectionTimeoutMillis: 10_000,
    max: 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  pool.on('error', () => {
    // An idle client lost its server; the next query reports the failure to its caller.
  });
  return new PostgresDriver(pool);
}

const positionalCache = new Map<string, string>();

/** Rewrites `?` placeholders to `$1, $2, …`, leaving quoted literals and identifiers alone. */
export function toPositional(sql: string): string {
  const cached = positionalCache.get(sql);
  if (cached !== undefined) return cached;
  let out = '';
  let index = 0;
  let quote: string | null = null;
  for (const char of sql) {
    if (quote !== null) {
      if (char === quote) quote = null;
      out += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      out += char;
    } else if (char === '?') {
      index += 1;
      out += `$${index}`;
    } else {
      out += char;
    }
  }
  if (positionalCache.size >= 512) positionalCache.clear();
  positionalCache.set(sql, out);
  return out;
}

type Queryable = pg.Pool | pg.PoolClient;

class PostgresDriver implements Driver {
  readonly dialect = 'postgres';

  constructor(private readonly pool: pg.Pool) {}

  all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return queryRows(this.pool, sql, params);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return queryCount(this.pool, sql, params);
  }

  async transaction<T>(work: (tx: Driver) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx = clientDriver(client);
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').then(
        () => client.release(),
        (rollbackError: Error) => client.release(rollbackError),
      );
      throw error;
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

function clientDriver(client: pg.PoolClient): Driver {
  const tx: Driver = {
    dialect: 'postgres',
    all: (sql, params = []) => queryRows(client, sql, params),
    run: (sql, params = []) => queryCount(client, sql, params),
    transaction: (work) => work(tx),
    close: async () => {},
  };
  return tx;
}

async function queryRows(target: Queryable, sql: string, params: readonly SqlValue[]): Promise<SqlRow[]> {
  const result = await target.query<SqlRow>(toPositional(sql), [...params]);
  return result.rows;
}

async function queryCount(target: Queryable, sql: string, params: readonly SqlValue[]): Promise<number> {
  const result = await target.query(toPositional(sql), [...params]);
  return result.rowCount ?? 0;
}
