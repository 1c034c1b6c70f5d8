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

/** How long one statement may take by default before it fails (server and client side). */
export const defaultQueryTimeoutMs = 5 * 60_000;

export interface PostgresOptions {
  /** A valid schema name (see `isValidSchemaName`) used as every connection's `search_path`. */
  schema?: string;
  /** Server `statement_timeout` and client `query_timeout`, in ms; default 5 minutes. */
  queryTimeoutMs?: number;
}

/** A PostgreSQL driver that can also open a connection of its own, outside the pool. */
export interface PostgresDriver extends Driver {
  /**
   * A new connected client with the pool's settings, for session state (advisory locks). Its
   * `error` events are the caller's to handle; the caller ends it.
   */
  connectSession(): Promise<pg.Client>;
}

/**
 * Opens a pool on a `postgres://` URL. With a schema, every connection starts with it as its
 * `search_path`, a startup parameter, so no connection ever runs without it. Every connection
 * has TCP keepalive and a statement timeout, and a connection that fails (server gone, link cut)
 * never crashes the process: the operation using it fails, and the pool replaces it. The pool
 * connects lazily: the first query reports an unreachable server.
 */
export function openPostgresDriver(url: string, options: PostgresOptions = {}): PostgresDriver {
  const timeoutMs = options.queryTimeoutMs ?? defaultQueryTimeoutMs;
  const config: pg.ClientConfig = {
    connectionString: url,
    types: storeTypes,
    connectionTimeoutMillis: Math.min(10_000, timeoutMs),
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  };
  const pool = new pg.Pool({ ...config, max: 10 });
  pool.on('error', ignoreConnectionError);
  pool.on('connect', (client) => client.on('error', ignoreConnectionError));
  return new PoolDriver(pool, async () => {
    const client = new pg.Client(config);
    await client.connect();
    return client;
  });
}

/**
 * A pooled connection that lost its server: the query running on it (if any) fails on its own,
 * and the pool discards the connection; the event itself needs no further handling.
 */
function ignoreConnectionError(): void {}

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

class PoolDriver implements PostgresDriver {
  readonly dialect = 'postgres';

  constructor(
    private readonly pool: pg.Pool,
    readonly connectSession: () => Promise<pg.Client>,
  ) {}

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
