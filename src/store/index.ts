import { VigilError } from '../errors.ts';
import type { Driver } from './driver.ts';
import { createGraphStore } from './graph-store.ts';
import type { RunLocker } from './run-lock.ts';
import {
  describeLocation,
  isPostgresLocation,
  isValidSchemaName,
  type StoreLocation,
  toStoreError,
} from './store-error.ts';
import type { GraphStore } from './types.ts';

export { canonicalJson, entityContentHash, relationshipContentHash } from './content-hash.ts';
export { isPostgresLocation } from './store-error.ts';
export type * from './types.ts';

/** The database when no location is given and VIGIL_DB is unset. */
export const defaultStoreLocation = './vigil.db';

export interface OpenStoreOptions {
  /**
   * PostgreSQL: a schema (letters, digits, `_`) created if missing and used as search_path; default
   * env VIGIL_PG_SCHEMA, else the server's search path. Ignored by SQLite.
   */
  schema?: string;
  /** Run ids; random UUIDs by default. */
  newRunId?: () => string;
  /**
   * PostgreSQL: how long one statement may run (server `statement_timeout` and client
   * `query_timeout`), in ms; default env VIGIL_PG_QUERY_TIMEOUT_MS, else 5 minutes. Ignored by SQLite.
   */
  queryTimeoutMs?: number;
}

/**
 * Opens the graph store and applies pending migrations before returning it. `location` defaults
 * to env VIGIL_DB, else `./vigil.db` (empty strings count as unset). A `postgres://` or
 * `postgresql://` URL selects PostgreSQL; anything else is a SQLite file path (created if
 * missing). Failures are `STORE_ERROR` naming the operation and the location without its
 * password; nothing stays open after a failure.
 */
export async function openStore(location?: string, options: OpenStoreOptions = {}): Promise<GraphStore> {
  const target = location || process.env.VIGIL_DB || defaultStoreLocation;
  const schema = options.schema ?? (process.env.VIGIL_PG_SCHEMA || undefined);
  const described = describeLocation(target);
  const { driver, runLocker } = await openDriver(target, described, {
    schema,
    queryTimeoutMs: options.queryTimeoutMs ?? queryTimeoutFromEnv(),
  });
  try {
    if (driver.dialect === 'postgres' && schema !== undefined) {
      await driver.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    }
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw toStoreError('open', error, described);
  }
  const store = createGraphStore(driver, described, runLocker, options.newRunId);
  try {
    await store.migrate();
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
  return store;
}

function queryTimeoutFromEnv(): number | undefined {
  const text = process.env.VIGIL_PG_QUERY_TIMEOUT_MS;
  if (!text) return undefined;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new VigilError('CONFIG_INVALID', `Invalid VIGIL_PG_QUERY_TIMEOUT_MS "${text}"`, {
      hint: 'Give a whole number of milliseconds greater than 0, e.g. 300000 for 5 minutes.',
    });
  }
  return ms;
}

/**
 * Loads only the driver the location needs (better-sqlite3 or pg, each costly to import) when a
 * store is opened, so commands that never open one, or open SQLite, do not pay for the other.
 */
async function openDriver(
  target: string,
  described: StoreLocation,
  options: { schema: string | undefined; queryTimeoutMs: number | undefined },
): Promise<{ driver: Driver; runLocker: RunLocker }> {
  const { schema, queryTimeoutMs } = options;
  if (!isPostgresLocation(target)) {
    try {
      const [{ openSqliteDriver }, { sqliteRunLocker }] = await Promise.all([
        import('./sqlite-driver.ts'),
        import('./run-lock-sqlite.ts'),
      ]);
      const driver = openSqliteDriver(target);
      return { driver, runLocker: sqliteRunLocker(driver) };
    } catch (error) {
      throw toStoreError('open', error, described);
    }
  }
  if (schema !== undefined && !isValidSchemaName(schema)) {
    throw new VigilError('CONFIG_INVALID', `Invalid store schema name "${schema}"`, {
      hint: 'Use letters, digits and underscores, starting with a letter or underscore.',
    });
  }
  try {
    const [{ openPostgresDriver }, { postgresRunLocker }] = await Promise.all([
      import('./postgres-driver.ts'),
      import('./run-lock-postgres.ts'),
    ]);
    const driver = openPostgresDriver(target, {
      ...(schema === undefined ? {} : { schema }),
      ...(queryTimeoutMs === undefined ? {} : { queryTimeoutMs }),
    });
    return { driver, runLocker: postgresRunLocker(driver.connectSession) };
  } catch (error) {
    throw toStoreError('open', error, described);
  }
}
