import { type ClientDeps, syncTitle } from '../connectors/descriptor.ts';
import { connectorOf } from '../connectors/index.ts';
import { VigilError } from '../errors.ts';
import type { Integration, IntegrationConfig } from '../integrations/config.ts';
import { type IntegrationView, toIntegrationView } from '../integrations/registry.ts';
import { integrationSyncPlan } from '../integrations/sync.ts';
import { runSyncPlan, type SyncReport, type SyncRunOptions } from '../integrations/sync-plan.ts';
import type { AppContext } from './context.ts';
import { accountOf, accountOwnedError, ownerOfAccount } from './ownership.ts';

/** How one sync runs: progress, logs, and (tests, the job runtime) the client's clock and retries. */
export interface SyncOptions extends SyncRunOptions {
  client?: Omit<ClientDeps, 'logger'>;
}

/** A sync's report with the title people read (`Threat Stack sync of ts-prod`). */
export interface TitledSyncReport {
  title: string;
  report: SyncReport;
}

/** An environment sync: the implicit integration it ran as, and its report. */
export interface EnvironmentSync extends TitledSyncReport {
  integration: IntegrationView;
}

/** The name of an account's implicit integration: `threatstack-<orgId>`, `threatconnect-<host>`. */
export function environmentIntegrationName(accountId: string): string {
  return accountId.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
}

/** The API key of an environment integration, read from its vendor's variable (CONFIG_INVALID when unset). */
export function apiKeyFromEnv(ctx: AppContext, integration: Integration): string {
  const [secret] = connectorOf(integration.kind).secretFields;
  const value = secret === undefined ? undefined : ctx.settings.env[secret.envVariable];
  if (value === undefined || value.trim() === '') {
    throw new VigilError(
      'CONFIG_INVALID',
      `The integration ${integration.name} takes its API key from ${secret?.envVariable ?? 'the environment'}, which is not set.`,
      {
        hint: `Set ${secret?.envVariable ?? 'it'}, or run \`vigil sync ${integration.kind}\` with the vendor's variables.`,
      },
    );
  }
  return value.trim();
}

/**
 * Syncs (the sync service): a registered integration by name or id, and the environment sync of
 * a vendor (`vigil sync threatstack`), which is an integration like any other — an implicit
 * registry entry for the account, named after it, whose configuration comes from the
 * environment each time and whose API key is never stored.
 */
export class SyncService {
  constructor(private readonly ctx: AppContext) {}

  /**
   * Syncs an integration now and records the run; the seam the job runtime calls. NOT_FOUND for
   * an unknown reference, CONFIG_INVALID when its key is missing; vendor failures end up in the
   * step results, not as a throw.
   */
  async runIntegration(reference: string, options: SyncOptions = {}): Promise<TitledSyncReport> {
    const resolved = await this.ctx.registry.resolve(reference);
    const { integration } = resolved;
    const apiKey =
      integration.source === 'environment' ? apiKeyFromEnv(this.ctx, integration) : resolved.apiKey;
    return this.run({ ...integration, config: resolved.config }, apiKey, options);
  }

  /**
   * Syncs the account the vendor's environment variables name (`overrides`: config fields from
   * flags), as the account's implicit integration: created on the first environment sync, its
   * configuration replaced from the environment each time. ACCOUNT_OWNED when a registered
   * integration syncs that account, unless `takeOver` (the implicit integration then takes its
   * id, so the rows stay and change owner).
   */
  async fromEnvironment(
    kind: string,
    request: { overrides?: Record<string, unknown>; takeOver?: boolean },
    options: SyncOptions = {},
  ): Promise<EnvironmentSync> {
    const { config, secrets } = connectorOf(kind).fromEnv(this.ctx.settings.env, request.overrides ?? {});
    const integration = await this.environmentIntegration(config, request.takeOver === true);
    const titled = await this.run({ ...integration, config }, secrets.apiKey, options);
    return { ...titled, integration: toIntegrationView(integration) };
  }

  private async environmentIntegration(config: IntegrationConfig, takeOver: boolean): Promise<Integration> {
    const { registry, store } = this.ctx;
    const account = accountOf(config);
    const owner = await ownerOfAccount(registry, store, account);
    const fields = { ...config };
    if (owner.kind === 'integration' && owner.integration.source === 'environment') {
      return registry.update(owner.integration.id, { fields });
    }
    if (owner.kind === 'integration' && !takeOver) {
      throw accountOwnedError(account, owner.integration, `vigil sync ${config.kind}`);
    }
    if (owner.kind === 'integration') await registry.remove(owner.integration.id);
    const id =
      owner.kind === 'integration'
        ? owner.integration.id
        : owner.kind === 'orphan'
          ? owner.integrationId
          : account.id;
    return registry.add({
      id,
      name: environmentIntegrationName(account.id),
      kind: config.kind,
      fields,
      apiKey: null,
      source: 'environment',
    });
  }

  private async run(
    integration: { id: string; name: string; config: IntegrationConfig },
    apiKey: string | null,
    options: SyncOptions,
  ): Promise<TitledSyncReport> {
    const { client, ...run } = options;
    run.signal?.throwIfAborted();
    const plan = integrationSyncPlan(
      { id: integration.id, name: integration.name, config: integration.config, apiKey },
      { ...client, ...(run.logger ? { logger: run.logger } : {}) },
      this.ctx.stepDeps,
    );
    run.observer?.clientCounters?.(() => plan.requests());
    const report = await runSyncPlan(this.ctx.store, plan, run);
    return { title: syncTitle(connectorOf(integration.config.kind), integration.name), report };
  }
}
