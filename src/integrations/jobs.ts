import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import { z } from 'zod';
import { toVigilError, VigilError } from '../errors.ts';
import type { Integration } from './config.ts';
import {
  type DueIntegration,
  decideSync,
  findDueIntegrations,
  type LatestRun,
  syncIntervalMs,
} from './schedule.ts';
import type { SchedulerEvents, SyncOutcome } from './scheduler.ts';

/**
 * The PostgreSQL job queue that `vigil worker` processes share (C9), on pg-boss in its own schema.
 *
 * How each due sync runs exactly once, and never twice at once:
 * - Every worker plans: on each tick it finds the due integrations (`decideSync`) and sends one
 *   job per due *slot*. A job's id is derived from (integration, the run it follows, interval
 *   number), so workers that notice the same due sync send the same id and the queue keeps one.
 * - The queue's policy is `stately` with the integration id as `singletonKey`: pg-boss's unique
 *   indexes allow at most one queued and one active job per integration, so two workers can never
 *   hold jobs of one integration at the same time.
 * - The job holder decides again, under that exclusivity, from the latest run in the store: a
 *   job whose sync another job already ran ends as `skipped`.
 * - Duplicates are stopped when sent, not when fetched: a second queued job of an integration whose
 *   job is active would hold up the whole queue (pg-boss fetches the oldest job first, and its
 *   move to `active` fails on the unique index until the active one ends).
 * - A job is a lease of `leaseSeconds` (pg-boss `expireInSeconds`). A worker killed mid-sync never
 *   completes its job: the job expires, pg-boss retries it (`retryLimit`) on another worker, and
 *   that worker — seeing the dead attempt's run still `running` — syncs again (the store marks
 *   the dead run `aborted`). pg-boss 10 has no heartbeat, so a worker whose sync outlives its
 *   lease would overlap the retry: before the lease ends the worker is told (`onLeaseExpiring`),
 *   and `vigil worker` then exits (fail-stop) rather than keep running without the lease.
 */

/** The queue's name in pg-boss. */
export const syncQueueName = 'vigil-sync';

/** pg-boss's schema unless configured (the store's schema is separate). */
export const defaultQueueSchema = 'vigil_queue';

const jobDataSchema = z.object({ integrationId: z.string().min(1), slot: z.string().min(1) }).strict();
export type SyncJobData = z.infer<typeof jobDataSchema>;

/** One job as its handler sees it: its data re-validated, how many earlier attempts it had. */
export interface SyncJob {
  id: string;
  data: SyncJobData;
  /** 0 on the first attempt; more when an earlier attempt died or failed. */
  retryCount: number;
  leaseSeconds: number;
}

export interface SyncQueueOptions {
  /** The PostgreSQL URL (the store's database). */
  url: string;
  /** pg-boss's schema (letters, digits, `_`). */
  schema: string;
  /** How long a worker holds a job before it counts as dead and the job is retried elsewhere. */
  leaseSeconds: number;
  /** Retries of a job whose attempts died or threw (default 5). */
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

/** Seconds before the lease ends at which a worker stops holding a job: 20 % of it, 1–60 s. */
export function leaseMarginSeconds(leaseSeconds: number): number {
  return Math.min(60, Math.max(1, leaseSeconds * 0.2));
}

/**
 * A UUID derived from a name (SHA-256, version and variant bits set), so that every worker
 * computes the same job id for the same due slot.
 */
export function uuidFromName(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The due slot a sync fills: the run it follows and how many whole intervals have passed since
 * it became due (an integration left unserved for a whole interval gets a fresh job).
 */
export function dueSlot({ integration, decision }: DueIntegration, now: number): string {
  const since = decision.dueSince > 0 ? decision.dueSince : Date.parse(integration.createdAt);
  const intervals = Math.max(0, Math.floor((now - since) / syncIntervalMs(integration)));
  return `${decision.after ?? 'first'}#${intervals}`;
}

/**
 * Creates the queue unless it exists. pg-boss's `createQueue` is idempotent but not safe against
 * itself: workers starting together on a fresh schema can deadlock in it (PostgreSQL aborts one
 * of them), so a deadlock is retried after a short random pause.
 */
async function ensureQueue(boss: PgBoss, options: SyncQueueOptions): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if ((await boss.getQueue(syncQueueName)) !== null) return;
    try {
      await boss.createQueue(syncQueueName, {
        name: syncQueueName,
        policy: 'stately',
        expireInSeconds: options.leaseSeconds,
        retryLimit: options.retryLimit ?? 5,
        retryDelay: options.retryDelaySeconds ?? 1,
      });
      return;
    } catch (error) {
      const deadlock = (error as { code?: unknown }).code === '40P01';
      if (!deadlock || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
    }
  }
}

/** The pg-boss wiring: sending due syncs as jobs and working them off with a few loops. */
export class SyncQueue {
  private readonly loops: Promise<void>[] = [];
  private readonly wake = new Set<() => void>();
  private stopping = false;

