import { toVigilError, VigilError } from '../errors.ts';
import type { IntakeTransaction } from '../store/types.ts';
import { startTicker } from './ticker.ts';
import type { ClaimedJob, JobHandler, JobQueue, JobResult, QueuedJob } from './types.ts';

/**
 * The in-process back end of `vigil serve` on SQLite: the queue lives in this process, and its
 * ledger (`JobLedger`, the store's `scheduled_jobs`) keeps every job sent until it ends, so that a
 * restart finds the one-off jobs again (due slots are found again from the runs anyway). Without a
 * ledger the queue is memory only. A lease is this process's claim: it lives as long as the
 * process, and is lost only when the job is cancelled. A job that was running when the process
 * died runs again after the restart, as a retry (its attempt was counted when it began).
 */

/** Where an in-process queue records its jobs (see `sql-ledger.ts`). */
export interface JobLedger {
  /** Records a new job; false when a job of that kind and key is recorded (even a finished one). */
  add(job: QueuedJob): Promise<boolean>;
  /**
   * Records many new jobs in one write (in `within`, a transaction of the ledger's own database,
   * when given); returns `kind\nkey` of those newly recorded.
   */
  addMany(jobs: readonly QueuedJob[], within?: IntakeTransaction): Promise<Set<string>>;
  /** The jobs not finished, with the attempts they began. */
  unfinished(): Promise<Array<QueuedJob & { attempt: number }>>;
  /** Counts an attempt begun. */
  begin(kind: string, key: string): Promise<void>;
  /** Moves an unfinished job's time (a retry). */
  reschedule(kind: string, key: string, runAt: number): Promise<void>;
  /** Marks a job finished at `at`. */
  finish(kind: string, key: string, at: number): Promise<void>;
  /** Forgets the jobs finished before `before` (their keys may be sent again). */
  prune(before: number): Promise<void>;
}

export interface InProcessQueueOptions {
  now(): number;
  /** How often due jobs are looked for (ms); omit to start them by hand with `dispatch`. */
  pollMs?: number;
  /** Retries of a job that failed with a retry (default 5). */
  retryLimit?: number;
  /** Pause before a retry (ms, default 1000). */
  retryDelayMs?: number;
  /** How long a finished job's key still makes a send of that key a no-op (default 12 h, as pg-boss). */
  keepFinishedMs?: number;
  /** Makes the jobs outlive the process (default: memory only). */
  ledger?: JobLedger;
}

interface Waiting extends QueuedJob {
  attempt: number;
  sequence: number;
}

interface Running {
  job: ClaimedJob;
  controller: AbortController;
  done: Promise<void>;
}

