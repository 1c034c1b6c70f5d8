import type { Migration } from './migration.ts';

/**
 * Monitors that catch drift (issue 14). `monitors`: one row per monitor — its techniques (JSON,
 * resolved from the actor when it was added), the host they run on, the interval (ms), the
 * expectation and the actions of its drift alerts (JSON, as the rules' `webhook:<url>` | `log`).
 * `monitor_runs`: one row per run, unique per (monitor, due slot) so that a slot runs once; its
 * validations (JSON ids, at most 100 actions each), its status (`running` until every verdict is
 * in, then `complete`), its verdicts per technique and counts per verdict (JSON, once complete).
 * `monitor_drift`: one alert per (run, technique), ACTIVE until dismissed.
 */
export const migration0012: Migration = {
  version: 12,
  name: 'monitors',
  sqlite: [
    `CREATE TABLE monitors (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      integration_id TEXT NOT NULL,
      actor_key TEXT,
      actor_name TEXT,
      techniques TEXT NOT NULL,
      host TEXT NOT NULL,
      every_ms INTEGER NOT NULL,
      expect TEXT NOT NULL,
      actions TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`,
    `CREATE TABLE monitor_runs (
      id TEXT PRIMARY KEY,
      monitor_id TEXT NOT NULL,
      slot TEXT NOT NULL,
      validation_ids TEXT NOT NULL,
      started_at TEXT NOT NULL,
      finished_at TEXT,
      status TEXT NOT NULL,
      verdicts TEXT,
      by_verdict TEXT,
      UNIQUE (monitor_id, slot)
    )`,
    'CREATE INDEX monitor_runs_started ON monitor_runs (monitor_id, started_at)',
    `CREATE TABLE monitor_drift (
      id TEXT PRIMARY KEY,
      monitor_id TEXT NOT NULL,
      run_id TEXT NOT NULL,
      technique TEXT NOT NULL,
      previous TEXT,
      current TEXT NOT NULL,
      expected TEXT NOT NULL,
      validation_id TEXT NOT NULL,
      raised_at TEXT NOT NULL,
      status TEXT NOT NULL,
      dismissed_at TEXT,
      UNIQUE (run_id, technique)
    )`,
    'CREATE INDEX monitor_drift_monitor ON monitor_drift (monitor_id, raised_at)',
  ],
  postgres: [
    `CREATE TABLE monitors (
      id text PRIMARY KEY,
      name text NOT NULL UNIQUE,
      integration_id text NOT NULL,
      actor_key text,
      actor_name text,
      techniques json NOT NULL,
      host text NOT NULL,
      every_ms bigint NOT NULL,
      expect text NOT NULL,
      actions json NOT NULL,
      created_at text NOT NULL
    )`,
    `CREATE TABLE monitor_runs (
      id text PRIMARY KEY,
      monitor_id text NOT NULL,
      slot text NOT NULL,
      validation_ids json NOT NULL,
      started_at text NOT NULL,
      finished_at text,
      status text NOT NULL,
      verdicts json,
      by_verdict json,
      UNIQUE (monitor_id, slot)
    )`,
    'CREATE INDEX monitor_runs_started ON monitor_runs (monitor_id, started_at)',
    `CREATE TABLE monitor_drift (
      id text PRIMARY KEY,
      monitor_id text NOT NULL,
      run_id text NOT NULL,
      technique text NOT NULL,
      previous text,
      current text NOT NULL,
      expected text NOT NULL,
      validation_id text NOT NULL,
      raised_at text NOT NULL,
      status text NOT NULL,
      dismissed_at text,
      UNIQUE (run_id, technique)
    )`,
    'CREATE INDEX monitor_drift_monitor ON monitor_drift (monitor_id, raised_at)',
  ],
};