  private constructor(
    private readonly boss: PgBoss,
    private readonly options: SyncQueueOptions,
  ) {}

  /** Connects, installs or migrates pg-boss's schema, and creates the queue (all idempotent). */
  static async open(options: SyncQueueOptions): Promise<SyncQueue> {
    if (!Number.isInteger(options.leaseSeconds) || options.leaseSeconds < 5) {
      throw new VigilError(
        'INPUT_INVALID',
        `The job lease must be at least 5 seconds, not ${options.leaseSeconds}.`,
      );
    }
    const boss = new PgBoss({
      connectionString: options.url,
      schema: options.schema,
      application_name: 'vigil-worker',
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
      await ensureQueue(boss, options);
    } catch (error) {
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      throw new VigilError('STORE_ERROR', `The job queue could not start: ${reason}`, {
        hint: 'Check that PostgreSQL is reachable and that the user may create the queue schema.',
        cause: error,
      });
    }
    return new SyncQueue(boss, options);
  }

  /**
   * Sends the job of one due slot; false when that slot's job (or a queued job of the
   * integration) already exists.
   */
  async enqueue(due: DueIntegration, now: number): Promise<boolean> {
    const integrationId = due.integration.id;
    const slot = dueSlot(due, now);
    const data: SyncJobData = { integrationId, slot };
    const id = await this.boss.send(syncQueueName, data, {
      id: uuidFromName(`${syncQueueName}|${integrationId}|${slot}`),
      singletonKey: integrationId,
      expireInSeconds: this.options.leaseSeconds,
      retryLimit: this.options.retryLimit ?? 5,
      retryDelay: this.options.retryDelaySeconds ?? 1,
    });
    return id !== null;
  }

  /**
   * Starts `concurrency` loops, each taking one job at a time and passing it to `handle`; a job
   * ends `completed` with the handler's result, or `failed` (retried) when it throws. When a
   * job's lease is about to end while its handler still runs, `onLeaseExpiring` is called.
   */
  work(
    concurrency: number,
    handle: (job: SyncJob) => Promise<object>,
    onLeaseExpiring: (job: SyncJob) => void,
  ): void {
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop(handle, onLeaseExpiring));
  }

