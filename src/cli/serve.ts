import type { Command } from '@commander-js/extra-typings';
import type { Logger } from 'pino';
import { parseSettings } from '../app/settings.ts';
import { toVigilError, VigilError } from '../errors.ts';
import { parseDuration } from '../integrations/config.ts';
import {
  defaultQueueSchema,
  enqueueDueSyncs,
  handleSyncJob,
  type SyncJobDeps,
  SyncQueue,
} from '../integrations/jobs.ts';
import { IntegrationRegistry } from '../integrations/registry.ts';
import { EmbeddedScheduler, type SchedulerEvents, startTicker } from '../integrations/scheduler.ts';
import { secretCipherFor } from '../integrations/secrets.ts';
import { syncIntegration } from '../integrations/sync.ts';
import { createLogger } from '../log.ts';
import { isPostgresLocation, openStore } from '../store/index.ts';
import { isValidSchemaName } from '../store/postgres-driver.ts';
import type { GraphStore } from '../store/types.ts';
import { numberFlag } from './simulate.ts';

/** What `serve` and `worker` share: the store, the registry over it, the log, the sync. */
interface Runtime {
  location: string;
  store: GraphStore;
  logger: Logger;
  deps: SyncJobDeps;
}

interface StoreFlags {
  db?: string | undefined;
  schema?: string | undefined;
}

/** `--db`, else VIGIL_DB, else vigil.db in the Vigil home (the settings of every command). */
function storeLocationOf(flags: StoreFlags): string {
  return parseSettings({ db: flags.db }).database;
}

/** A PostgreSQL schema name from a flag or the environment, checked; undefined when neither is set. */
function schemaFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isValidSchemaName(value)) {
    throw new VigilError(
      'INPUT_INVALID',
      `${flag} must be a schema name (letters, digits, _), not '${value}'.`,
    );
  }
  return value;
}

/** Opens the store and the registry, and the sync functions the schedulers call. */
async function openRuntime(flags: StoreFlags): Promise<Runtime> {
  const location = storeLocationOf(flags);
  const schema = schemaFlag('--schema', flags.schema ?? process.env.VIGIL_PG_SCHEMA);
  const store = await openStore(location, schema === undefined ? {} : { schema });
  const registry = new IntegrationRegistry(store, secretCipherFor(location));
  const logger = createLogger(process.env.VIGIL_LOG_LEVEL ?? 'info');
  const deps: SyncJobDeps = {
    listIntegrations: () => registry.list(),
    findIntegration: (id) => registry.find(id),
    latestRun: async (id) => (await store.listRuns(id, 1))[0],
    async runSync(integration) {
      const report = await syncIntegration(store, registry, integration.id, {
        logger: logger.child({ integration: integration.name }),
      });
      return { runId: report.runId, status: report.status, durationMs: report.durationMs };
    },
    now: Date.now,
    events: syncLogEvents(logger),
  };
  return { location, store, logger, deps };
}

/** One log line on stderr when a sync starts and one when it ends. */
function syncLogEvents(logger: Logger): SchedulerEvents {
  const of = (i: { id: string; name: string; kind: string }) => ({
    integration: i.name,
    integrationId: i.id,
    kind: i.kind,
  });
  return {
    syncStarted: (i, due) => logger.info({ ...of(i), reason: due.reason }, 'sync started'),
    syncFinished: (i, outcome) => logger.info({ ...of(i), ...outcome }, 'sync finished'),
    syncFailed: (i, error) => logger.error({ ...of(i), code: error.code, err: error.message }, 'sync failed'),
    tickFailed: (error) => logger.error({ code: error.code, err: error.message }, 'scheduler tick failed'),
  };
}

/**
 * Resolves on the first SIGINT or SIGTERM; a second one exits at once (syncs still running stay
 * `running` in the store and become `aborted` when the integration next syncs: the engine deletes
 * nothing before a run's steps end).
 */
function firstStopSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        logger.warn({ signal }, 'second stop signal: exiting without waiting for running syncs');
        process.exit(130);
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

const sharedFlags = {
  db: ['--db <path|url>', 'database file or postgres:// URL (default: VIGIL_DB, else ./vigil.db)'],
  schema: [
    '--schema <name>',
    'PostgreSQL schema of the store (default: VIGIL_PG_SCHEMA, else the search path)',
  ],
  tick: ['--tick <seconds>', 'how often due syncs are looked for', '5'],
  concurrency: ['--concurrency <n>', 'syncs of different integrations run at once by this process', '2'],
} as const;

function tickAndConcurrency(flags: { tick: string; concurrency: string }) {
  return {
    tickMs: numberFlag('--tick', flags.tick, { min: 1, max: 3600 }) * 1000,
    concurrency: numberFlag('--concurrency', flags.concurrency, { min: 1, max: 32 }),
  };
}

/** `vigil serve`: the embedded scheduler, in this process, until SIGINT or SIGTERM. */
async function serve(flags: StoreFlags & { tick: string; concurrency: string }): Promise<void> {
  const { tickMs, concurrency } = tickAndConcurrency(flags);
  const runtime = await openRuntime(flags);
  const { logger, deps } = runtime;
  const scheduler = new EmbeddedScheduler({ ...deps, maxConcurrent: concurrency });
  const stopped = firstStopSignal(logger);
  scheduler.start(tickMs);
  logger.info(
    { tickSeconds: tickMs / 1000, concurrency, dialect: runtime.store.dialect },
    'scheduler started',
  );
  const signal = await stopped;
  logger.info(
    { signal, running: scheduler.runningIds.length },
    'stopping: waiting for running syncs to finish',
  );
  await scheduler.stop();
  await runtime.store.close();
  logger.info('scheduler stopped');
}

