import type { Logger } from 'pino';
import type { GraphStore } from '../store/types.ts';
import { runSync } from '../sync/engine.ts';
import type { IntegrationStep, SyncObserver, SyncSummary } from '../sync/types.ts';

/** A sync summary with the client's request counters, as `--json` prints it and the run record keeps it. */
export interface SyncReport extends SyncSummary {
  requests: Record<string, number>;
}

/**
 * One sync ready to run: a vendor client and its steps, with the vendor's type hidden so that
 * the CLI, the registry and the scheduler share one runner. It owns the client.
 */
export interface SyncPlan {
  title: string;
  /** The runs' integration id: the id of the integration (an environment sync's too). */
  integrationId: string;
  /** Runs the steps into the store (the engine's `runSync`). */
  execute(options: SyncRunOptions & { store: GraphStore }): Promise<SyncSummary>;
  /** The client's request counters so far. */
  requests(): Record<string, number>;
  /** Closes the client (and its dispatcher). */
  close(): Promise<void>;
}

export interface SyncRunOptions {
  /** Aborting stops the run between batches: it ends `interrupted` (SYNC_INTERRUPTED), deleting nothing. */
  signal?: AbortSignal;
  now?: () => number;
  logger?: Logger;
  observer?: SyncObserver;
}

/** Makes a plan of a client and the steps that read it. */
export function syncPlan<C>(parts: {
  title: string;
  integrationId: string;
  steps: readonly IntegrationStep<C>[];
  client: C & { readonly stats: object };
  close(): Promise<void>;
}): SyncPlan {
  return {
    title: parts.title,
    integrationId: parts.integrationId,
    execute: ({ store, signal, now, logger, observer }) =>
      runSync({
        store,
        ...(signal ? { signal } : {}),
        integrationId: parts.integrationId,
        steps: parts.steps,
        client: parts.client,
        ...(now ? { now } : {}),
        ...(logger ? { logger } : {}),
        ...(observer ? { observer } : {}),
      }),
    requests: () =>
      Object.fromEntries(
        Object.entries(parts.client.stats).filter(
          (entry): entry is [string, number] => typeof entry[1] === 'number',
        ),
      ),
    close: parts.close,
  };
}

/**
 * Runs a plan into the store and closes its client, whatever happens. The run record's summary
 * gets the request counters too, so the history (`vigil runs show`) has them.
 */
export async function runSyncPlan(
  store: GraphStore,
  plan: SyncPlan,
  options: SyncRunOptions = {},
): Promise<SyncReport> {
  let summary: SyncSummary;
  try {
    summary = await plan.execute({ ...options, store });
  } finally {
    await plan.close();
  }
  const report: SyncReport = { ...summary, requests: plan.requests() };
  await store.finishRun(report.runId, report.status, report.finishedAt, report);
  return report;
}
