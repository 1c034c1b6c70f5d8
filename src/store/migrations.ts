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

export const migrations: readonly Migration[] = [
  { version: 1, name: 'graph', sqlite: graphSchema('sqlite'), postgres: graphSchema('postgres') },
  { version: 2, name: 'sync runs', sqlite: runSchema('sqlite'), postgres: runSchema('postgres') },
  {
    version: 3,
    name: 'integrations',
    sqlite: integrationSchema('sqlite'),
    postgres: integrationSchema('postgres'),
  },
  {
    version: 4,
    name: 'api tokens',
    // API tokens for `vigil serve`: the SHA-256 (hex) of each token, never the token; names unique in any case.
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
  },
];
