import pg from 'pg';
import type { Logger } from 'pino';
import type { WebhookIntakePort } from '../alerts/intake.ts';
import type { ClientDeps } from '../connectors/descriptor.ts';
import type { SyncJobDeps } from '../jobs/kinds/sync.ts';
import { webhookVerifyJobKind, webhookVerifyRequests } from '../jobs/kinds/webhook-verify.ts';
import type { JobRuntime } from '../jobs/runtime.ts';
import { type QueueChoice, startJobRuntime } from '../jobs/start.ts';
import { buildServer } from '../server/app.ts';
import { type ListenOptions, startServer } from '../server/listen.ts';
import { createVigilMetrics, type VigilMetrics } from '../server/metrics.ts';
import type { RateLimitSettings, ServerDeps } from '../server/ports.ts';
import type { RoutePlugin } from '../server/route-module.ts';
import { coverageRoutes } from '../server/routes/coverage.ts';
import { alertRoutes, entityRoutes } from '../server/routes/graph.ts';
import { integrationRoutes } from '../server/routes/integrations.ts';
import { monitorRoutes } from '../server/routes/monitors.ts';
import { queryRoutes } from '../server/routes/query.ts';
import { ruleRoutes } from '../server/routes/rules.ts';
import { runRoutes } from '../server/routes/runs.ts';
import { validationRoutes } from '../server/routes/validations.ts';
import { syncOutcomeOf } from './jobs.ts';
import type { Vigil } from './vigil.ts';

/** How `vigil serve` runs: where it listens, its job queue and runtime settings. */
export interface ServiceOptions {
  listen: ListenOptions;
  queue: QueueChoice;
  logger: Logger;
  /** How often due jobs are planned (ms). */
  tickMs: number;
  concurrency: number;
  leaseSeconds: number;
  /** Milliseconds since the epoch (jobs, rate limit); injected in tests. */
  now?: () => number;
  /** The vendor clients' clock, sleep and retries when verifying webhook alerts (tests: the simulator's clock). */
  vendorClient?: Omit<ClientDeps, 'logger'>;
  rateLimit?: RateLimitSettings;
}

/** A running service: the HTTP API on `url` and the job runtime, until `stop()`. */
export interface RunningService {
  url: string;
  runtime: JobRuntime;
  metrics: VigilMetrics;
  /** Stops accepting requests, stores the queued webhook deliveries, then stops the job runtime (running jobs finish). The caller closes the Vigil. */
  stop(): Promise<void>;
}

/** The resource routes of `/api/v1` over the application services. */
export function resourceRoutes(vigil: Vigil): RoutePlugin[] {
  return [
    integrationRoutes({
      list: () => vigil.integrations.list(),
      show: (reference) => vigil.integrations.show(reference),
      add: (request, options) => vigil.integrations.add(request, options),
      update: (reference, changes) => vigil.integrations.update(reference, changes),
      remove: (reference, options) => vigil.integrations.remove(reference, options),
      test: (reference) => vigil.integrations.test(reference),
      sync: (reference) => vigil.integrations.sync(reference),
    }),
    runRoutes(vigil.runs),
    entityRoutes(vigil.graph),
    alertRoutes(vigil.alerts),
    ruleRoutes(vigil.rules),
    queryRoutes(vigil.query),
    monitorRoutes(vigil.monitors),
    validationRoutes(vigil.validations),
    coverageRoutes(vigil.coverage),
  ];
}

/** The sync job's services, with every finished run counted in the metrics (runs, durations, vendor requests). */
function meteredSync(vigil: Vigil, metrics: VigilMetrics): SyncJobDeps {
  return {
    ...vigil.jobs.sync,
    async runSync(integration, { signal, logger }) {
      const { report } = await vigil.sync.runIntegration(integration.id, { signal, logger });
      const labels = { integration: integration.name, status: report.status };
      metrics.syncRuns.inc(labels);
      metrics.syncDuration.observe(labels, report.durationMs / 1000);
      const vendor = { integration: integration.name };
      metrics.vendorRequests.inc(vendor, report.requests.requests ?? 0);
      metrics.vendorRetries.inc(vendor, report.requests.retries ?? 0);
      metrics.vendorRateLimited.inc(vendor, report.requests.rateLimited ?? 0);
      return syncOutcomeOf(report);
    },
  };
}

