import { loadAttackCatalogue } from '../attack/catalogue.ts';
import { type ClientDeps, type StepDeps, syncTitle } from '../connectors/descriptor.ts';
import { connectorOf } from '../connectors/index.ts';
import type { GraphStore } from '../store/types.ts';
import type { IntegrationConfig } from './config.ts';
import type { IntegrationRegistry } from './registry.ts';
import { runSyncPlan, type SyncPlan, type SyncReport, type SyncRunOptions, syncPlan } from './sync-plan.ts';

/** What a sync needs of an integration: who it is, its configuration (real proxy URL) and its API key. */
export interface SyncTarget {
  id: string;
  name: string;
  config: IntegrationConfig;
  apiKey: string | null;
}

/**
 * The sync of an integration: its connector's client over the integration's dispatcher, the
 * connector's steps, the integration's id as the runs' integration id. The plan owns the client
 * (`runSyncPlan` closes it). CONFIG_INVALID when no API key is set or the client refuses the config.
 */
export function integrationSyncPlan(
  target: SyncTarget,
  deps: ClientDeps = {},
  stepDeps: StepDeps = { attackCatalogue: () => loadAttackCatalogue() },
): SyncPlan {
  const connector = connectorOf(target.config.kind);
  const steps = connector.steps(target.config, stepDeps);
  const client = connector.createClient(target.config, { apiKey: target.apiKey ?? '' }, deps);
  return syncPlan({
    title: syncTitle(connector, target.name),
    integrationId: target.id,
    steps,
    client,
    close: () => client.close(),
  });
}

export interface SyncIntegrationOptions extends SyncRunOptions {
  /** Clock, sleep and timeout for the vendor client (tests, the scheduler). */
  client?: Omit<ClientDeps, 'logger'>;
  /** What the steps may need (the ATT&CK catalogue); the default loads the catalogue on demand. */
  steps?: StepDeps;
}

/**
 * Syncs one registered integration (by name or id) now: opens its secrets, builds its client over
 * its proxy and TLS settings, runs its connector's steps into `store` under the integration's id,
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
  const { client, steps, ...run } = options;
  const plan = integrationSyncPlan(
    {
      id: resolved.integration.id,
      name: resolved.integration.name,
      config: resolved.config,
      apiKey: resolved.apiKey,
    },
    { ...client, ...(options.logger ? { logger: options.logger } : {}) },
    steps,
  );
  return runSyncPlan(store, plan, run);
}
