import type { Migration } from './migration.ts';

/**
 * Alert rules. `rules`: one row per rule, its queries and actions as JSON text as given (parsed by
 * src/rules), names unique regardless of case. `rule_states`: what a rule's last evaluation
 * remembers (totals; row keys for `new` rules). `rule_alerts`: one row per episode of a rule's
 * condition holding, kept as history; the partial unique index allows one open (not cleared)
 * episode per rule. `webhook_attempts`: the delivery log, one row per attempt, with the target's
 * scheme and host only.
 */
export const migration0008: Migration = {
  version: 8,
  name: 'rules',
  sqlite: [
    `CREATE TABLE rules (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      queries TEXT NOT NULL,
      condition TEXT NOT NULL,
      actions TEXT NOT NULL,
      interval_ms INTEGER,
      enabled INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
    'CREATE UNIQUE INDEX rules_name ON rules (lower(name))',
    `CREATE TABLE rule_states (
      rule_id TEXT PRIMARY KEY,
      evaluated_at TEXT NOT NULL,
      state TEXT NOT NULL
    )`,
    `CREATE TABLE rule_alerts (
      id TEXT PRIMARY KEY,
      rule_id TEXT NOT NULL,
      rule_name TEXT NOT NULL,
      status TEXT NOT NULL,
      opened_at TEXT NOT NULL,
      last_fired_at TEXT NOT NULL,
      cleared_at TEXT,
      dismissed_at TEXT,
      dismissed_by TEXT,
      row_count INTEGER NOT NULL,
      rows TEXT NOT NULL
    )`,
    'CREATE UNIQUE INDEX rule_alerts_open ON rule_alerts (rule_id) WHERE cleared_at IS NULL',
    'CREATE INDEX rule_alerts_opened ON rule_alerts (opened_at, id)',
    `CREATE TABLE webhook_attempts (
      delivery_id TEXT NOT NULL,
      attempt INTEGER NOT NULL,
      rule_id TEXT NOT NULL,
      alert_id TEXT,
      target TEXT NOT NULL,
      attempted_at TEXT NOT NULL,
      status_code INTEGER,
      outcome TEXT NOT NULL,
      error TEXT,
      PRIMARY KEY (delivery_id, attempt)
    )`,
    'CREATE INDEX webhook_attempts_rule ON webhook_attempts (rule_id, attempted_at)',
  ],
  postgres: [
    `CREATE TABLE rules (
      id text PRIMARY KEY,
      name text NOT NULL,
      queries json NOT NULL,
      condition text NOT NULL,
      actions json NOT NULL,
      interval_ms bigint,
      enabled integer NOT NULL,
      created_at text NOT NULL,
      updated_at text NOT NULL
    )`,
    'CREATE UNIQUE INDEX rules_name ON rules (lower(name))',
    `CREATE TABLE rule_states (
      rule_id text PRIMARY KEY,
      evaluated_at text NOT NULL,
      state json NOT NULL
    )`,
    `CREATE TABLE rule_alerts (
      id text PRIMARY KEY,
      rule_id text NOT NULL,
      rule_name text NOT NULL,
      status text NOT NULL,
      opened_at text NOT NULL,
      last_fired_at text NOT NULL,
      cleared_at text,
      dismissed_at text,
      dismissed_by text,
      row_count integer NOT NULL,
      rows json NOT NULL
    )`,
    'CREATE UNIQUE INDEX rule_alerts_open ON rule_alerts (rule_id) WHERE cleared_at IS NULL',
    'CREATE INDEX rule_alerts_opened ON rule_alerts (opened_at, id)',
    `CREATE TABLE webhook_attempts (
      delivery_id text NOT NULL,
      attempt integer NOT NULL,
      rule_id text NOT NULL,
      alert_id text,
      target text NOT NULL,
      attempted_at text NOT NULL,
      status_code integer,
      outcome text NOT NULL,
      error text,
      PRIMARY KEY (delivery_id, attempt)
    )`,
    'CREATE INDEX webhook_attempts_rule ON webhook_attempts (rule_id, attempted_at)',
  ],
};
