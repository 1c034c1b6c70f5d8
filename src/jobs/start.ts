import type { Logger } from 'pino';
import { InProcessQueue, type JobLedger } from './in-process.ts';
import { type MonitorJobDeps, monitorRunJobKind } from './kinds/monitor-run.ts';
import { type RuleJobDeps, ruleEvaluationJobKind, ruleJobsAfterSync } from './kinds/rule-evaluation.ts';
import { type SyncedHook, type SyncJobDeps, syncJobKind } from './kinds/sync.ts';
import { type ValidationPollDeps, validationPollJobKind } from './kinds/validation-poll.ts';
import type { WebhookVerifyData } from './kinds/webhook-verify.ts';
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
  /** What the rule-evaluation job calls; without it, no rule is evaluated by this runtime. */
  rules?: RuleJobDeps;
  /** What the validation poll job calls (omit to run no validation polls in this process). */
  validation?: ValidationPollDeps;
  /** What the monitor-run job calls (omit to run no monitors in this process). */
  monitors?: MonitorJobDeps;
  /** The webhook verification kind (`webhookVerifyJobKind`) when this process verifies alerts (`vigil serve`). */
  webhookVerify?: JobKind<WebhookVerifyData>;
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
 * Opens the chosen queue, builds the runtime over the job kinds (`createJobRuntime`), and starts
 * it: `vigil serve` and `vigil worker` both start their jobs here. Stop it with `JobRuntime.stop`.
 */
export async function startJobRuntime(settings: JobRuntimeSettings): Promise<JobRuntime> {
  const now = settings.now ?? Date.now;
  const queue = await openQueue(settings, now);
  const runtime = createJobRuntime({ ...settings, queue, now });
  try {
    await runtime.start(settings.tickMs);
  } catch (error) {
    await queue.stop().catch(() => undefined);
    throw error;
  }
  return runtime;
}

/**
 * The runtime over an open queue with the job kinds: sync, and rule evaluation, validation poll
 * monitor run and webhook verification when their services are given. A sync that ends enqueues one job per
 * rule reading a type it wrote; that enqueueing failing is logged and never fails the sync.
 */
export function createJobRuntime(
  settings: Omit<JobRuntimeSettings, 'queue' | 'tickMs' | 'now'> & { queue: JobQueue; now(): number },
): JobRuntime {
  const leaseMs = settings.leaseSeconds * 1000;
  const { rules } = settings;
  const ruleKind = rules === undefined ? undefined : ruleEvaluationJobKind(rules);
  const onSynced: SyncedHook | undefined =
    rules === undefined || ruleKind === undefined
      ? undefined
      : async (outcome) => {
          for (const request of await ruleJobsAfterSync(rules, outcome))
            await runtime.enqueue(ruleKind, request);
        };
  const syncKind = syncJobKind(settings.sync, { leaseMs, ...(onSynced === undefined ? {} : { onSynced }) });
  // The hook above runs only once jobs run, after `runtime` is assigned.
  const runtime: JobRuntime = new JobRuntime({
    queue: settings.queue,
    kinds: [
      syncKind,
      ...(ruleKind === undefined ? [] : [ruleKind]),
      ...(settings.validation === undefined ? [] : [validationPollJobKind(settings.validation)]),
      ...(settings.monitors === undefined ? [] : [monitorRunJobKind(settings.monitors)]),
      ...(settings.webhookVerify === undefined ? [] : [settings.webhookVerify]),
    ],
    logger: settings.logger,
    now: settings.now,
    concurrency: settings.concurrency,
    leaseMs,
  });
  return runtime;
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
