import type { Migration } from './migration.ts';

/**
 * API tokens of the HTTP API (`vigil tokens`): the SHA-256 (hex) of each token, never the token;
 * names unique in any case, revoked tokens included.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'api tokens',
  sqlite: [
    `CREATE TABLE api_tokens (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      role TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      last_used_at TEXT,
      revoked_at TEXT
    )`,
    'CREATE UNIQUE INDEX api_tokens_name ON api_tokens (lower(name))',
  ],
  postgres: [
    `CREATE TABLE api_tokens (
      id text PRIMARY KEY,
      name text NOT NULL,
      role text NOT NULL,
      hash text NOT NULL UNIQUE,
      created_at text NOT NULL,
      last_used_at text,
      revoked_at text
    )`,
    'CREATE UNIQUE INDEX api_tokens_name ON api_tokens (lower(name))',
  ],
};
