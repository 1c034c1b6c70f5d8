import { z } from 'zod';
import { chunk, type Driver, maxParamsPerStatement, placeholderRows, type SqlRow } from '../driver.ts';
import { rowSchema } from '../rows.ts';
import type { ScheduledJobRow } from '../types.ts';

const jobRowSchema = rowSchema(() =>
  z.object({
    kind: z.string(),
    key: z.string(),
    group_key: z.string(),
    data: z.string(),
    run_at: z.string(),
    attempt: z.coerce.number().int().min(0),
  }),
);

function toScheduledJob(row: SqlRow): ScheduledJobRow {
  const parsed = jobRowSchema.parse(row);
  return {
    kind: parsed.kind,
    key: parsed.key,
    group: parsed.group_key,
    data: parsed.data,
    runAt: parsed.run_at,
    attempt: parsed.attempt,
  };
}

/** Records a new job; false (and nothing changed) when a job of that kind and key is recorded. */
export async function insertScheduledJob(driver: Driver, job: ScheduledJobRow): Promise<boolean> {
  const changed = await driver.run(
    `INSERT INTO scheduled_jobs (kind, key, group_key, data, run_at, attempt, finished_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL) ON CONFLICT (kind, key) DO NOTHING`,
    [job.kind, job.key, job.group, job.data, job.runAt, job.attempt],
  );
  return changed > 0;
}

const jobWidth = 6;
const insertedRowSchema = rowSchema(() => z.object({ kind: z.string(), key: z.string() }));

/**
 * Records many new jobs, one multi-row statement per chunk; returns `kind\nkey` of each job newly
 * recorded (a job of a kind and key already recorded, or earlier in `jobs`, is left out).
 */
export async function insertScheduledJobs(
  driver: Driver,
  jobs: readonly ScheduledJobRow[],
): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (const slice of chunk(jobs, Math.floor(maxParamsPerStatement / jobWidth))) {
    const rows = await driver.all(
      `INSERT INTO scheduled_jobs (kind, key, group_key, data, run_at, attempt)
       VALUES ${placeholderRows(slice.length, jobWidth)} ON CONFLICT (kind, key) DO NOTHING RETURNING kind, key`,
      slice.flatMap((job) => [job.kind, job.key, job.group, job.data, job.runAt, job.attempt]),
    );
    for (const row of rows) {
      const { kind, key } = insertedRowSchema.parse(row);
      inserted.add(`${kind}\n${key}`);
    }
  }
  return inserted;
}

/** The jobs not finished, earliest `runAt` first (ties by kind and key). */
export async function listUnfinishedJobs(driver: Driver): Promise<ScheduledJobRow[]> {
  const rows = await driver.all(
    `SELECT kind, key, group_key, data, run_at, attempt FROM scheduled_jobs
     WHERE finished_at IS NULL ORDER BY run_at, kind, key`,
  );
  return rows.map(toScheduledJob);
}

/** Counts an attempt begun (before the handler runs, so that a crash makes the next one a retry). */
export async function beginScheduledJob(driver: Driver, kind: string, key: string): Promise<void> {
  await driver.run('UPDATE scheduled_jobs SET attempt = attempt + 1 WHERE kind = ? AND key = ?', [kind, key]);
}

/** Moves an unfinished job's time (a retry waits before it runs again). */
export async function rescheduleJob(driver: Driver, kind: string, key: string, runAt: string): Promise<void> {
  await driver.run(
    'UPDATE scheduled_jobs SET run_at = ? WHERE kind = ? AND key = ? AND finished_at IS NULL',
    [runAt, kind, key],
  );
}

/** Marks a job finished (ended, given up or cancelled); its key stays taken until pruned. */
export async function finishScheduledJob(
  driver: Driver,
  kind: string,
  key: string,
  at: string,
): Promise<void> {
  await driver.run(
    'UPDATE scheduled_jobs SET finished_at = ? WHERE kind = ? AND key = ? AND finished_at IS NULL',
    [at, kind, key],
  );
}

/** Deletes the jobs finished before `before`; returns how many. */
export function pruneFinishedJobs(driver: Driver, before: string): Promise<number> {
  return driver.run('DELETE FROM scheduled_jobs WHERE finished_at IS NOT NULL AND finished_at < ?', [before]);
}
