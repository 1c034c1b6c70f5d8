import type { Migration } from './migration.ts';

/**
 * Sync runs, their steps and change log, and the seen-key set of delete-by-absence. Runs list newest
 * first; equal start times fall back to insertion order (SQLite's rowid, PostgreSQL's `seq`).
 */
export const migration0002: Migration = {
  version: 2,
  name: 'sync runs',
  sqlite: [
    `CREATE TABLE sync_runs (
      id TEXT PRIMARY KEY,
      integration_id TEXT NOT NULL,
      status TEXT NOT NULL,
      started_at TEXT NOT NULL,
      finished_at TEXT,
      summary TEXT
    )`,
    'CREATE INDEX sync_runs_integration_status ON sync_runs (integration_id, status)',
    'CREATE INDEX sync_runs_started ON sync_runs (started_at)',
    `CREATE TABLE sync_steps (
      run_id TEXT NOT NULL,
      step_id TEXT NOT NULL,
      status TEXT NOT NULL,
      started_at TEXT NOT NULL,
      finished_at TEXT NOT NULL,
      types TEXT NOT NULL,
      error TEXT,
      PRIMARY KEY (run_id, step_id)
    )`,
    `CREATE TABLE sync_changes (
      run_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      type TEXT NOT NULL,
      created INTEGER NOT NULL,
      updated INTEGER NOT NULL,
      deleted INTEGER NOT NULL,
      PRIMARY KEY (run_id, kind, type)
    )`,
    `CREATE TABLE sync_seen (
      run_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      key TEXT NOT NULL,
      type TEXT NOT NULL,
      PRIMARY KEY (run_id, kind, key)
    )`,
  ],
  postgres: [
    `CREATE TABLE sync_runs (
      id text PRIMARY KEY,
      integration_id text NOT NULL,
      status text NOT NULL,
      started_at text NOT NULL,
      finished_at text,
      summary json,
      seq bigint GENERATED ALWAYS AS IDENTITY
    )`,
    'CREATE INDEX sync_runs_integration_status ON sync_runs (integration_id, status)',
    'CREATE INDEX sync_runs_started ON sync_runs (started_at)',
    `CREATE TABLE sync_steps (
      run_id text NOT NULL,
      step_id text NOT NULL,
      status text NOT NULL,
      started_at text NOT NULL,
      finished_at text NOT NULL,
      types json NOT NULL,
      error json,
      PRIMARY KEY (run_id, step_id)
    )`,
    `CREATE TABLE sync_changes (
      run_id text NOT NULL,
      kind text NOT NULL,
      type text NOT NULL,
      created integer NOT NULL,
      updated integer NOT NULL,
      deleted integer NOT NULL,
      PRIMARY KEY (run_id, kind, type)
    )`,
    `CREATE TABLE sync_seen (
      run_id text NOT NULL,
      kind text NOT NULL,
      key text NOT NULL,
      type text NOT NULL,
      PRIMARY KEY (run_id, kind, key)
    )`,
  ],
};
