import { VigilError } from '../errors.ts';
import type { Driver } from './driver.ts';
import { createGraphStore } from './graph-store.ts';
import { describeLocation, isPostgresLocation, type StoreLocation, toStoreError } from './store-error.ts';
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
  const driver = await openDriver(target, described, schema);
  try {
    if (driver.dialect === 'postgres' && schema !== undefined) {
      await driver.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    }
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw toStoreError('open', error, described);
  }
  const store = createGraphStore(driver, described, options.newRunId);
  try {
    await store.migrate();
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/**
 * Loads only the driver the location needs (better-sqlite3 or pg, each costly to import) when a
 * store is opened, so commands that never open one, or open SQLite, do not pay for the other.
 */
async function openDriver(
  target: string,
  described: StoreLocation,
  schema: string | undefined,
): Promise<Driver> {
  if (!isPostgresLocation(target)) {
    try {
      const { openSqliteDriver } = await import('./sqlite-driver.ts');
      return openSqliteDriver(target);
    } catch (error) {
      throw toStoreError('open', error, described);
    }
  }
  const { isValidSchemaName, openPostgresDriver } = await import('./postgres-driver.ts');
  if (schema !== undefined && !isValidSchemaName(schema)) {
    throw new VigilError('CONFIG_INVALID', `Invalid store schema name "${schema}"`, {
      hint: 'Use letters, digits and underscores, starting with a letter or underscore.',
    });
  }
  try {
    return openPostgresDriver(target, schema);
  } catch (error) {
    throw toStoreError('open', error, described);
  }
}
