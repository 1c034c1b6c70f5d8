import type { GraphStore } from '../store/types.ts';
import { type ClientDeps, integrationSyncPlan } from './clients.ts';
import type { IntegrationRegistry } from './registry.ts';
import { runSyncPlan, type SyncReport, type SyncRunOptions } from './sync-plan.ts';

export interface SyncIntegrationOptions extends SyncRunOptions {
  /** Clock, sleep and timeout for the vendor client (tests, the scheduler). */
  client?: Omit<ClientDeps, 'logger'>;
}

/**
 * Syncs one registered integration (by name or id) now: opens its secrets, builds its client over
 * its proxy and TLS settings, runs its vendor's steps into `store` under the integration's id,
 * and returns the summary with the request counters. NOT_FOUND for an unknown integration,
 * CONFIG_INVALID when its secrets cannot be opened or no API key is set; vendor failures end up
 * in the step results (status `failure` / `partial`), not as a throw.
 */
export async function syncIntegration(
  store: GraphStore,
  registry: IntegrationRegistry,
  reference: string,
  options: SyncIntegrationOptions = {},
): Promise<SyncReport> {
  const resolved = await registry.resolve(reference);
  const { client, ...run } = options;
  const plan = integrationSyncPlan(resolved, {
    ...client,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return runSyncPlan(store, plan, run);
}
