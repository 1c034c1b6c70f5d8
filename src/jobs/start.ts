import type { Logger } from 'pino';
import { InProcessQueue, type JobLedger } from './in-process.ts';
import { type SyncJobDeps, syncJobKind } from './kinds/sync.ts';
import { type ValidationPollDeps, validationPollJobKind } from './kinds/validation-poll.ts';
import { PgBossQueue } from './pg-boss.ts';
import { JobRuntime } from './runtime.ts';
import type { JobKind, JobQueue } from './types.ts';

/**
 * Where the jobs live: in this process (SQLite; the ledger keeps them across restarts), or in
 * pg-boss on the store's PostgreSQL.
 */
export type QueueChoice =
  | { kind: 'in-process'; ledger?: JobLedger }
  | { kind: 'pg-boss'; url: string; schema: string };

export interface JobRuntimeSettings {
  queue: QueueChoice;
  /** What the sync job calls (the composition root wires it). */
  sync: SyncJobDeps;
  /** What the validation poll job calls (omit to run no validation polls in this process). */
  validation?: ValidationPollDeps;
  logger: Logger;
  /** How often due jobs are planned (ms). */
  tickMs: number;
  /** Jobs this process runs at once. */
  concurrency: number;
  /** The job lease (whole seconds, at least 5 on pg-boss). */
  leaseSeconds: number;
  now?: () => number;
}

/** How an in-process queue looks for due jobs: every second, or every tick when ticks are faster. */
const inProcessPollMs = 1000;

/**
 * Opens the chosen queue, builds the runtime over the job kinds (sync and validation poll;
 * rule evaluation and monitor run join this list), and starts it: `vigil serve` and
 * `vigil worker` both start their jobs here. Stop it with `JobRuntime.stop`.
 */
export async function startJobRuntime(settings: JobRuntimeSettings): Promise<JobRuntime> {
  const now = settings.now ?? Date.now;
  const leaseMs = settings.leaseSeconds * 1000;
  const queue = await openQueue(settings, now);
  const runtime = new JobRuntime({
    queue,
    kinds: jobKinds(settings, leaseMs),
    logger: settings.logger,
    now,
    concurrency: settings.concurrency,
    leaseMs,
  });
  try {
    await runtime.start(settings.tickMs);
  } catch (error) {
    await queue.stop().catch(() => undefined);
    throw error;
  }
  return runtime;
}

/** The kinds this process plans and runs. */
function jobKinds(settings: JobRuntimeSettings, leaseMs: number): JobKind<unknown>[] {
  return [
    syncJobKind(settings.sync, { leaseMs }),
    ...(settings.validation === undefined ? [] : [validationPollJobKind(settings.validation)]),
  ];
}

function openQueue(settings: JobRuntimeSettings, now: () => number): Promise<JobQueue> {
  const { queue, logger, leaseSeconds, concurrency } = settings;
  if (queue.kind === 'in-process') {
    const pollMs = Math.min(inProcessPollMs, settings.tickMs);
    return Promise.resolve(
      new InProcessQueue({ now, pollMs, ...(queue.ledger === undefined ? {} : { ledger: queue.ledger }) }),
    );
  }
  return PgBossQueue.open({
    url: queue.url,
    schema: queue.schema,
    leaseSeconds,
    maxConnections: concurrency + 2,
    onError: (error) => logger.error({ err: error.message }, 'job queue error'),
  });
}
