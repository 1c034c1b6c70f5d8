import type { Command } from '@commander-js/extra-typings';
import type { Logger } from 'pino';
import { parseSettings } from '../app/settings.ts';
import { openVigil } from '../app/vigil.ts';
import { VigilError } from '../errors.ts';
import { parseDuration } from '../integrations/config.ts';
import { defaultQueueSchema } from '../jobs/pg-boss.ts';
import { type QueueChoice, startJobRuntime } from '../jobs/start.ts';
import { createLogger } from '../log.ts';
import { isValidSchemaName } from '../store/postgres-driver.ts';
import { dbOption } from './app.ts';
import { numberFlag } from './simulate.ts';

interface StoreFlags {
  db?: string | undefined;
  schema?: string | undefined;
}

type JobFlags = StoreFlags & { queueSchema?: string; jobLease: string; tick: string; concurrency: string };

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
  schema: [
    '--schema <name>',
    'PostgreSQL schema of the store (default: VIGIL_PG_SCHEMA, else the search path)',
  ],
  queueSchema: [
    '--queue-schema <name>',
    'PostgreSQL schema of the job queue (default: VIGIL_QUEUE_SCHEMA, else <schema>_queue or vigil_queue)',
  ],
  jobLease: [
    '--job-lease <duration>',
    'how long a job holder may go without renewing its lease before the job is retried elsewhere',
    '1h',
  ],
  tick: ['--tick <seconds>', 'how often due syncs are looked for', '5'],
  concurrency: ['--concurrency <n>', 'syncs of different integrations run at once by this process', '2'],
} as const;

/** Workers share a queue in PostgreSQL: CONFIG_INVALID for a SQLite store, before anything opens. */
function requirePostgres(location: string): void {
  if (/^postgres(ql)?:\/\//i.test(location)) return;
  throw new VigilError(
    'CONFIG_INVALID',
    `vigil worker needs PostgreSQL, but the store is the SQLite file ${location}.`,
    {
      hint: 'Workers share a job queue in PostgreSQL: pass --db postgres://… (or set VIGIL_DB); on SQLite run `vigil serve`.',
    },
  );
}

/** `--queue-schema`, else VIGIL_QUEUE_SCHEMA, else `<store schema>_queue`, else `vigil_queue`. */
function queueSchemaOf(flags: JobFlags, storeSchema: string | undefined): string {
  return (
    schemaFlag('--queue-schema', flags.queueSchema ?? process.env.VIGIL_QUEUE_SCHEMA) ??
    (storeSchema === undefined ? defaultQueueSchema : `${storeSchema}_queue`)
  );
}

/**
 * Parses the flags, opens the store, starts the job runtime (pg-boss on PostgreSQL, in-process
 * on SQLite), and runs until SIGINT or SIGTERM; then plans no more, takes no more jobs, and lets
 * those running finish. The log lines name the command (`scheduler` for serve, `worker`).
 */
async function runJobs(flags: JobFlags, role: 'serve' | 'worker'): Promise<void> {
  const settings = parseSettings({ env: process.env, db: flags.db, schema: flags.schema });
  const location = settings.database;
  if (role === 'worker') requirePostgres(location);
  const tickMs = numberFlag('--tick', flags.tick, { min: 1, max: 3600 }) * 1000;
  const concurrency = numberFlag('--concurrency', flags.concurrency, { min: 1, max: 32 });
  const leaseSeconds = parseDuration('--job-lease', flags.jobLease);
  const queueSchema = queueSchemaOf(flags, settings.pgSchema);
  const logger = createLogger(process.env.VIGIL_LOG_LEVEL ?? 'info');
  const vigil = await openVigil(settings);
  const postgres = /^postgres(ql)?:\/\//i.test(location);
  // On SQLite the in-process queue keeps its one-off jobs in the store (they outlive a restart).
  const queue: QueueChoice = postgres
    ? { kind: 'pg-boss', url: location, schema: queueSchema }
    : { kind: 'in-process', ledger: vigil.jobs.ledger };
  const closeStore = () => vigil.close();
  const stopped = firstStopSignal(logger);
  let runtime: Awaited<ReturnType<typeof startJobRuntime>>;
  try {
    runtime = await startJobRuntime({
      queue,
      sync: vigil.jobs.sync,
      validation: vigil.jobs.validation,
      logger,
      tickMs,
      concurrency,
      leaseSeconds,
    });
  } catch (error) {
    await closeStore();
    throw error;
  }
  const name = role === 'serve' ? 'scheduler' : 'worker';
  logger.info(
    {
      queue: queue.kind,
      ...(queue.kind === 'pg-boss' ? { queueSchema } : {}),
      leaseSeconds,
      concurrency,
      tickSeconds: tickMs / 1000,
      store: postgres ? 'postgres' : 'sqlite',
    },
    `${name} started`,
  );
  const signal = await stopped;
  logger.info(
    { signal },
    role === 'serve'
      ? 'stopping: waiting for running syncs to finish'
      : 'stopping: taking no more jobs, waiting for running syncs to finish',
  );
  await runtime.stop();
  await closeStore();
  logger.info(`${name} stopped`);
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'Run due syncs on schedule (each integration every --sync-interval), until Ctrl-C: in this process on SQLite, through the shared job queue on PostgreSQL',
    )
    .option(...dbOption)
    .option(...sharedFlags.schema)
    .option(...sharedFlags.queueSchema)
    .option(...sharedFlags.jobLease)
    .option(...sharedFlags.tick)
    .option(...sharedFlags.concurrency)
    .action((flags) => runJobs(flags, 'serve'));
  program
    .command('worker')
    .description('Run due syncs from the job queue shared by every worker on PostgreSQL, until Ctrl-C')
    .option(...dbOption)
    .option(...sharedFlags.schema)
    .option(...sharedFlags.queueSchema)
    .option(...sharedFlags.jobLease)
    .option(...sharedFlags.tick)
    .option(...sharedFlags.concurrency)
    .action((flags) => runJobs(flags, 'worker'));
}
