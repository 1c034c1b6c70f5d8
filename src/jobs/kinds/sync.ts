import type { Logger } from 'pino';
import { z } from 'zod';
import { toVigilError } from '../../errors.ts';
import type { Integration } from '../../integrations/config.ts';
import type { RunStatus } from '../../store/types.ts';
import {
  decideSync,
  dueSlot,
  findDueIntegrations,
  type LatestRun,
  staleRunningAfter,
  syncIntervalMs,
} from '../due.ts';
import type { JobContext, JobKind, JobResult } from '../types.ts';

/** How a sync ended (the run's own status). */
export interface SyncOutcome {
  runId: string;
  status: Exclude<RunStatus, 'running'>;
  durationMs: number;
  /** The entity and relationship types the run created, updated or deleted rows of. */
  writtenTypes: string[];
}

/**
 * Told when a sync job's run ended (any status): rule evaluation follows it. It runs after the
 * run is recorded; a throw is logged and never fails the sync job.
 */
export type SyncedHook = (outcome: SyncOutcome, logger: Logger) => Promise<void>;

/**
 * What the sync job needs of the application: the registry, the run log and the sync itself. The
 * composition root wires it (today `cli/serve.ts`; the application layer next).
 */
export interface SyncJobDeps {
  listIntegrations(): Promise<readonly Integration[]>;
  findIntegration(integrationId: string): Promise<Integration | undefined>;
  latestRun(integrationId: string): Promise<LatestRun | undefined>;
  /**
   * Runs one sync to its end. Aborting `signal` ends the run `interrupted` (nothing deleted); a
   * sync whose run lock another process holds throws `SYNC_IN_PROGRESS`.
   */
  runSync(integration: Integration, options: { signal: AbortSignal; logger: Logger }): Promise<SyncOutcome>;
}

const syncJobData = z.object({ integrationId: z.string().min(1), slot: z.string().min(1) }).strict();
export type SyncJobData = z.infer<typeof syncJobData>;

/** The sync kind's name (its pg-boss queue is `vigil-sync`). */
export const syncKindName = 'sync';

/**
 * The periodic sync of every registered integration (C9). Its planner sends one job per due slot
 * (`dueSlot`, grouped by integration, so that two never run at once); its handler decides again,
 * from the latest run, while it holds the integration, then syncs:
 * - `completed` with the run's outcome when a sync ran (to any status);
 * - `skipped` when the integration was removed, the slot was already served, a run is live, or
 *   another process holds the integration's run lock (`SYNC_IN_PROGRESS`);
 * - `failed` when the sync threw: with a retry for a store failure, without for anything else
 *   (a bad secret, say: the next interval tries again and the log has the error).
 */
export function syncJobKind(
  deps: SyncJobDeps,
  options: { leaseMs: number; onSynced?: SyncedHook },
): JobKind<SyncJobData> {
  return {
    name: syncKindName,
    data: syncJobData,
    async planDue(now, held) {
      const idle = (await deps.listIntegrations()).filter((i) => !held.has(i.id));
      const due = await findDueIntegrations(idle, deps.latestRun, now, {
        staleRunningAfterMs: staleRunningAfter(options.leaseMs, 0),
      });
      return due.map((entry) => {
        const slot = dueSlot(entry, now);
        const integrationId = entry.integration.id;
        return { data: { integrationId, slot }, key: `${integrationId}|${slot}`, group: integrationId };
      });
    },
    handle: (data, context) => handleSyncJob(data, context, deps, options.onSynced),
  };
}

/** The handler of one sync job (see `syncJobKind`). */
export async function handleSyncJob(
  data: SyncJobData,
  context: JobContext,
  deps: SyncJobDeps,
  onSynced?: SyncedHook,
): Promise<JobResult> {
  const integration = await deps.findIntegration(data.integrationId);
  if (integration === undefined) return { status: 'skipped', reason: 'integration-removed' };
  const decision = decideSync(
    syncIntervalMs(integration),
    await deps.latestRun(integration.id),
    context.now(),
    {
      staleRunningAfterMs: staleRunningAfter(context.leaseMs, context.attempt),
    },
  );
  if (!decision.due)
    return { status: 'skipped', reason: decision.reason === 'running' ? 'running' : 'not-due' };
  const logger = context.logger.child({
    integration: integration.name,
    integrationId: integration.id,
    kind: integration.kind,
  });
  logger.info({ reason: decision.reason }, 'sync started');
  try {
    const outcome = await deps.runSync(integration, { signal: context.signal, logger });
    logger.info({ ...outcome }, 'sync finished');
    await notifySynced(onSynced, outcome, logger);
    return { status: 'completed', output: { ...outcome } };
  } catch (error) {
    const { code, message } = toVigilError(error);
    if (code === 'SYNC_IN_PROGRESS') {
      logger.info('sync skipped: another process is syncing this integration');
      return { status: 'skipped', reason: 'sync-in-progress' };
    }
    logger.error({ code, err: message }, 'sync failed');
    return { status: 'failed', error: { code, message }, retry: code === 'STORE_ERROR' };
  }
}

/** Calls the hook; its failure is logged, and the sync job still completes. */
async function notifySynced(hook: SyncedHook | undefined, outcome: SyncOutcome, logger: Logger) {
  if (hook === undefined) return;
  try {
    await hook(outcome, logger);
  } catch (error) {
    const { code, message } = toVigilError(error);
    logger.error({ code, err: message }, 'after-sync work failed (the sync itself completed)');
  }
}
