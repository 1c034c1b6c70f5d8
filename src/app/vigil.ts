import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { type AttackCatalogue, bundledCataloguePath, loadAttackCatalogue } from '../attack/catalogue.ts';
import type { StoredEntity } from '../graph/types.ts';
import { IntegrationRegistry } from '../integrations/registry.ts';
import { secretCipher } from '../integrations/secrets.ts';
import { createLogger } from '../log.ts';
import type { QueryOptions, QueryResult } from '../query/result.ts';
import { agentsService } from './agents.ts';
import {
  type AlertDetail,
  type AlertFilter,
  listThreatStackAlerts,
  showThreatStackAlert,
  WebhookService,
} from './alerts.ts';
import { CampaignService } from './campaigns.ts';
import type { AppContext } from './context.ts';
import { CoverageService } from './coverage.ts';
import { ExportService } from './exports.ts';
import { type GraphService, graphServiceOf, openStoreOf } from './graph.ts';
import { IntegrationsService } from './integrations.ts';
import { type JobServices, jobServicesOf } from './jobs.ts';
import { MonitorService } from './monitors.ts';
import { queryParser } from './query-parser.ts';
import { createReadingService, type ReadingService } from './query-reading.ts';
import { type RulesService, wireRules } from './rules.ts';
import { describeRun, listRunHistory } from './runs.ts';
import type { VigilSettings } from './settings.ts';
import { SyncService } from './sync.ts';
import { ApiTokenService } from './tokens.ts';
import { ValidationService, type ValidationServiceDeps } from './validation.ts';

/**
 * The ATT&CK catalogue of these settings: the imported one when present, else the bundled one.
 * Needs no database.
 */
export function attackCatalogueOf(settings: VigilSettings): AttackCatalogue {
  const path = existsSync(settings.attackCatalogueFile) ? settings.attackCatalogueFile : bundledCataloguePath;
  return loadAttackCatalogue({ path });
}

/**
 * An open Vigil: the services every surface (the CLI, the HTTP API, the job runtime) calls. Query,
 * rules and validation services join these as they are built.
 */
export interface Vigil {
  readonly settings: VigilSettings;
  readonly integrations: IntegrationsService;
  readonly sync: SyncService;
  /** What `vigil serve` / `vigil worker` hand the job runtime. */
  readonly jobs: JobServices;
  readonly runs: {
    list(options: { integration?: string | undefined; limit: number }): ReturnType<typeof listRunHistory>;
    show(runId: string): ReturnType<typeof describeRun>;
  };
  readonly graph: GraphService;
  /** Threat Stack alerts in the graph (synced and webhook-received). */
  readonly alerts: {
    list(filter: AlertFilter): Promise<StoredEntity[]>;
    show(alertId: string): Promise<AlertDetail>;
  };
  /** Threat Stack webhooks: URLs and secrets, intake, verification. */
  readonly webhooks: WebhookService;
  readonly exports: ExportService;
  /** Threat Stack agents exported from the live API of a registered integration (`vigil agents export`). */
  readonly agents: ReturnType<typeof agentsService>;
  /** J1QL over the graph (C10): parsed here (QUERY_INVALID with line, column and caret), run as one SQL statement. */
  readonly query: { run(text: string, options?: QueryOptions): Promise<QueryResult> };
  /** The reading shortcuts (agents, CVEs, alerts, hosts of a CVE, actors of a technique) over `query`. */
  readonly reading: ReadingService;
  /** Alert rules and their alerts (C11); `run` evaluates one now through the query engine. */
  readonly rules: RulesService;
  /** API tokens of the HTTP API (`vigil tokens`). */
  readonly tokens: ApiTokenService;
  /** Detection validations (C14): actions, polls, verdicts. */
  readonly validations: ValidationService;
  /** Monitors that catch drift (issue 14): runs as validations, drift alerts through their actions. */
  readonly monitors: MonitorService;
  /** Threat-informed coverage: actors, techniques × latest verdicts, the matrix, exports, plans. */
  readonly coverage: CoverageService;
  /** Actor campaigns: an actor's techniques as an action plan, run as validations of ≤ 100 actions. */
  readonly campaigns: CampaignService;
  close(): Promise<void>;
}

