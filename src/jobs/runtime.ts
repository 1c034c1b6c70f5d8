import type { Logger } from 'pino';
import { toVigilError, VigilError } from '../errors.ts';
import type { IntakeTransaction } from '../store/types.ts';
import { startTicker } from './ticker.ts';
import type { ClaimedJob, JobKind, JobQueue, JobRequest, JobResult, QueuedJob } from './types.ts';

/**
 * The one job runtime (C9) of `vigil serve` and `vigil worker`: it plans the due slots of the
 * periodic kinds into a queue on every tick, sends one-off jobs, and runs the jobs it takes with
 * their kind's handler. The queue — in-process or pg-boss — brings the exclusivity and the leases;
 * the kinds bring what is due and what a job does; this module only joins them.
 */

export interface JobRuntimeOptions {
  queue: JobQueue;
  /** The kinds this process plans and runs (each parses its own data). */
  kinds: readonly JobKind<unknown>[];
  logger: Logger;
  now(): number;
  /** Jobs this process runs at once (at least 1). */
  concurrency: number;
  /** The lease a holder keeps alive (ms); handlers read it for the stale-run rule. */
  leaseMs: number;
}

export class JobRuntime {
  private readonly kinds = new Map<string, JobKind<unknown>>();
  private planner: { stop(): Promise<void> } | undefined;

  constructor(private readonly options: JobRuntimeOptions) {
    for (const kind of options.kinds) {
      if (!/^[a-z0-9-]+$/.test(kind.name) || this.kinds.has(kind.name)) {
        throw new RangeError(`job kind names must be unique and of a-z, 0-9 and -, not '${kind.name}'`);
      }
      this.kinds.set(kind.name, kind);
    }
  }

  /** Works the queue (`work`) and plans the periodic kinds now and every `tickMs`. */
  async start(tickMs: number): Promise<void> {
    await this.work();
    this.planner = startTicker(() => this.plan(), tickMs);
  }

  /** Prepares the queue and starts running its jobs, without planning. */
  async work(): Promise<void> {
    const names = [...this.kinds.keys()];
    await this.options.queue.prepare(names);
    this.options.queue.work(names, this.options.concurrency, (job, signal) => this.run(job, signal));
  }

  /**
   * Sends the due slots of every periodic kind (a planner tick) and returns how many jobs were
   * newly sent. A kind whose planning fails is logged and tried again on the next tick.
   */
  async plan(): Promise<number> {
    let sent = 0;
    for (const kind of this.kinds.values()) {
      if (kind.planDue === undefined) continue;
      try {
        const held = await this.options.queue.heldGroups(kind.name);
        for (const request of await kind.planDue(this.options.now(), held)) {
          if (await this.send(kind, request)) sent++;
        }
      } catch (error) {
        const coded = toVigilError(error);
        this.options.logger.error(
          { job: kind.name, code: coded.code, err: coded.message },
          'planning due jobs failed',
        );
      }
    }
    return sent;
  }

  /**
   * Sends a one-off job of `kind`, to run at `runAt` (default at once). Idempotent by `key`:
   * false when a job of that key was already sent (or one of its group already waits).
   */
  async enqueue<Data>(kind: JobKind<Data>, request: JobRequest<Data>): Promise<boolean> {
    if (this.kinds.get(kind.name) !== kind) {
      throw new VigilError('INTERNAL_ERROR', `Job kind ${kind.name} is not one of this runtime's.`);
    }
    const data = kind.data.safeParse(request.data);
    if (!data.success) {
      throw new VigilError(
        'INPUT_INVALID',
        `The data of a ${kind.name} job is invalid: ${data.error.message}`,
      );
    }
    return this.send(kind, { ...request, data: data.data });
  }

  /**
   * Sends many one-off jobs of `kind` in one write to the queue (`JobQueue.sendMany`), each
   * idempotent by key as `enqueue`; every request's data is checked first (none is sent if one is invalid).
   * `within`: a transaction of the queue's database the jobs commit with (see `JobQueue.sendMany`).
   */
  async enqueueMany<Data>(
    kind: JobKind<Data>,
    requests: readonly JobRequest<Data>[],
    within?: IntakeTransaction,
  ): Promise<void> {
    if (this.kinds.get(kind.name) !== kind) {
      throw new VigilError('INTERNAL_ERROR', `Job kind ${kind.name} is not one of this runtime's.`);
    }
    const jobs = requests.map((request) => {
      const data = kind.data.safeParse(request.data);
      if (!data.success) {
        throw new VigilError(
          'INPUT_INVALID',
          `The data of a ${kind.name} job is invalid: ${data.error.message}`,
        );
      }
      return this.queued(kind, { ...request, data: data.data });
    });
    if (jobs.length > 0) await this.options.queue.sendMany(jobs, within);
  }

  /** Cancels a job of `kind` by key; a running one's handler sees its signal aborted. */
  cancel<Data>(kind: JobKind<Data>, key: string): Promise<void> {
    return this.options.queue.cancel(kind.name, key);
  }

  /** Plans no more, takes no more jobs, and waits for the running ones to end. */
  async stop(): Promise<void> {
    await this.planner?.stop();
    await this.options.queue.stop();
  }

  private send<Data>(kind: JobKind<Data>, request: JobRequest<Data>): Promise<boolean> {
    return this.options.queue.send(this.queued(kind, request));
  }

  private queued<Data>(kind: JobKind<Data>, request: JobRequest<Data>): QueuedJob {
    return {
      kind: kind.name,
      key: request.key,
      group: request.group ?? request.key,
      data: request.data,
      runAt: request.runAt ?? this.options.now(),
    };
  }

  /**
   * Runs one claimed job with its kind's handler: the data re-validated, a throw turned into a
   * `failed` result with a retry, the end logged (a job whose lease was lost is logged as such).
   */
  private async run(job: ClaimedJob, signal: AbortSignal): Promise<JobResult> {
    const logger = this.options.logger.child({ job: job.kind, key: job.key, attempt: job.attempt });
    const result = await this.handle(job, signal, logger);
    if (signal.aborted) logger.warn({ status: result.status }, 'job lease lost: its result is dropped');
    else if (result.status === 'failed') logger.error({ ...result.error, retry: result.retry }, 'job failed');
    else logger.debug({ status: result.status }, 'job ended');
    return result;
  }

  private async handle(job: ClaimedJob, signal: AbortSignal, logger: Logger): Promise<JobResult> {
    const kind = this.kinds.get(job.kind);
    if (kind === undefined) {
      const error = { code: 'INTERNAL_ERROR', message: `No job kind ${job.kind} in this process.` };
      return { status: 'failed', error, retry: false };
    }
    const data = kind.data.safeParse(job.data);
    if (!data.success) {
      const error = { code: 'INPUT_INVALID', message: `The job's data is not a ${kind.name} job's.` };
      return { status: 'failed', error, retry: false };
    }
    try {
      const { now, leaseMs } = this.options;
      return await kind.handle(data.data, { signal, logger, now, attempt: job.attempt, leaseMs });
    } catch (error) {
      const { code, message } = toVigilError(error);
      return { status: 'failed', error: { code, message }, retry: true };
    }
  }
}
