/* The role of the in-process job queue's ledger. */

/**
 * The in-process job queue's ledger (`scheduled_jobs`): what it must find again after a restart.
 * `data` is the job's JSON text (the queue parses it with the job kind's schema); `runAt` and
 * `finishedAt` are ISO-8601 UTC.
 */
export interface ScheduledJobRow {
  kind: string;
  key: string;
  group: string;
  data: string;
  runAt: string;
  /** Attempts begun: an attempt that was running when its process died counts. */
  attempt: number;
}

/** The in-process job queue's ledger: one-off jobs outlive a restart of every process. */
export interface ScheduledJobRecords {
  /** Records a new job; false (and nothing changed) when a job of that kind and key is recorded. */
  insertScheduledJob(job: ScheduledJobRow): Promise<boolean>;
  /** Records many new jobs in one statement per chunk; returns the `kind\nkey` of each job newly recorded. */
  insertScheduledJobs(jobs: readonly ScheduledJobRow[]): Promise<Set<string>>;
  /** The jobs not finished, earliest `runAt` first. */
  listUnfinishedJobs(): Promise<ScheduledJobRow[]>;
  /** Counts an attempt begun. */
  beginScheduledJob(kind: string, key: string): Promise<void>;
  rescheduleJob(kind: string, key: string, runAt: string): Promise<void>;
  /** Marks a job finished (ended, given up or cancelled); its key stays taken until pruned. */
  finishScheduledJob(kind: string, key: string, at: string): Promise<void>;
  /** Deletes the jobs finished before `before`; returns how many. */
  pruneFinishedJobs(before: string): Promise<number>;
}