type WorkerFlags = StoreFlags & { queueSchema?: string; jobLease: string; tick: string; concurrency: string };

/** Workers share a queue in PostgreSQL: CONFIG_INVALID for a SQLite store, before anything opens. */
function requirePostgres(location: string): void {
  if (isPostgresLocation(location)) return;
  throw new VigilError(
    'CONFIG_INVALID',
    `vigil worker needs PostgreSQL, but the store is the SQLite file ${location}.`,
    {
      hint: 'Workers share a job queue in PostgreSQL: pass --db postgres://… (or set VIGIL_DB); on SQLite run `vigil serve`.',
    },
  );
}

/** `--queue-schema`, else VIGIL_QUEUE_SCHEMA, else `<store schema>_queue`, else `vigil_queue`. */
function queueSchemaOf(flags: WorkerFlags): string {
  const storeSchema = schemaFlag('--schema', flags.schema ?? process.env.VIGIL_PG_SCHEMA);
  return (
    schemaFlag('--queue-schema', flags.queueSchema ?? process.env.VIGIL_QUEUE_SCHEMA) ??
    (storeSchema === undefined ? defaultQueueSchema : `${storeSchema}_queue`)
  );
}

/**
 * Works jobs off the queue; a job whose lease is about to end while its sync still runs stops
 * the process (fail-stop), because pg-boss will hand the job to another worker at the lease's end.
 */
function workJobs(queue: SyncQueue, runtime: Runtime, concurrency: number): void {
  const { logger, deps } = runtime;
  queue.work(
    concurrency,
    async (job) => {
      const result = await handleSyncJob(job, deps);
      if (result.result === 'skipped')
        logger.debug({ ...job.data, reason: result.reason }, 'sync job skipped');
      return result;
    },
    (job) => {
      logger.fatal(
        { integrationId: job.data.integrationId, leaseSeconds: job.leaseSeconds },
        'a sync outlived its job lease: exiting so that its retry on another worker cannot overlap it (raise --job-lease)',
      );
      process.exit(1);
    },
  );
}

/** Sends the due syncs to the queue on every tick; a failed tick is logged and the next one tries again. */
function planDueSyncs(queue: SyncQueue, runtime: Runtime, leaseSeconds: number, tickMs: number) {
  const plan = () =>
    enqueueDueSyncs(queue, runtime.deps, leaseSeconds).catch((error: unknown) => {
      const coded = toVigilError(error);
      runtime.logger.error({ code: coded.code, err: coded.message }, 'planning due syncs failed');
    });
  return startTicker(plan, tickMs);
}

/**
 * `vigil worker`: plans due syncs into the shared PostgreSQL queue and works jobs off it, until
 * SIGINT or SIGTERM (it then takes no more jobs and lets those in hand finish).
 */
async function worker(flags: WorkerFlags): Promise<void> {
  const location = storeLocationOf(flags);
  requirePostgres(location);
  const { tickMs, concurrency } = tickAndConcurrency(flags);
  const leaseSeconds = parseDuration('--job-lease', flags.jobLease);
  const queueSchema = queueSchemaOf(flags);
  const runtime = await openRuntime(flags);
  const { logger } = runtime;
  let queue: SyncQueue;
  try {
    queue = await SyncQueue.open({
      url: location,
      schema: queueSchema,
      leaseSeconds,
      maxConnections: concurrency + 2,
      onError: (error) => logger.error({ err: error.message }, 'job queue error'),
    });
  } catch (error) {
    await runtime.store.close();
    throw error;
  }
  const stopped = firstStopSignal(logger);
  workJobs(queue, runtime, concurrency);
  const planner = planDueSyncs(queue, runtime, leaseSeconds, tickMs);
  logger.info({ queueSchema, leaseSeconds, concurrency, tickSeconds: tickMs / 1000 }, 'worker started');
  const signal = await stopped;
  logger.info({ signal }, 'stopping: taking no more jobs, waiting for running syncs to finish');
  await planner.stop();
  await queue.stop();
  await runtime.store.close();
  logger.info('worker stopped');
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'Run due syncs on schedule in this process (each integration every --sync-interval), until Ctrl-C',
    )
    .option(...sharedFlags.db)
    .option(...sharedFlags.schema)
    .option(...sharedFlags.tick)
    .option(...sharedFlags.concurrency)
    .action(serve);
  program
    .command('worker')
    .description('Run due syncs from the job queue shared by every worker on PostgreSQL, until Ctrl-C')
    .option(...sharedFlags.db)
    .option(...sharedFlags.schema)
    .option(
      '--queue-schema <name>',
      'schema of the job queue (default: VIGIL_QUEUE_SCHEMA, else <schema>_queue or vigil_queue)',
    )
    .option('--job-lease <duration>', 'how long a worker holds a sync job before another may retry it', '1h')
    .option(...sharedFlags.tick)
    .option(...sharedFlags.concurrency)
    .action(worker);
}