export class InProcessQueue implements JobQueue {
  private readonly waiting = new Map<string, Waiting>();
  /**
   * How many waiting jobs await their first attempt, per group (`groupOf`): kept beside `waiting`
   * (through `wait` and `unwait` only), so that a send costs no scan of every waiting job.
   */
  private readonly firstAttempts = new Map<string, number>();
  private readonly running = new Map<string, Running>();
  private readonly finished = new Map<string, number>();
  private sequence = 0;
  private worker: { kinds: ReadonlySet<string>; concurrency: number; handler: JobHandler } | undefined;
  private ticker: { stop(): Promise<void> } | undefined;
  private stopping = false;
  /** When `forgetFinished` last ran (ms since the epoch). */
  private forgottenAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: InProcessQueueOptions) {}

  /** Loads the unfinished jobs of the ledger (once; a job running in this process is left alone). */
  async prepare(): Promise<void> {
    const ledger = this.options.ledger;
    if (ledger === undefined) return;
    await ledger.prune(this.options.now() - this.keepFinishedMs());
    for (const job of await ledger.unfinished()) {
      const id = idOf(job.kind, job.key);
      if (!this.waiting.has(id) && !this.running.has(id))
        this.wait(id, { ...job, sequence: this.sequence++ });
    }
  }

  async send(job: QueuedJob): Promise<boolean> {
    const id = idOf(job.kind, job.key);
    await this.forgetFinished();
    if (this.waiting.has(id) || this.running.has(id) || this.finished.has(id)) return false;
    if (this.firstAttempts.has(groupOf(job))) return false;
    this.wait(id, { ...job, attempt: 0, sequence: this.sequence++ });
    if (this.options.ledger !== undefined && !(await this.options.ledger.add(job).catch(this.unsend(id)))) {
      this.unwait(id);
      return false;
    }
    return true;
  }

  /**
   * With `within`, the ledger rows commit with that transaction; the jobs wait in memory at once
   * (if it then rolls back, their alerts are not stored and the verification skips them).
   */
  async sendMany(jobs: readonly QueuedJob[], within?: IntakeTransaction): Promise<void> {
    await this.forgetFinished(within !== undefined);
    const taken: QueuedJob[] = [];
    for (const job of jobs) {
      const id = idOf(job.kind, job.key);
      if (this.waiting.has(id) || this.running.has(id) || this.finished.has(id)) continue;
      if (this.firstAttempts.has(groupOf(job))) continue;
      this.wait(id, { ...job, attempt: 0, sequence: this.sequence++ });
      taken.push(job);
    }
    const ledger = this.options.ledger;
    if (ledger === undefined || taken.length === 0) return;
    const recorded = await ledger.addMany(taken, within).catch((error: unknown) => {
      for (const job of taken) this.unwait(idOf(job.kind, job.key));
      throw error;
    });
    for (const job of taken) {
      const id = idOf(job.kind, job.key);
      if (!recorded.has(id)) this.unwait(id);
    }
  }

  async heldGroups(kind: string): Promise<ReadonlySet<string>> {
    return new Set([...this.running.values()].filter((r) => r.job.kind === kind).map((r) => r.job.group));
  }

  async cancel(kind: string, key: string): Promise<void> {
    const id = idOf(kind, key);
    await this.options.ledger?.finish(kind, key, this.options.now());
    if (this.unwait(id)) this.finished.set(id, this.options.now());
    this.running.get(id)?.controller.abort(new VigilError('JOB_LEASE_LOST', `Job ${key} was cancelled.`));
  }

  /** Keys of the jobs running now. */
  get runningKeys(): string[] {
    return [...this.running.values()].map((r) => r.job.key);
  }

  work(kinds: readonly string[], concurrency: number, handler: JobHandler): void {
    if (this.worker !== undefined) throw new Error('the queue is already working');
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number ≥ 1, not ${concurrency}`);
    }
    this.worker = { kinds: new Set(kinds), concurrency, handler };
    if (this.options.pollMs !== undefined) {
      this.ticker = startTicker(async () => this.dispatch(), this.options.pollMs);
    }
  }

  /**
   * Starts the due jobs that fit under the concurrency limit — earliest `runAt` first, then in
   * the order sent, never two of one group — and returns them (without waiting for them).
   */
  dispatch(): ClaimedJob[] {
    const worker = this.worker;
    if (worker === undefined || this.stopping || this.running.size >= worker.concurrency) return [];
    const now = this.options.now();
    const busy = new Set([...this.running.values()].map((r) => `${r.job.kind}\n${r.job.group}`));
    const due = [...this.waiting.values()]
      .filter((w) => worker.kinds.has(w.kind) && w.runAt <= now)
      .sort((a, b) => a.runAt - b.runAt || a.sequence - b.sequence);
    const started: ClaimedJob[] = [];
    for (const job of due) {
      if (this.running.size >= worker.concurrency) break;
      const group = `${job.kind}\n${job.group}`;
      if (busy.has(group)) continue;
      busy.add(group);
      started.push(this.launch(job, worker.handler));
    }
    return started;
  }

  /** Resolves when every job running now has ended. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.ticker?.stop();
    await this.idle();
  }

  private launch(waiting: Waiting, handler: JobHandler): ClaimedJob {
    const id = idOf(waiting.kind, waiting.key);
    this.unwait(id);
    const { kind, key, group, data, attempt } = waiting;
    const job: ClaimedJob = { kind, key, group, data, attempt };
    const controller = new AbortController();
    const done = Promise.resolve()
      .then(() => this.options.ledger?.begin(kind, key))
      .then(() => handler(job, controller.signal))
      .then(
        (result) => this.settle(waiting, controller.signal.aborted ? undefined : result),
        (error: unknown) =>
          this.settle(waiting, { status: 'failed', error: toVigilError(error).toJSON(), retry: true }),
      )
      .catch(() => undefined)
      .finally(() => this.running.delete(id));
    this.running.set(id, { job, controller, done });
    return job;
  }

  /**
   * Retries a job that failed with a retry (a failure of the ledger itself counts as one), else
   * records it finished (`undefined`: its lease was lost). A ledger that cannot be written leaves
   * the job unfinished there, so that a restart runs it again.
   */
  private async settle(waiting: Waiting, result: JobResult | undefined): Promise<void> {
    const { kind, key } = waiting;
    const id = idOf(kind, key);
    const now = this.options.now();
    const retry = result?.status === 'failed' && result.retry;
    if (retry && waiting.attempt < (this.options.retryLimit ?? 5)) {
      const runAt = now + (this.options.retryDelayMs ?? 1000);
      this.wait(id, { ...waiting, attempt: waiting.attempt + 1, runAt, sequence: this.sequence++ });
      await this.options.ledger?.reschedule(kind, key, runAt);
    } else {
      this.finished.set(id, now);
      await this.options.ledger?.finish(kind, key, now);
    }
  }

  /** Puts `job` among the waiting ones (replacing the one of that id). */
  private wait(id: string, job: Waiting): void {
    this.unwait(id);
    this.waiting.set(id, job);
    if (job.attempt === 0) {
      const group = groupOf(job);
      this.firstAttempts.set(group, (this.firstAttempts.get(group) ?? 0) + 1);
    }
  }

  /** Takes the job `id` off the waiting ones; false when it was not waiting. */
  private unwait(id: string): boolean {
    const job = this.waiting.get(id);
    if (job === undefined) return false;
    this.waiting.delete(id);
    if (job.attempt === 0) {
      const group = groupOf(job);
      const left = (this.firstAttempts.get(group) ?? 1) - 1;
      if (left > 0) this.firstAttempts.set(group, left);
      else this.firstAttempts.delete(group);
    }
    return true;
  }

  private keepFinishedMs(): number {
    return this.options.keepFinishedMs ?? 12 * 3_600_000;
  }

  /**
   * Forgets the finished jobs past `keepFinishedMs`, at most once a minute (every send calls it;
   * scanning every finished job and pruning the ledger on each send cost more than the send).
   * `inTransaction`: the caller holds a transaction of the ledger's database, which the prune
   * would wait for, so it is left to run after it (a failed prune is tried again on the next send).
   */
  private async forgetFinished(inTransaction = false): Promise<void> {
    const now = this.options.now();
    if (now - this.forgottenAt < Math.min(60_000, this.keepFinishedMs())) return;
    this.forgottenAt = now;
    const before = now - this.keepFinishedMs();
    for (const [id, at] of this.finished) if (at < before) this.finished.delete(id);
    const pruned = this.options.ledger?.prune(before);
    if (!inTransaction) return pruned;
    pruned?.catch(() => {
      this.forgottenAt = Number.NEGATIVE_INFINITY;
    });
  }

  /** Takes back a send whose ledger write failed, and rethrows. */
  private unsend(id: string): (error: unknown) => never {
    return (error) => {
      this.unwait(id);
      throw error;
    };
  }
}

function idOf(kind: string, key: string): string {
  return `${kind}\n${key}`;
}

function groupOf(job: { kind: string; group: string }): string {
  return `${job.kind}\n${job.group}`;
}
