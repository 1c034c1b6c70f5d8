import { VigilError } from '../errors.ts';
import { startTicker } from './ticker.ts';
import type { ClaimedJob, JobHandler, JobQueue, JobResult, QueuedJob } from './types.ts';

/**
 * The in-process back end of `vigil serve` on SQLite: the queue lives in this process's memory.
 * Jobs planned from stored state (the due slots of syncs) are restart-safe because the planner
 * finds them again from the runs; one-off jobs sent here are lost when the process ends (a store
 * table would make them durable; on PostgreSQL, pg-boss persists them). A lease is this process's
 * claim: it lives as long as the process, and is lost only when the job is cancelled.
 */

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
  private readonly running = new Map<string, Running>();
  private readonly finished = new Map<string, number>();
  private sequence = 0;
  private worker: { kinds: ReadonlySet<string>; concurrency: number; handler: JobHandler } | undefined;
  private ticker: { stop(): Promise<void> } | undefined;
  private stopping = false;

  constructor(private readonly options: InProcessQueueOptions) {}

  async prepare(): Promise<void> {}

  async send(job: QueuedJob): Promise<boolean> {
    const id = idOf(job.kind, job.key);
    this.forgetFinished();
    if (this.waiting.has(id) || this.running.has(id) || this.finished.has(id)) return false;
    const groupWaits = [...this.waiting.values()].some(
      (w) => w.kind === job.kind && w.group === job.group && w.attempt === 0,
    );
    if (groupWaits) return false;
    this.waiting.set(id, { ...job, attempt: 0, sequence: this.sequence++ });
    return true;
  }

  async heldGroups(kind: string): Promise<ReadonlySet<string>> {
    return new Set([...this.running.values()].filter((r) => r.job.kind === kind).map((r) => r.job.group));
  }

  async cancel(kind: string, key: string): Promise<void> {
    const id = idOf(kind, key);
    this.waiting.delete(id);
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
    if (worker === undefined || this.stopping) return [];
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
    this.waiting.delete(id);
    const { kind, key, group, data, attempt } = waiting;
    const job: ClaimedJob = { kind, key, group, data, attempt };
    const controller = new AbortController();
    const done = Promise.resolve()
      .then(() => handler(job, controller.signal))
      .then((result) => this.settle(waiting, controller.signal.aborted ? undefined : result))
      .finally(() => this.running.delete(id));
    this.running.set(id, { job, controller, done });
    return job;
  }

  /** Retries a job that failed with a retry, else records it finished (`undefined`: lease lost). */
  private settle(waiting: Waiting, result: JobResult | undefined): void {
    const id = idOf(waiting.kind, waiting.key);
    const retry = result?.status === 'failed' && result.retry;
    if (retry && waiting.attempt < (this.options.retryLimit ?? 5)) {
      const runAt = this.options.now() + (this.options.retryDelayMs ?? 1000);
      this.waiting.set(id, { ...waiting, attempt: waiting.attempt + 1, runAt, sequence: this.sequence++ });
    } else {
      this.finished.set(id, this.options.now());
    }
  }

  private forgetFinished(): void {
    const before = this.options.now() - (this.options.keepFinishedMs ?? 12 * 3_600_000);
    for (const [id, at] of this.finished) if (at < before) this.finished.delete(id);
  }
}

function idOf(kind: string, key: string): string {
  return `${kind}\n${key}`;
}
