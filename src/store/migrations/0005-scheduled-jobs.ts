import type { Migration } from './migration.ts';

/**
 * The jobs of the in-process job queue (`src/jobs/in-process.ts`), so that one-off jobs outlive a
 * restart: one row per (kind, key); `attempt` counts attempts begun, `finished_at` is set when the
 * job ended (the row then keeps its key taken for a while). The same literal SQL on both back ends.
 */
export const migration0005: Migration = {
  version: 5,
  name: 'scheduled jobs',
  sqlite: [
    `CREATE TABLE scheduled_jobs (
      kind TEXT NOT NULL,
      key TEXT NOT NULL,
      group_key TEXT NOT NULL,
      data TEXT NOT NULL,
      run_at TEXT NOT NULL,
      attempt INTEGER NOT NULL,
      finished_at TEXT,
      PRIMARY KEY (kind, key)
    )`,
    'CREATE INDEX scheduled_jobs_finished_at ON scheduled_jobs (finished_at)',
  ],
  postgres: [
    `CREATE TABLE scheduled_jobs (
      kind TEXT NOT NULL,
      key TEXT NOT NULL,
      group_key TEXT NOT NULL,
      data TEXT NOT NULL,
      run_at TEXT NOT NULL,
      attempt INTEGER NOT NULL,
      finished_at TEXT,
      PRIMARY KEY (kind, key)
    )`,
    'CREATE INDEX scheduled_jobs_finished_at ON scheduled_jobs (finished_at)',
  ],
};