/** What tests inject: the clock of registry timestamps and purges, and ids of new integrations. */
export interface VigilDeps {
  now?: () => Date;
  newId?: () => string;
  /** The log of rule actions and webhook troubles (default: JSON on stderr, made on first use). */
  logger?: Logger;
  /** The Threat Stack clients' clock and retries in validation polls. */
  validationClient?: ValidationServiceDeps['client'];
}

/**
 * Opens Vigil over its settings: the store (migrated), the registry over it with the secret key of
 * the settings, and the services. The caller closes it.
 */
export async function openVigil(settings: VigilSettings, deps: VigilDeps = {}): Promise<Vigil> {
  const store = await openStoreOf(settings);
  const now = deps.now ?? (() => new Date());
  // The database's record of its key: a moved database never gets a second key (issue 9 item 13).
  const expectedKey = await store.secretKeyState().catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const cipher = secretCipher(settings.secretKeyFile, settings.env, expectedKey);
  const registry = new IntegrationRegistry(store, cipher, {
    now,
    ...(deps.newId ? { newId: deps.newId } : {}),
  });
  const ctx: AppContext = {
    settings,
    store,
    registry,
    stepDeps: { attackCatalogue: () => attackCatalogueOf(settings) },
    now,
  };
  const sync = new SyncService(ctx);
  const query = {
    run: async (text: string, options?: QueryOptions) =>
      store.query((await queryParser()).parseQuery(text), options),
  };
  let logger = deps.logger;
  const { rules, ruleJobs } = wireRules({
    store,
    runQuery: (text) => query.run(text),
    checkQuery: async (text) => void (await queryParser()).parseQuery(text),
    now,
    newId: deps.newId ?? randomUUID,
    logger: () => {
      logger ??= createLogger();
      return logger;
    },
  });
  const validations = new ValidationService(ctx, {
    ...(deps.newId ? { newId: deps.newId } : {}),
    ...(deps.validationClient ? { client: deps.validationClient } : {}),
  });
  const coverage = new CoverageService(store, () => attackCatalogueOf(settings));
  const monitors = new MonitorService(ctx, {
    validations,
    newId: deps.newId ?? randomUUID,
    describeActor: (reference) => coverage.actor(reference),
    webhook: {
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      now,
      warn: (message, fields) => {
        logger ??= createLogger();
        logger.warn(fields, message);
      },
    },
    logger: () => {
      logger ??= createLogger();
      return logger;
    },
  });
  return {
    settings,
    integrations: new IntegrationsService(ctx, sync),
    sync,
    jobs: jobServicesOf(ctx, { sync, rules: ruleJobs, validations, monitors }),
    validations,
    monitors,
    runs: {
      list: (options) => listRunHistory(ctx, options),
      show: (runId) => describeRun(ctx, runId),
    },
    graph: graphServiceOf(store),
    alerts: {
      list: (filter) => listThreatStackAlerts(ctx, filter),
      show: (alertId) => showThreatStackAlert(ctx, alertId),
    },
    webhooks: new WebhookService(ctx, cipher),
    tokens: new ApiTokenService(store, { now }),
    query,
    reading: createReadingService({
      run: query.run,
      getAlertEvents: (key) => store.getAlertEvents(key),
      now,
    }),
    rules,
    agents: agentsService(ctx),
    exports: new ExportService(coverage),
    coverage,
    campaigns: new CampaignService(coverage, validations),
    close: () => store.close(),
  };
}

/** Opens Vigil, runs `work` with it, and closes it whatever happens. */
export async function withVigil<T>(settings: VigilSettings, work: (vigil: Vigil) => Promise<T>): Promise<T> {
  const vigil = await openVigil(settings);
  try {
    return await work(vigil);
  } finally {
    await vigil.close();
  }
}
