import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import { z } from 'zod';
import { VigilError } from '../errors.ts';
import type { IntakeTransaction } from '../store/types.ts';
import { activeGroups, type HeldAttempt, renewLease } from './pg-boss-lease.ts';
import type { ClaimedJob, JobHandler, JobQueue, JobResult, QueuedJob } from './types.ts';

/**
 * The PostgreSQL back end (C9): a pg-boss queue per job kind (`vigil-<kind>`) in its own schema,
 * shared by every `vigil serve` and `vigil worker` process on the database, on any machine.
 *
 * How the runtime's semantics map onto pg-boss:
 * - a job's pg-boss id is derived from its kind and key (`uuidFromName`), so a second send of a
 *   key is a no-op, whichever process sends it;
 * - the queues' policy is `stately` with the group as `singletonKey`: pg-boss's unique indexes allow
 *   at most one waiting and one active job per group. Duplicates must be stopped when sent, not
 *   when fetched: a waiting job whose group has an active one would hold up the whole queue (pg-boss
 *   fetches the oldest job first, and its move to `active` fails on the unique index), so planners
 *   leave out the groups `heldGroups` names;
 * - a job is a lease of `leaseSeconds` (pg-boss `expireInSeconds`) that the holder renews while
 *   its handler runs (`pg-boss-lease.ts` says why). A killed worker stops renewing: its job
 *   expires and pg-boss retries it (`retryLimit`) on another worker. A holder whose renewal finds
 *   the job gone (expired, cancelled), or that could not renew for a whole lease, aborts the
 *   handler's signal and drops its result; the process carries on;
 * - `runAt` is pg-boss's `startAfter`; jobs are persisted, so nothing sent is lost on restart.
 */

/** pg-boss's schema unless configured (the store's schema is separate). */
export const defaultQueueSchema = 'vigil_queue';

/** The pg-boss queue of a job kind. */
export function queueNameOf(kind: string): string {
  return `vigil-${kind}`;
}

/** What Vigil puts in a pg-boss job: the runtime's key and the kind's data. */
const envelopeSchema = z.object({ key: z.string().min(1), data: z.unknown() }).strict();

export interface PgBossQueueOptions {
  /** The PostgreSQL URL (the store's database). */
  url: string;
  /** pg-boss's schema (letters, digits, `_`). */
  schema: string;
  /** How long a job's holder may go without renewing before the job is retried elsewhere. */
  leaseSeconds: number;
  /** Retries of a job whose attempts lost their lease or failed with a retry (default 5). */
  retryLimit?: number;
  /** Seconds before a retry (default 1). */
  retryDelaySeconds?: number;
  /** How often expired leases are detected (default: a quarter of the lease, 1–60 s). */
  maintenanceIntervalSeconds?: number;
  /** How often an idle worker polls for a job (default 2 s, at least 0.5). */
  pollingIntervalSeconds?: number;
  /** pg-boss's connection pool size (default 4). */
  maxConnections?: number;
  onError?(error: Error): void;
}

/**
 * A UUID derived from a name (SHA-256, version and variant bits set), so that every process
 * computes the same job id for the same key.
 */
