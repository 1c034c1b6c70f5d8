import type { Logger } from 'pino';
import type { z } from 'zod';
import type { IntakeTransaction } from '../store/types.ts';

/**
 * The job runtime's vocabulary (C9): job kinds, the jobs they plan and are sent, and the back end
 * (a queue) that holds them. A kind knows nothing of the back end; a back end knows nothing of
 * the kinds but their names; the runtime (`runtime.ts`) joins the two.
 */

/** What a handler gets besides its data. */
export interface JobContext {
  /** Aborted when the job's lease is lost (the job was cancelled or another holder took it). */
  signal: AbortSignal;
  logger: Logger;
  now(): number;
  /** 0 on the first attempt; more when an earlier attempt lost its lease or failed. */
  attempt: number;
  /** The lease (ms) a holder keeps alive while its handler runs. */
  leaseMs: number;
}

/** How a job ended. A `failed` job with `retry` is tried again later (up to the back end's limit). */
export type JobResult =
  | { status: 'completed'; output?: Record<string, unknown> }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: { code: string; message: string }; retry: boolean };

/** One job to send: `key` names it (a second send of the same key is a no-op). */
export interface JobRequest<Data> {
  data: Data;
  key: string;
  /** Jobs of one group never run at once, and at most one waits (default: the key). */
  group?: string;
  /** When it may run, ms since the epoch (default: at once). */
  runAt?: number;
}

/**
 * A kind of job: sync now; rule evaluation, validation poll, monitor run, webhook enrichment
 * next. Periodic kinds plan their due slots (`planDue`); one-off jobs are sent with
 * `JobRuntime.enqueue`; a kind may be both.
 */
export interface JobKind<Data> {
  /** Unique among kinds; letters, digits and `-` (it names the kind's queue). */
  readonly name: string;
  /** Parses the data read back from the queue (it may have been written by another version). */
  readonly data: z.ZodType<Data>;
  /**
   * The jobs due at `now`, most overdue first, leaving out the groups in `held` (a job of theirs
   * is running). Each due slot has a stable key, so that every planner sends the same one.
   */
  planDue?(now: number, held: ReadonlySet<string>): Promise<JobRequest<Data>[]>;
  /** Runs one job. A throw counts as `failed` with a retry. */
  handle(data: Data, context: JobContext): Promise<JobResult>;
}

/** A job as the queue holds it. */
export interface QueuedJob {
  kind: string;
  key: string;
  group: string;
  data: unknown;
  runAt: number;
}

/** A job a queue hands to its worker: the data is unparsed (the kind parses it). */
export interface ClaimedJob {
  kind: string;
  key: string;
  group: string;
  data: unknown;
  attempt: number;
}

/** Runs one claimed job until it ends; `signal` is aborted when the lease is lost. */
export type JobHandler = (job: ClaimedJob, signal: AbortSignal) => Promise<JobResult>;

/**
 * A back end: in-process (`in-process.ts`) or pg-boss on PostgreSQL (`pg-boss.ts`), with the
 * same semantics:
 * - `send` is idempotent by key, and keeps at most one waiting job per group;
 * - a job runs once (again only when its holder failed it for a retry or lost its lease), never
 *   before its `runAt`, and never while another job of its group runs;
 * - a holder keeps its lease alive while the handler runs; when the lease is lost, the handler's
 *   signal is aborted, its result is dropped (the job is no longer its), and the process carries on.
 */
export interface JobQueue {
  /** Makes the kinds' queues ready (idempotent). */
  prepare(kinds: readonly string[]): Promise<void>;
  /** Sends a job; false when a job of that key exists, or one of its group already waits. */
  send(job: QueuedJob): Promise<boolean>;
  /**
   * Sends many jobs in one write (one multi-row insert), with `send`'s rules for each: a job whose
   * key exists, or one of whose group already waits, is left out; of jobs sharing a group in one
   * call, one is kept (which one is the back end's choice). It rejects when the write fails.
   * `within`: an open transaction of the database the queue keeps its jobs in (the webhook
   * intake's batch): the jobs are written in it and commit (or roll back) with it. A back end that
   * cannot write through it writes on its own connection instead.
   */
  sendMany(jobs: readonly QueuedJob[], within?: IntakeTransaction): Promise<void>;
  /** The groups of `kind` whose job is running now, under a live lease. */
  heldGroups(kind: string): Promise<ReadonlySet<string>>;
  /** Takes a waiting or running job away: a running one's handler sees its signal aborted. */
  cancel(kind: string, key: string): Promise<void>;
  /** Starts taking due jobs of `kinds`, at most `concurrency` at once, and running them. */
  work(kinds: readonly string[], concurrency: number, handler: JobHandler): void;
  /** Takes no more jobs, waits for those running to end, and lets go of the queue. */
  stop(): Promise<void>;
}