/** The HTTP route's parsed alerts handed to the intake in the vendor's own field names (spec §5). */
export function webhookPort(intake: WebhookIntakePort): ServerDeps['webhooks'] {
  return {
    verifySecret: (integrationId, secret) => intake.verifySecret(integrationId, secret),
    accept: (integrationId, alerts) =>
      intake.accept(
        integrationId,
        alerts.map((alert) => ({
          id: alert.id,
          title: alert.title,
          created_at: Date.parse(alert.createdAt),
          severity: alert.severity,
          organization_id: alert.organizationId,
          organization_Name: alert.organizationName,
          server_or_region: alert.serverOrRegion,
          source: alert.source,
        })),
      ),
  };
}

/**
 * How many jobs wait (the `vigil_job_queue_depth` gauge, and the readiness check of the job queue):
 * the in-process ledger's unfinished jobs, or pg-boss's created and retrying jobs, read over one
 * connection of its own.
 */
function queueDepthOf(queue: QueueChoice, vigil: Vigil): { read(): Promise<number>; close(): Promise<void> } {
  if (queue.kind === 'in-process') {
    return { read: async () => (await vigil.jobs.ledger.unfinished()).length, close: async () => {} };
  }
  const pool = new pg.Pool({ connectionString: queue.url, max: 1 });
  const table = `"${queue.schema}".job`;
  return {
    async read() {
      const result = await pool.query<{ waiting: string }>(
        `SELECT count(*) AS waiting FROM ${table} WHERE state IN ('created', 'retry')`,
      );
      return Number(result.rows[0]?.waiting ?? 0);
    },
    close: () => pool.end(),
  };
}

/**
 * Starts the service of an open Vigil (`vigil serve`): the job runtime (periodic syncs, and the
 * verification of the webhook-received alerts, a `webhook-verify` job per intake batch and
 * integration), then the HTTP API over the application services, listening as `options.listen`
 * says; on SQLite, WAL checkpoints run off the event loop. Several services on one PostgreSQL
 * database share the pg-boss queue, so any of them may verify an alert another received.
 */
export async function startService(vigil: Vigil, options: ServiceOptions): Promise<RunningService> {
  const now = options.now ?? Date.now;
  vigil.graph.checkpointInBackground();
  const depth = queueDepthOf(options.queue, vigil);
  const metrics = createVigilMetrics(depth.read);
  const verifyKind = webhookVerifyJobKind({
    verify: (integrationId, alertIds, { signal }) =>
      vigil.webhooks.verify(integrationId, alertIds, {
        signal,
        clientDeps: { ...options.vendorClient, logger: options.logger },
      }),
  });
  const runtime = await startJobRuntime({
    queue: options.queue,
    sync: meteredSync(vigil, metrics),
    rules: vigil.jobs.rules,
    validation: vigil.jobs.validation,
    monitors: vigil.jobs.monitors,
    webhookVerify: verifyKind,
    logger: options.logger,
    tickMs: options.tickMs,
    concurrency: options.concurrency,
    leaseSeconds: options.leaseSeconds,
    now,
  }).catch(async (error: unknown) => {
    await depth.close();
    throw error;
  });
  let running = true;
  // One bulk job insert per batch of deliveries, in the batch's transaction when the queue keeps
  // its jobs in the store's database (see `webhookIntake`): the ledger is the store's, or pg-boss
  // has the store's URL (as `vigil serve` sets both).
  const sharesStore =
    options.queue.kind === 'in-process'
      ? options.queue.ledger === vigil.jobs.ledger
      : options.queue.url === vigil.settings.database;
  const intake = vigil.webhooks.intake((alerts, tx) =>
    runtime.enqueueMany(verifyKind, webhookVerifyRequests(alerts), sharesStore ? tx : undefined),
  );
  try {
    const deps: ServerDeps = {
      tokens: vigil.tokens,
      health: {
        checkDatabase: () => vigil.graph.ping(),
        checkJobs: async () => {
          if (!running) throw new Error('the job runtime is stopped');
          await depth.read();
        },
      },
      webhooks: webhookPort(intake),
      metrics,
      logger: options.logger,
      now,
      resources: resourceRoutes(vigil),
      ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    };
    const server = await startServer(await buildServer(deps), options.listen);
    return {
      url: server.url,
      runtime,
      metrics,
      async stop() {
        await server.close();
        await intake.close();
        running = false;
        await runtime.stop();
        await depth.close();
      },
    };
  } catch (error) {
    running = false;
    await intake.close();
    await runtime.stop();
    await depth.close();
    throw error;
  }
}
