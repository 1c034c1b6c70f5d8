import type { ScheduledJobRecords, ScheduledJobRow } from '../store/types.ts';
import type { JobLedger } from './in-process.ts';
import type { QueuedJob } from './types.ts';

const iso = (ms: number) => new Date(ms).toISOString();

function toRow(job: QueuedJob): ScheduledJobRow {
  return {
    kind: job.kind,
    key: job.key,
    group: job.group,
    data: JSON.stringify(job.data) ?? 'null',
    runAt: iso(job.runAt),
    attempt: 0,
  };
}

/**
 * The in-process queue's ledger over the store's scheduled jobs. Job data goes in as JSON text and
 * comes back as parsed JSON: the runtime checks it with its kind's schema before use.
 */
export function sqlJobLedger(records: ScheduledJobRecords): JobLedger {
  return {
    add: (job) => records.insertScheduledJob(toRow(job)),
    addMany: (jobs, within) => (within ?? records).insertScheduledJobs(jobs.map(toRow)),
    async unfinished() {
      return (await records.listUnfinishedJobs()).map((row) => ({
        kind: row.kind,
        key: row.key,
        group: row.group,
        data: JSON.parse(row.data) as unknown,
        runAt: Date.parse(row.runAt),
        attempt: row.attempt,
      }));
    },
    begin: (kind, key) => records.beginScheduledJob(kind, key),
    reschedule: (kind, key, runAt) => records.rescheduleJob(kind, key, iso(runAt)),
    finish: (kind, key, at) => records.finishScheduledJob(kind, key, iso(at)),
    async prune(before) {
      await records.pruneFinishedJobs(iso(before));
    },
  };
}
