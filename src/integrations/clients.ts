import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { loadAttackCatalogue } from '../attack/catalogue.ts';
import { createDispatcher } from '../connectors/http/dispatcher.ts';
import { ThreatConnectClient } from '../connectors/threatconnect/client.ts';
import { threatConnectSteps } from '../connectors/threatconnect/steps.ts';
import { ThreatStackClient } from '../connectors/threatstack/client.ts';
import { threatStackSteps } from '../connectors/threatstack/steps.ts';
import { VigilError } from '../errors.ts';
import {
  baseUrlOf,
  type IntegrationConfig,
  type ThreatConnectIntegrationConfig,
  type ThreatStackIntegrationConfig,
} from './config.ts';
import type { ResolvedIntegration } from './registry.ts';
import { type SyncPlan, syncPlan } from './sync-plan.ts';

/** Per attempt: connect, headers and body (the clients' own default). */
export const integrationTimeoutMs = 30_000;

/** What tests and the scheduler inject into an integration's client. */
export interface ClientDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  logger?: Logger;
  timeoutMs?: number;
}

/** An integration's vendor client over the integration's own dispatcher; `close` closes both. */
export type VendorClient =
  | ({ kind: 'threatstack' } & OpenedClient<ThreatStackClient>)
  | ({ kind: 'threatconnect' } & OpenedClient<ThreatConnectClient>);

/** What a client needs of an integration: its configuration (real proxy URL) and its API key. */
export interface ClientTarget {
  config: IntegrationConfig;
  apiKey: string | null;
}

/**
 * The undici dispatcher every outbound request of an integration goes through (C5): its proxy,
 * CA file and certificate-verification switch. CONFIG_INVALID for an unreadable CA file or a bad
 * proxy (credentials redacted). The caller closes it.
 */
export function integrationDispatcher(
  config: IntegrationConfig,
  timeoutMs = integrationTimeoutMs,
): Dispatcher {
  return createDispatcher({
    target: baseUrlOf(config),
    timeoutMs,
    proxy: config.proxy ?? undefined,
    caFile: config.caFile ?? undefined,
    insecureSkipVerify: config.insecureSkipVerify,
  });
}

/** A client with the dispatcher it runs over; `close` closes both. */
export interface OpenedClient<C> {
  client: C;
  close(): Promise<void>;
}

function requireApiKey(apiKey: string | null): string {
  if (apiKey === null || apiKey === '') {
    throw new VigilError('CONFIG_INVALID', 'The integration has no API key.', {
      hint: 'Set one with `vigil integrations update NAME --api-key-file PATH` (or --api-key-stdin).',
    });
  }
  return apiKey;
}

/** Builds a client over the integration's dispatcher; nothing stays open when the client refuses its config. */
function overDispatcher<C extends { close(): Promise<void> }>(
  config: IntegrationConfig,
  deps: ClientDeps,
  build: (dispatcher: Dispatcher) => C,
): OpenedClient<C> {
  const dispatcher = integrationDispatcher(config, deps.timeoutMs);
  let client: C;
  try {
    client = build(dispatcher);
  } catch (error) {
    void dispatcher.close();
    throw error;
  }
  return {
    client,
    close: async () => {
      await client.close();
      await dispatcher.close();
    },
  };
}

function connectionOf(config: IntegrationConfig, apiKey: string, deps: ClientDeps) {
  return {
    baseUrl: baseUrlOf(config),
    apiKey,
    requestsPerMinute: config.requestsPerMinute,
    timeoutMs: deps.timeoutMs ?? integrationTimeoutMs,
    // Only for the clients' hints, which print it with its credentials redacted.
    ...(config.proxy === null ? {} : { proxy: config.proxy }),
  };
}

function vendorDeps(deps: ClientDeps) {
  const { timeoutMs: _timeoutMs, ...rest } = deps;
  return rest;
}

/** A Threat Stack client for an integration; CONFIG_INVALID when no API key is set or the client refuses the config. */
export function openThreatStackClient(
  config: ThreatStackIntegrationConfig,
  apiKey: string | null,
  deps: ClientDeps = {},
): OpenedClient<ThreatStackClient> {
  const connection = connectionOf(config, requireApiKey(apiKey), deps);
  return overDispatcher(
    config,
    deps,
    (dispatcher) =>
      new ThreatStackClient(
        { ...connection, userId: config.userId, orgId: config.orgId, dispatcher },
        vendorDeps(deps),
      ),
  );
}

/** A ThreatConnect client for an integration; CONFIG_INVALID when no API key is set or the client refuses the config. */
export function openThreatConnectClient(
  config: ThreatConnectIntegrationConfig,
  apiKey: string | null,
  deps: ClientDeps = {},
): OpenedClient<ThreatConnectClient> {
  const connection = connectionOf(config, requireApiKey(apiKey), deps);
  return overDispatcher(
    config,
    deps,
    (dispatcher) =>
      new ThreatConnectClient(
        { ...connection, apiRoot: config.apiRoot, accessId: config.accessId, dispatcher },
        vendorDeps(deps),
      ),
  );
}

/**
 * The vendor client of an integration (ThreatStackClient or ThreatConnectClient) over a
 * dispatcher built from the integration's proxy, CA file and insecure switch.
 */
export function openVendorClient(target: ClientTarget, deps: ClientDeps = {}): VendorClient {
  const { config } = target;
  return config.kind === 'threatstack'
    ? { kind: config.kind, ...openThreatStackClient(config, target.apiKey, deps) }
    : { kind: config.kind, ...openThreatConnectClient(config, target.apiKey, deps) };
}

/**
 * Checks that the vendor client accepts a configuration (values it cannot send, such as an
 * unreadable CA file, an API root or a user id Hawk cannot carry) without making any request:
 * the registry calls it so that such a configuration is refused before it is stored.
 */
export async function assertClientAccepts(config: IntegrationConfig): Promise<void> {
  await openVendorClient({ config, apiKey: 'configuration-check' }).close();
}

/** How a sync of an integration is titled in reports: `Threat Stack sync of ts-prod`. */
export function syncTitleOf(integration: { name: string; kind: IntegrationConfig['kind'] }): string {
  return `${integration.kind === 'threatstack' ? 'Threat Stack' : 'ThreatConnect'} sync of ${integration.name}`;
}

/**
 * The sync of an integration: its client, the vendor's steps, and the integration's id as the
 * runs' integration id. The plan owns the client; `runSyncPlan` closes it.
 */
export function integrationSyncPlan(resolved: ResolvedIntegration, deps: ClientDeps = {}): SyncPlan {
  const { integration, config } = resolved;
  if (config.kind === 'threatstack') {
    const steps = threatStackSteps({
      orgId: config.orgId,
      orgName: config.orgName,
      alertsDays: config.alertsDays,
    });
    return syncPlan({
      title: syncTitleOf(integration),
      integrationId: integration.id,
      steps,
      ...openThreatStackClient(config, resolved.apiKey, deps),
    });
  }
  const host = config.host.toLowerCase();
  const steps = threatConnectSteps({ host, catalogue: loadAttackCatalogue() });
  return syncPlan({
    title: syncTitleOf(integration),
    integrationId: integration.id,
    steps,
    ...openThreatConnectClient(config, resolved.apiKey, deps),
  });
}
