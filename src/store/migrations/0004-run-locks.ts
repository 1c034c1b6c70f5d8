import type { Migration } from './migration.ts';

/**
 * The run lock of SQLite: one row per integration being synced, naming its holder (host, process
 * id, a random id of that process's life, a random token of the lock) and when the lock expires
 * unless renewed. PostgreSQL holds run locks as
 * session advisory locks instead, so it needs no table.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'run locks',
  sqlite: [
    `CREATE TABLE sync_locks (
      integration_id TEXT PRIMARY KEY,
      token TEXT NOT NULL,
      host TEXT NOT NULL,
      pid INTEGER NOT NULL,
      instance TEXT NOT NULL,
      acquired_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    )`,
  ],
  postgres: [],
};