  /** Takes no more jobs, waits for the jobs in hand to finish, then disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wake) wake();
    await Promise.all(this.loops);
    await this.boss.stop({ graceful: true, close: true, timeout: 1000 });
  }

  private async loop(
    handle: (job: SyncJob) => Promise<object>,
    onLeaseExpiring: (job: SyncJob) => void,
  ): Promise<void> {
    const pollMs = (this.options.pollingIntervalSeconds ?? 2) * 1000;
    while (!this.stopping) {
      let fetched: PgBoss.JobWithMetadata<unknown>[] = [];
      try {
        fetched = await this.boss.fetch<unknown>(syncQueueName, { includeMetadata: true, batchSize: 1 });
      } catch (error) {
        this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
      }
      const [raw] = fetched;
      if (raw === undefined) {
        await this.pause(pollMs);
        continue;
      }
      await this.process(raw, handle, onLeaseExpiring);
    }
  }

  private async process(
    raw: PgBoss.JobWithMetadata<unknown>,
    handle: (job: SyncJob) => Promise<object>,
    onLeaseExpiring: (job: SyncJob) => void,
  ): Promise<void> {
    const data = jobDataSchema.safeParse(raw.data);
    if (!data.success) {
      await this.boss
        .fail(syncQueueName, raw.id, { message: 'job data is not a sync job' })
        .catch(() => undefined);
      return;
    }
    const job: SyncJob = {
      id: raw.id,
      data: data.data,
      retryCount: raw.retryCount,
      leaseSeconds: Number(raw.expireInSeconds),
    };
    const deadline = setTimeout(
      () => onLeaseExpiring(job),
      (job.leaseSeconds - leaseMarginSeconds(job.leaseSeconds)) * 1000,
    );
    try {
      const result = await handle(job);
      await this.boss.complete(syncQueueName, job.id, result);
    } catch (error) {
      const coded = toVigilError(error);
      await this.boss.fail(syncQueueName, job.id, coded.toJSON()).catch(() => undefined);
    } finally {
      clearTimeout(deadline);
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

/** What the queue's planner and job handler need of the registry, the store and the sync. */
export interface SyncJobDeps {
  listIntegrations(): Promise<readonly Integration[]>;
  findIntegration(integrationId: string): Promise<Integration | undefined>;
  latestRun(integrationId: string): Promise<LatestRun | undefined>;
  runSync(integration: Integration): Promise<SyncOutcome>;
  now(): number;
  events?: Partial<SchedulerEvents>;
}

/**
 * Sends a job for every due integration (a planner tick). A `running` run counts as dead only
 * after two leases: a live worker gives up its job after one, and pg-boss retries a dead
 * worker's job well within the second. Returns the ids of the integrations newly queued.
 */
export async function enqueueDueSyncs(
  queue: SyncQueue,
  deps: SyncJobDeps,
  leaseSeconds: number,
): Promise<string[]> {
  const now = deps.now();
  const due = await findDueIntegrations(await deps.listIntegrations(), deps.latestRun, now, {
    staleRunningAfterMs: 2 * leaseSeconds * 1000,
  });
  const queued: string[] = [];
  for (const entry of due) if (await queue.enqueue(entry, now)) queued.push(entry.integration.id);
  return queued;
}

/** How a job ended: a sync ran (to any status), threw, or was not needed. */
export type SyncJobResult =
  | { result: 'synced'; outcome: SyncOutcome }
  | { result: 'sync-failed'; error: { code: string; message: string } }
  | { result: 'skipped'; reason: 'integration-removed' | 'not-due' | 'running' };

/**
 * Handles one sync job while holding the integration's lease: decides again from the latest
 * run, then syncs. A `running` run seen by a retried job is its own dead attempt's (the queue
 * lets no one else hold the integration), so it counts as interrupted; a first attempt leaves a
 * `running` run alone (a sync outside the queue, such as `vigil integrations add`). A sync that
 * throws is reported and the job completes: the run history holds the failure and the next
 * interval tries again, so only dead workers and store failures use pg-boss's retries.
 */
export async function handleSyncJob(job: SyncJob, deps: SyncJobDeps): Promise<SyncJobResult> {
  const integration = await deps.findIntegration(job.data.integrationId);
  if (integration === undefined) return { result: 'skipped', reason: 'integration-removed' };
  const latest = await deps.latestRun(integration.id);
  const decision = decideSync(syncIntervalMs(integration), latest, deps.now(), {
    staleRunningAfterMs: job.retryCount > 0 ? 0 : 2 * job.leaseSeconds * 1000,
  });
  if (!decision.due)
    return { result: 'skipped', reason: decision.reason === 'running' ? 'running' : 'not-due' };
  deps.events?.syncStarted?.(integration, decision);
  try {
    const outcome = await deps.runSync(integration);
    deps.events?.syncFinished?.(integration, outcome);
    return { result: 'synced', outcome };
  } catch (error) {
    const coded = toVigilError(error);
    deps.events?.syncFailed?.(integration, coded.toJSON());
    if (coded.code === 'STORE_ERROR') throw coded;
    return { result: 'sync-failed', error: coded.toJSON() };
  }
}
