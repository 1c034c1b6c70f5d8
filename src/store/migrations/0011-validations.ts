import type { Migration } from './migration.ts';

/**
 * Detection validations (C14). `validations`: one row per validation, with the window settings
 * and correlation options frozen when it was created (editing the integration later does not move
 * a running schedule), and its pass rules. `validation_actions`: one row per action — the action
 * as parsed (JSON), its poll progress (done indexes, the next poll's index and time, null when
 * every poll is done), the evidence pool's snapshot, and once correlated its verdict, the
 * correlation (evidence, pass rule, result) and the suspicious events (null unless the
 * integration saves them).
 */
export const migration0011: Migration = {
  version: 11,
  name: 'validations',
  sqlite: [
    `CREATE TABLE validations (
      id TEXT PRIMARY KEY,
      integration_id TEXT NOT NULL,
      name TEXT NOT NULL,
      created_at TEXT NOT NULL,
      status TEXT NOT NULL,
      pass_rules TEXT NOT NULL,
      settings TEXT NOT NULL
    )`,
    'CREATE INDEX validations_created ON validations (created_at, id)',
    `CREATE TABLE validation_actions (
      validation_id TEXT NOT NULL,
      action_id TEXT NOT NULL,
      position INTEGER NOT NULL,
      technique TEXT NOT NULL,
      action TEXT NOT NULL,
      done_polls TEXT NOT NULL,
      next_poll_index INTEGER,
      next_poll_at TEXT,
      pool TEXT NOT NULL,
      verdict TEXT,
      correlation TEXT,
      suspicious TEXT,
      correlated_at TEXT,
      PRIMARY KEY (validation_id, action_id)
    )`,
    'CREATE INDEX validation_actions_pending ON validation_actions (next_poll_at) WHERE verdict IS NULL',
  ],
  postgres: [
    `CREATE TABLE validations (
      id text PRIMARY KEY,
      integration_id text NOT NULL,
      name text NOT NULL,
      created_at text NOT NULL,
      status text NOT NULL,
      pass_rules json NOT NULL,
      settings json NOT NULL
    )`,
    'CREATE INDEX validations_created ON validations (created_at, id)',
    `CREATE TABLE validation_actions (
      validation_id text NOT NULL,
      action_id text NOT NULL,
      position integer NOT NULL,
      technique text NOT NULL,
      action json NOT NULL,
      done_polls json NOT NULL,
      next_poll_index integer,
      next_poll_at text,
      pool json NOT NULL,
      verdict text,
      correlation json,
      suspicious json,
      correlated_at text,
      PRIMARY KEY (validation_id, action_id)
    )`,
    'CREATE INDEX validation_actions_pending ON validation_actions (next_poll_at) WHERE verdict IS NULL',
  ],
};
