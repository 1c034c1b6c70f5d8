import { connectorOf } from '../connectors/index.ts';
import { VigilError } from '../errors.ts';
import { type IntegrationConfig, validateConfig } from '../integrations/config.ts';
import {
  type ConnectivityDeps,
  type ConnectivityResult,
  testConnectivity,
} from '../integrations/connectivity.ts';
import {
  checkIntegrationName,
  type IntegrationFields,
  type IntegrationView,
  toIntegrationView,
} from '../integrations/registry.ts';
import type { RunRecord, TypeChanges } from '../store/types.ts';
import type { AppContext } from './context.ts';
import { accountOf, accountOwnedError, ownerOfAccount } from './ownership.ts';
import { purgeIntegrationRows } from './purge.ts';
import type { SyncOptions, SyncService, TitledSyncReport } from './sync.ts';

/** A run as lists show it. */
export interface RunBrief {
  id: string;
  status: RunRecord['status'];
  startedAt: string;
  finishedAt: string | null;
}

/** An integration as every surface shows it (secrets masked), with its last sync. */
export interface IntegrationDetail extends IntegrationView {
  lastRun: RunBrief | null;
}

export interface AddIntegrationRequest {
  kind: string;
  name: string;
  /** Config fields by their config names; absent ones take the connector's defaults. */
  fields: IntegrationFields;
  /** Undefined when none was given: CONFIG_INVALID, nothing stored. */
  apiKey: string | undefined;
  /** Transfer the account (and its graph rows) from the integration that syncs it now. */
  takeOver?: boolean;
}

export interface AddIntegrationOptions {
  /** The first sync starts at once unless this is false. */
  firstSync?: false | SyncOptions;
  /** Called once the integration is stored, before its first sync starts. */
  onAdded?(integration: IntegrationView): void;
}

export interface AddedIntegration {
  integration: IntegrationView;
  /** The integration whose account (and rows) it took over, if any. */
  tookOverFrom: string | null;
  sync: TitledSyncReport | null;
}

export interface RemovedIntegration {
  removed: IntegrationView;
  /** With `purge`: the rows deleted per type; otherwise null (the rows stay). */
  purged: TypeChanges[] | null;
}

const briefOf = (run: RunRecord | undefined): RunBrief | null =>
  run === undefined
    ? null
    : { id: run.id, status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt };

/**
 * The integrations service (C1, C2): add (whose first sync starts at once), list, show, update,
 * remove, test and sync, with one owner per vendor account.
 */
export class IntegrationsService {
  constructor(
    private readonly ctx: AppContext,
    private readonly syncs: SyncService,
  ) {}

  /**
   * Adds an integration and, unless `firstSync` is false, runs its first sync. CONFIG_INVALID
   * without an API key; ACCOUNT_OWNED when another integration syncs the same account, unless
   * `takeOver` (this one then takes the owner's id, so the rows change owner without moving). The
   * rows of an account whose integration was removed are taken on without asking.
   */
  async add(request: AddIntegrationRequest, options: AddIntegrationOptions = {}): Promise<AddedIntegration> {
    const { registry, store } = this.ctx;
    const connector = connectorOf(request.kind);
    if (request.apiKey === undefined) {
      const [secret] = connector.secretFields;
      throw new VigilError(
        'CONFIG_INVALID',
        `No API key was given for ${request.name}; nothing was stored.`,
        {
          hint: `Use --api-key-file PATH or --api-key-stdin, set ${secret?.envVariable ?? 'the vendor variable'}, or run on a terminal to be asked.`,
        },
      );
    }
    checkIntegrationName(request.name);
    const config = validateConfig({ ...request.fields, kind: request.kind });
    const account = accountOf(config);
    const owner = await ownerOfAccount(registry, store, account);
    if (owner.kind === 'integration' && request.takeOver !== true) {
      throw accountOwnedError(account, owner.integration, `adding ${request.name}`);
    }
    if (owner.kind === 'integration') await registry.remove(owner.integration.id);
    const added = await registry.add({
      name: request.name,
      kind: request.kind,
      fields: request.fields,
      apiKey: request.apiKey,
      ...(owner.kind === 'integration' ? { id: owner.integration.id } : {}),
      ...(owner.kind === 'orphan' ? { id: owner.integrationId } : {}),
    });
    const integration = toIntegrationView(added);
    options.onAdded?.(integration);
    const sync =
      options.firstSync === false ? null : await this.syncs.runIntegration(added.id, options.firstSync);
    return { integration, tookOverFrom: owner.kind === 'integration' ? owner.integration.name : null, sync };
  }

