import type { Migration } from './migration.ts';

/**
 * The integration registry: one row per configured integration. `config` is the validated
 * configuration without secrets (a proxy password is masked); `secrets` maps each secret's name
 * (`apiKey`, `proxyPassword` …) to its sealed value (AES-256-GCM, see src/integrations/secrets.ts),
 * so whether a secret is set is known without decrypting it. Names are unique regardless of case.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'integrations',
  sqlite: [
    `CREATE TABLE integrations (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      kind TEXT NOT NULL,
      config TEXT NOT NULL,
      secrets TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
    'CREATE UNIQUE INDEX integrations_name ON integrations (lower(name))',
  ],
  postgres: [
    `CREATE TABLE integrations (
      id text PRIMARY KEY,
      name text NOT NULL,
      kind text NOT NULL,
      config json NOT NULL,
      secrets json NOT NULL,
      created_at text NOT NULL,
      updated_at text NOT NULL
    )`,
    'CREATE UNIQUE INDEX integrations_name ON integrations (lower(name))',
  ],
};