export function uuidFromName(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** How often a holder renews its lease: three times a lease, so that one late renewal is harmless. */
export function renewalIntervalMs(leaseSeconds: number): number {
  return (leaseSeconds * 1000) / 3;
}

export class PgBossQueue implements JobQueue {
  private readonly loops: Promise<void>[] = [];
  private readonly wake = new Set<() => void>();
  private stopping = false;

  private constructor(
    private readonly boss: PgBoss,
    private readonly options: PgBossQueueOptions,
  ) {}

  /** Connects, and installs or migrates pg-boss's schema (idempotent). */
  static async open(options: PgBossQueueOptions): Promise<PgBossQueue> {
    if (!Number.isInteger(options.leaseSeconds) || options.leaseSeconds < 5) {
      throw new VigilError(
        'INPUT_INVALID',
        `The job lease must be at least 5 seconds, not ${options.leaseSeconds}.`,
      );
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.schema)) {
      throw new VigilError(
        'INPUT_INVALID',
        `The queue schema must be letters, digits and _, not '${options.schema}'.`,
      );
    }
    const boss = new PgBoss({
      connectionString: options.url,
      schema: options.schema,
      application_name: 'vigil-jobs',
      max: options.maxConnections ?? 4,
      schedule: false,
      supervise: true,
      migrate: true,
      maintenanceIntervalSeconds:
        options.maintenanceIntervalSeconds ?? Math.min(60, Math.max(1, Math.floor(options.leaseSeconds / 4))),
    });
    boss.on('error', (error) => options.onError?.(error));
    try {
      await boss.start();
    } catch (error) {
      throw await queueFailure(boss, error);
    }
    return new PgBossQueue(boss, options);
  }

  async prepare(kinds: readonly string[]): Promise<void> {
    try {
      for (const kind of kinds) await this.ensureQueue(queueNameOf(kind));
    } catch (error) {
      throw await queueFailure(this.boss, error);
    }
  }

  async send(job: QueuedJob): Promise<boolean> {
    const queue = queueNameOf(job.kind);
    const id = await this.boss
      .send(
        queue,
        { key: job.key, data: job.data },
        {
          id: uuidFromName(`${queue}|${job.key}`),
          singletonKey: job.group,
          startAfter: new Date(job.runAt),
          expireInSeconds: this.options.leaseSeconds,
          retryLimit: this.options.retryLimit ?? 5,
          retryDelay: this.options.retryDelaySeconds ?? 1,
        },
      )
      .catch((error: unknown) => Promise.reject(queueError('send a job', error)));
    return id !== null;
  }

  async sendMany(jobs: readonly QueuedJob[], within?: IntakeTransaction): Promise<void> {
    if (jobs.length === 0) return;
    const executeSql = within?.executeSql;
    // pg-boss's `insert` is one multi-row INSERT … ON CONFLICT DO NOTHING: a job whose id (kind and
    // key) exists, or whose group already waits (the stately queue's unique index), is left out.
    await this.boss
      .insert(
        jobs.map((job) => {
          const name = queueNameOf(job.kind);
          return {
            id: uuidFromName(`${name}|${job.key}`),
            name,
            data: { key: job.key, data: job.data },
            singletonKey: job.group,
            startAfter: new Date(job.runAt).toISOString(),
            expireInSeconds: this.options.leaseSeconds,
            retryLimit: this.options.retryLimit ?? 5,
            retryDelay: this.options.retryDelaySeconds ?? 1,
          };
        }),
        // Through the caller's transaction (same database): the jobs commit with it.
        executeSql === undefined
          ? {}
          : {
              db: {
                executeSql: async (text: string, values: unknown[]) => ({
                  rows: await executeSql(text, values.map(toSqlValue)),
                }),
              },
            },
      )
      .catch((error: unknown) => Promise.reject(queueError('send jobs', error)));
  }

  heldGroups(kind: string): Promise<ReadonlySet<string>> {
    return activeGroups(this.boss.getDb(), this.options.schema, queueNameOf(kind)).catch((error: unknown) =>
      Promise.reject(queueError('read the running jobs', error)),
    );
  }

  async cancel(kind: string, key: string): Promise<void> {
    const queue = queueNameOf(kind);
    await this.boss
      .cancel(queue, uuidFromName(`${queue}|${key}`))
      .catch((error: unknown) => Promise.reject(queueError('cancel a job', error)));
  }

  work(kinds: readonly string[], concurrency: number, handler: JobHandler): void {
    const queues = kinds.map(queueNameOf);
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop(queues, handler));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wake) wake();
    await Promise.all(this.loops);
    await this.boss.stop({ graceful: true, close: true, timeout: 1000 });
  }

  /**
   * Creates a queue unless it exists. pg-boss's `createQueue` is idempotent but not safe against
   * itself: processes starting together on a fresh schema can deadlock in it (PostgreSQL aborts
   * one of them), so a deadlock is retried after a short random pause.
   */
  private async ensureQueue(name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if ((await this.boss.getQueue(name)) !== null) return;
      try {
        await this.boss.createQueue(name, {
          name,
          policy: 'stately',
          expireInSeconds: this.options.leaseSeconds,
          retryLimit: this.options.retryLimit ?? 5,
          retryDelay: this.options.retryDelaySeconds ?? 1,
        });
        return;
      } catch (error) {
        const deadlock = (error as { code?: unknown }).code === '40P01';
        if (!deadlock || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
      }
    }
  }

  /** Takes one job at a time from the queues, in turn, until stopped. */
  private async loop(queues: readonly string[], handler: JobHandler): Promise<void> {
    const pollMs = Math.max(0.5, this.options.pollingIntervalSeconds ?? 2) * 1000;
    while (!this.stopping) {
      let worked = false;
      for (const queue of queues) {
        if (this.stopping) break;
        const raw = await this.fetch(queue);
        if (raw === undefined) continue;
        worked = true;
        await this.process(queue, raw, handler);
      }
      if (!worked) await this.pause(pollMs);
    }
  }

  private async fetch(queue: string): Promise<PgBoss.JobWithMetadata<unknown> | undefined> {
    try {
      return (await this.boss.fetch<unknown>(queue, { includeMetadata: true, batchSize: 1 }))[0];
    } catch (error) {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
      return undefined;
    }
  }

  /** Runs one job under a renewed lease, then completes it, fails it (for a retry), or drops it. */
  private async process(
    queue: string,
    raw: PgBoss.JobWithMetadata<unknown>,
    handler: JobHandler,
  ): Promise<void> {
    const envelope = envelopeSchema.safeParse(raw.data);
    if (!envelope.success) {
      await this.boss
        .complete(queue, raw.id, { status: 'failed', error: 'the job is not a Vigil job' })
        .catch(() => undefined);
      return;
    }
    const kind = queue.slice('vigil-'.length);
    const { key, data } = envelope.data;
    const job: ClaimedJob = { kind, key, group: raw.singletonKey ?? key, data, attempt: raw.retryCount };
    const controller = new AbortController();
    const stopRenewing = this.keepLease({ queue, id: raw.id, retryCount: raw.retryCount }, controller);
    let result: JobResult;
    try {
      result = await handler(job, controller.signal);
    } finally {
      stopRenewing();
    }
    if (!controller.signal.aborted) await this.settle(queue, raw.id, result);
  }

  /**
   * Renews the attempt's lease every `renewalIntervalMs` until the returned function is called;
   * aborts `controller` when the job is no longer the attempt's, or after a whole lease without a
   * successful renewal (pg-boss may have handed the job on by then).
   */
  private keepLease(attempt: HeldAttempt, controller: AbortController): () => void {
    const { leaseSeconds, schema } = this.options;
    let renewedAt = Date.now();
    const lose = (reason: string) => {
      clearInterval(timer);
      controller.abort(new VigilError('JOB_LEASE_LOST', `The job's lease was lost: ${reason}.`));
    };
    const timer = setInterval(() => {
      renewLease(this.boss.getDb(), schema, attempt, leaseSeconds).then(
        (held) => {
          if (held) renewedAt = Date.now();
          else lose('the job expired, was cancelled or ended elsewhere');
        },
        (error: unknown) => {
          this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
          if (Date.now() - renewedAt >= leaseSeconds * 1000)
            lose('it could not be renewed for a whole lease');
        },
      );
    }, renewalIntervalMs(leaseSeconds));
    return () => clearInterval(timer);
  }

  private async settle(queue: string, id: string, result: JobResult): Promise<void> {
    try {
      if (result.status === 'failed' && result.retry) await this.boss.fail(queue, id, result.error);
      else await this.boss.complete(queue, id, result);
    } catch (error) {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wake.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wake.add(wake);
    });
  }
}

/** STORE_ERROR for a queue operation whose database failed (a dropped connection): the next tick tries again. */
function queueError(operation: string, error: unknown): VigilError {
  const reason = error instanceof Error ? error.message : String(error);
  return new VigilError('STORE_ERROR', `The job queue could not ${operation}: ${reason}`, {
    hint: 'Check that PostgreSQL is reachable; Vigil tries again on the next tick.',
    cause: error,
  });
}

/** Stops a half-started pg-boss and turns its failure into a coded error. */
async function queueFailure(boss: PgBoss, error: unknown): Promise<VigilError> {
  await boss.stop({ graceful: false, close: true }).catch(() => undefined);
  const reason = error instanceof Error ? error.message : String(error);
  return new VigilError('STORE_ERROR', `The job queue could not start: ${reason}`, {
    hint: 'Check that PostgreSQL is reachable and that the user may create the queue schema.',
    cause: error,
  });
}

/** A parameter of pg-boss's SQL as the store's statements take it (booleans as text, absent as NULL). */
function toSqlValue(value: unknown): string | number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