  /** Every integration, by name, masked, with its last sync. */
  async list(): Promise<IntegrationDetail[]> {
    const integrations = await this.ctx.registry.list();
    return Promise.all(integrations.map(async (integration) => this.detail(toIntegrationView(integration))));
  }

  /** One integration by name or id, masked, with its last sync; NOT_FOUND otherwise. */
  async show(reference: string): Promise<IntegrationDetail> {
    return this.detail(toIntegrationView(await this.ctx.registry.get(reference)));
  }

  /**
   * Changes settings and/or the API key; the merged configuration is validated as a whole first
   * and nothing changes when it is rejected. INPUT_INVALID when nothing is given or the
   * integration takes its settings from the environment; ACCOUNT_OWNED when the change points it
   * at an account another integration syncs.
   */
  async update(
    reference: string,
    changes: { fields: IntegrationFields; apiKey?: string | undefined },
  ): Promise<IntegrationDetail> {
    const { registry, store } = this.ctx;
    const existing = await registry.get(reference);
    if (existing.source === 'environment') {
      throw new VigilError(
        'INPUT_INVALID',
        `${existing.name} takes its settings from the ${existing.kind} environment variables on each \`vigil sync ${existing.kind}\`; it cannot be updated.`,
        {
          hint: `Change the variables, or add a registered integration with \`vigil integrations add ${existing.kind} --take-over\`.`,
        },
      );
    }
    if (Object.keys(changes.fields).length === 0 && changes.apiKey === undefined) {
      throw new VigilError('INPUT_INVALID', `Nothing to update for ${existing.name}.`, {
        hint: 'Give the settings to change (see `vigil help integrations update`) or a new API key.',
      });
    }
    const merged: IntegrationConfig = validateConfig({
      ...existing.config,
      ...changes.fields,
      kind: existing.kind,
    });
    const account = accountOf(merged);
    if (account.id !== accountOf(existing.config).id) {
      const owner = await ownerOfAccount(registry, store, account, existing.id);
      if (owner.kind === 'integration')
        throw accountOwnedError(account, owner.integration, `updating ${existing.name}`);
    }
    const updated = await registry.update(existing.id, {
      fields: changes.fields,
      ...(changes.apiKey === undefined ? {} : { apiKey: changes.apiKey }),
    });
    return this.detail(toIntegrationView(updated));
  }

  /** Removes an integration and its secrets; with `purge`, the graph rows it owned too (recorded as a run). */
  async remove(reference: string, options: { purge?: boolean } = {}): Promise<RemovedIntegration> {
    const { registry, store } = this.ctx;
    const integration = await registry.get(reference);
    const purged =
      options.purge === true ? await purgeIntegrationRows(store, integration.id, this.ctx.now) : null;
    const removed = await registry.remove(integration.id);
    return { removed: toIntegrationView(removed), purged };
  }

  /** The layered connectivity test (C2) of an integration; an environment integration's key comes from the environment. */
  async test(reference: string, deps: ConnectivityDeps = {}): Promise<ConnectivityResult> {
    const { integration, config, apiKey } = await this.ctx.registry.resolve(reference);
    const [secret] = connectorOf(integration.kind).secretFields;
    const key =
      integration.source === 'environment' && secret !== undefined
        ? (this.ctx.settings.env[secret.envVariable] ?? null)
        : apiKey;
    return testConnectivity({ config, apiKey: key }, deps);
  }

  /** Syncs an integration now (as `vigil.sync.runIntegration`). */
  sync(reference: string, options: SyncOptions = {}): Promise<TitledSyncReport> {
    return this.syncs.runIntegration(reference, options);
  }

  private async detail(view: IntegrationView): Promise<IntegrationDetail> {
    return { ...view, lastRun: briefOf((await this.ctx.store.listRuns(view.id, 1))[0]) };
  }
}
