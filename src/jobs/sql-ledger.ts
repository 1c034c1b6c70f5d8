import type { Driver } from '../store/driver.ts';
import {
  beginScheduledJob,
  finishScheduledJob,
  insertScheduledJob,
  listUnfinishedJobs,
  pruneFinishedJobs,
  rescheduleJob,
} from '../store/operations/scheduledJobs.ts';
import type { JobLedger } from './in-process.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The in-process queue's ledger over the store's `scheduled_jobs` table. Job data goes in as JSON
 * text and comes back as parsed JSON: the runtime checks it with its kind's schema before use.
 */
export function sqlJobLedger(driver: Driver): JobLedger {
  return {
    add: (job) =>
      insertScheduledJob(driver, {
        kind: job.kind,
        key: job.key,
        group: job.group,
        data: JSON.stringify(job.data) ?? 'null',
        runAt: iso(job.runAt),
        attempt: 0,
      }),
    async unfinished() {
      return (await listUnfinishedJobs(driver)).map((row) => ({
        kind: row.kind,
        key: row.key,
        group: row.group,
        data: JSON.parse(row.data) as unknown,
        runAt: Date.parse(row.runAt),
        attempt: row.attempt,
      }));
    },
    begin: (kind, key) => beginScheduledJob(driver, kind, key),
    reschedule: (kind, key, runAt) => rescheduleJob(driver, kind, key, iso(runAt)),
    finish: (kind, key, at) => finishScheduledJob(driver, kind, key, iso(at)),
    async prune(before) {
      await pruneFinishedJobs(driver, iso(before));
    },
  };
}
