/**
 * The numbered schema migrations, oldest first. A released migration never changes: add a new
 * one. Each has the statements for both back ends; they differ only where the types do
 * (PostgreSQL keeps properties as `jsonb` for queries and other JSON verbatim as `json`).
 * Timestamps are ISO-8601 UTC text on both, so they round-trip exactly and sort as text.
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: string[];
  postgres: string[];
}

type Dialect = 'sqlite' | 'postgres';

/** Column types per dialect, so one table definition serves both. */
const columnTypes: Record<Dialect, { text: string; int: string; properties: string; json: string }> = {
  sqlite: { text: 'TEXT', int: 'INTEGER', properties: 'TEXT', json: 'TEXT' },
  postgres: { text: 'text', int: 'integer', properties: 'jsonb', json: 'json' },
};

function graphSchema(dialect: Dialect): string[] {
  const { text, properties, json } = columnTypes[dialect];
  return [
    `CREATE TABLE entities (
      key ${text} PRIMARY KEY,
      type ${text} NOT NULL,
      class ${text} NOT NULL,
      integration_id ${text} NOT NULL,
      display_name ${text} NOT NULL,
      properties ${properties} NOT NULL,
      raw_data ${json},
      content_hash ${text} NOT NULL,
      first_seen_at ${text} NOT NULL,
      updated_at ${text} NOT NULL
    )`,
    'CREATE INDEX entities_integration_type ON entities (integration_id, type)',
    `CREATE TABLE relationships (
      key ${text} PRIMARY KEY,
      type ${text} NOT NULL,
      class ${text} NOT NULL,
      from_key ${text} NOT NULL,
      to_key ${text} NOT NULL,
      from_type ${text} NOT NULL,
      to_type ${text} NOT NULL,
      integration_id ${text} NOT NULL,
      properties ${properties} NOT NULL,
      content_hash ${text} NOT NULL,
      first_seen_at ${text} NOT NULL,
      updated_at ${text} NOT NULL
    )`,
    'CREATE INDEX relationships_from_key ON relationships (from_key)',
    'CREATE INDEX relationships_to_key ON relationships (to_key)',
    'CREATE INDEX relationships_integration_type ON relationships (integration_id, type)',
  ];
}

function runSchema(dialect: Dialect): string[] {
  const { text, int, json } = columnTypes[dialect];
  // Runs list newest first; equal start times fall back to insertion order (SQLite's rowid).
  const insertionOrder = dialect === 'postgres' ? ',\n      seq bigint GENERATED ALWAYS AS IDENTITY' : '';
  return [
    `CREATE TABLE sync_runs (
      id ${text} PRIMARY KEY,
      integration_id ${text} NOT NULL,
      status ${text} NOT NULL,
      started_at ${text} NOT NULL,
      finished_at ${text},
      summary ${json}${insertionOrder}
    )`,
    'CREATE INDEX sync_runs_integration_status ON sync_runs (integration_id, status)',
    'CREATE INDEX sync_runs_started ON sync_runs (started_at)',
    `CREATE TABLE sync_steps (
      run_id ${text} NOT NULL,
      step_id ${text} NOT NULL,
      status ${text} NOT NULL,
      started_at ${text} NOT NULL,
      finished_at ${text} NOT NULL,
      types ${json} NOT NULL,
      error ${json},
      PRIMARY KEY (run_id, step_id)
    )`,
    `CREATE TABLE sync_changes (
      run_id ${text} NOT NULL,
      kind ${text} NOT NULL,
      type ${text} NOT NULL,
      created ${int} NOT NULL,
      updated ${int} NOT NULL,
      deleted ${int} NOT NULL,
      PRIMARY KEY (run_id, kind, type)
    )`,
    `CREATE TABLE sync_seen (
      run_id ${text} NOT NULL,
      kind ${text} NOT NULL,
      key ${text} NOT NULL,
      type ${text} NOT NULL,
      PRIMARY KEY (run_id, kind, key)
    )`,
  ];
}

/**
 * The integration registry: one row per configured integration. `config` is the validated
 * configuration without secrets (a proxy password is masked); `secrets` maps each secret's name
 * (`apiKey`, `proxyPassword` …) to its sealed value (AES-256-GCM, see src/integrations/secrets.ts),
 * so whether a secret is set is known without decrypting it. Names are unique regardless of case.
 */
function integrationSchema(dialect: Dialect): string[] {
  const { text, json } = columnTypes[dialect];
  return [
    `CREATE TABLE integrations (
      id ${text} PRIMARY KEY,
      name ${text} NOT NULL,
      kind ${text} NOT NULL,
      config ${json} NOT NULL,
      secrets ${json} NOT NULL,
      created_at ${text} NOT NULL,
      updated_at ${text} NOT NULL
    )`,
    'CREATE UNIQUE INDEX integrations_name ON integrations (lower(name))',
  ];
}

/**
 * Indexes that serve J1QL queries (src/store/query/): a traversal joins relationships by one end's
 * key and the verb and reads the other end from the index alone; an entity is found by type, and
 * the most filtered properties are indexed as the exact expressions compiled queries compare.
 * The two covering indexes replace the single-column ones on from_key and to_key (their prefixes).
 */
const queryIndexesSqlite = [
  'DROP INDEX relationships_from_key',
  'DROP INDEX relationships_to_key',
  'CREATE INDEX relationships_from_class_to ON relationships (from_key, class, to_key)',
  'CREATE INDEX relationships_to_class_from ON relationships (to_key, class, from_key)',
  'CREATE INDEX entities_class ON entities (class)',
  "CREATE INDEX entities_type_status ON entities (type, json_extract(properties, '$.status'))",
  "CREATE INDEX entities_type_active ON entities (type, json_extract(properties, '$.active'))",
  "CREATE INDEX entities_type_severity ON entities (type, json_extract(properties, '$.severity'))",
  "CREATE INDEX entities_type_hostname ON entities (type, json_extract(properties, '$.hostname'))",
];

const queryIndexesPostgres = [
  'DROP INDEX relationships_from_key',
  'DROP INDEX relationships_to_key',
  'CREATE INDEX relationships_from_class_to ON relationships (from_key, class, to_key)',
  'CREATE INDEX relationships_to_class_from ON relationships (to_key, class, from_key)',
  'CREATE INDEX entities_class ON entities (class)',
  "CREATE INDEX entities_type_status ON entities (type, (properties -> 'status'))",
  "CREATE INDEX entities_type_active ON entities (type, (properties -> 'active'))",
  "CREATE INDEX entities_type_severity ON entities (type, (properties -> 'severity'))",
  "CREATE INDEX entities_type_hostname ON entities (type, (properties -> 'hostname'))",
];

export const migrations: readonly Migration[] = [
  { version: 1, name: 'graph', sqlite: graphSchema('sqlite'), postgres: graphSchema('postgres') },
  { version: 2, name: 'sync runs', sqlite: runSchema('sqlite'), postgres: runSchema('postgres') },
  {
    version: 3,
    name: 'integrations',
    sqlite: integrationSchema('sqlite'),
    postgres: integrationSchema('postgres'),
  },
  { version: 4, name: 'query indexes', sqlite: queryIndexesSqlite, postgres: queryIndexesPostgres },
];
