import type { Migration } from './migration.ts';

/** Entities and relationships: the graph tables and the indexes readers and deletes use. */
export const migration0001: Migration = {
  version: 1,
  name: 'graph',
  sqlite: [
    `CREATE TABLE entities (
      key TEXT PRIMARY KEY,
      type TEXT NOT NULL,
      class TEXT NOT NULL,
      integration_id TEXT NOT NULL,
      display_name TEXT NOT NULL,
      properties TEXT NOT NULL,
      raw_data TEXT,
      content_hash TEXT NOT NULL,
      first_seen_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
    'CREATE INDEX entities_integration_type ON entities (integration_id, type)',
    `CREATE TABLE relationships (
      key TEXT PRIMARY KEY,
      type TEXT NOT NULL,
      class TEXT NOT NULL,
      from_key TEXT NOT NULL,
      to_key TEXT NOT NULL,
      from_type TEXT NOT NULL,
      to_type TEXT NOT NULL,
      integration_id TEXT NOT NULL,
      properties TEXT NOT NULL,
      content_hash TEXT NOT NULL,
      first_seen_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
    'CREATE INDEX relationships_from_key ON relationships (from_key)',
    'CREATE INDEX relationships_to_key ON relationships (to_key)',
    'CREATE INDEX relationships_integration_type ON relationships (integration_id, type)',
  ],
  postgres: [
    `CREATE TABLE entities (
      key text PRIMARY KEY,
      type text NOT NULL,
      class text NOT NULL,
      integration_id text NOT NULL,
      display_name text NOT NULL,
      properties jsonb NOT NULL,
      raw_data json,
      content_hash text NOT NULL,
      first_seen_at text NOT NULL,
      updated_at text NOT NULL
    )`,
    'CREATE INDEX entities_integration_type ON entities (integration_id, type)',
    `CREATE TABLE relationships (
      key text PRIMARY KEY,
      type text NOT NULL,
      class text NOT NULL,
      from_key text NOT NULL,
      to_key text NOT NULL,
      from_type text NOT NULL,
      to_type text NOT NULL,
      integration_id text NOT NULL,
      properties jsonb NOT NULL,
      content_hash text NOT NULL,
      first_seen_at text NOT NULL,
      updated_at text NOT NULL
    )`,
    'CREATE INDEX relationships_from_key ON relationships (from_key)',
    'CREATE INDEX relationships_to_key ON relationships (to_key)',
    'CREATE INDEX relationships_integration_type ON relationships (integration_id, type)',
  ],
};
