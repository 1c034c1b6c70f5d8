import type { Migration } from './migration.ts';

/**
 * A covering index on entities (key, type, class): a traversal joins an entity by key and checks
 * only its type or class far more often than it reads it (the 2-hop aggregate of issue 12 does so
 * 250 000 times), and this answers that from the index instead of fetching the row with its
 * properties and raw data. On SQLite it halves the 2-hop aggregate; on PostgreSQL it turns those
 * probes into index-only scans.
 */
export const migration0013: Migration = {
  version: 13,
  name: 'entity key cover',
  sqlite: ['CREATE INDEX entities_key_type_class ON entities (key, type, class)'],
  postgres: ['CREATE INDEX entities_key_type_class ON entities (key, type, class)'],
};
