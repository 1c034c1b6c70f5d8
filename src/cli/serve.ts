import type { Command } from '@commander-js/extra-typings';
import type { Logger } from 'pino';
import type { RunningService } from '../app/service.ts';
import { parseSettings, schemaNameOf } from '../app/settings.ts';
import type { Vigil } from '../app/vigil.ts';
import { VigilError } from '../errors.ts';
import { parseDuration } from '../integrations/config.ts';
import type { QueueChoice, startJobRuntime } from '../jobs/start.ts';
import { dbOption } from './app.ts';
import { cliLogger, logFormatOf, logLevelFlag } from './logging.ts';
import { numberFlag } from './simulate.ts';

interface StoreFlags {
  db?: string | undefined;
  schema?: string | undefined;
}

type JobFlags = StoreFlags & {
  queueSchema?: string;
  jobLease: string;
  tick: string;
  concurrency: string;
  logFormat?: string;
};

/** The service's log: readable lines on a terminal, JSON otherwise or with `--log-format json`. */
function serviceLogger(flags: JobFlags): Logger {
  return cliLogger({
    level: logLevelFlag(process.env.VIGIL_LOG_LEVEL ?? 'info'),
    format: logFormatOf(flags.logFormat),
  });
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
  logFormat: [
    '--log-format <format>',
    'pretty (local time, level, message, key fields) or json; default: pretty on a terminal, else json',
  ],
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
async function queueSchemaOf(flags: JobFlags, storeSchema: string | undefined): Promise<string> {
  const { defaultQueueSchema } = await import('../jobs/pg-boss.ts');
  return (
    schemaNameOf('--queue-schema', flags.queueSchema ?? process.env.VIGIL_QUEUE_SCHEMA) ??
    (storeSchema === undefined ? defaultQueueSchema : `${storeSchema}_queue`)
  );
}

interface JobSetup {
  settings: ReturnType<typeof parseSettings>;
  tickMs: number;
  concurrency: number;
  leaseSeconds: number;
  queueSchema: string;
  postgres: boolean;
}

/**
 * Parses the flags the job runtime shares between serve and worker. The runtime's modules (the
 * application, pg-boss, fastify) load when a command starts, never for `vigil --help`.
 */
async function jobSetup(flags: JobFlags, role: 'serve' | 'worker'): Promise<JobSetup> {
  const settings = parseSettings({ env: process.env, db: flags.db, schema: flags.schema });
  if (role === 'worker') requirePostgres(settings.database);
  return {
    settings,
    tickMs: numberFlag('--tick', flags.tick, { min: 1, max: 3600 }) * 1000,
    concurrency: numberFlag('--concurrency', flags.concurrency, { min: 1, max: 32 }),
    leaseSeconds: parseDuration('--job-lease', flags.jobLease),
    queueSchema: await queueSchemaOf(flags, settings.pgSchema),
    postgres: /^postgres(ql)?:\/\//i.test(settings.database),
  };
}

/** pg-boss on PostgreSQL; on SQLite the in-process queue keeps its one-off jobs in the store (they outlive a restart). */
function queueOf(setup: JobSetup, vigil: Vigil): QueueChoice {
  return setup.postgres
    ? { kind: 'pg-boss', url: setup.settings.database, schema: setup.queueSchema }
    : { kind: 'in-process', ledger: vigil.jobs.ledger };
}

/**
 * `vigil worker`: opens the store, starts the job runtime on the shared pg-boss queue, and runs
 * until SIGINT or SIGTERM; then takes no more jobs and lets those running finish.
 */
async function runWorker(flags: JobFlags): Promise<void> {
  const setup = await jobSetup(flags, 'worker');
  const logger = serviceLogger(flags);
  const [{ openVigil }, { startJobRuntime }] = await Promise.all([
    import('../app/vigil.ts'),
    import('../jobs/start.ts'),
  ]);
  const vigil = await openVigil(setup.settings);
  const stopped = firstStopSignal(logger);
  let runtime: Awaited<ReturnType<typeof startJobRuntime>>;
  try {
    runtime = await startJobRuntime({
      queue: queueOf(setup, vigil),
      sync: vigil.jobs.sync,
      rules: vigil.jobs.rules,
      validation: vigil.jobs.validation,
      monitors: vigil.jobs.monitors,
      logger,
      tickMs: setup.tickMs,
      concurrency: setup.concurrency,
      leaseSeconds: setup.leaseSeconds,
    });
  } catch (error) {
    await vigil.close();
    throw error;
  }
  logger.info(
    {
      queue: 'pg-boss',
      queueSchema: setup.queueSchema,
      leaseSeconds: setup.leaseSeconds,
      concurrency: setup.concurrency,
      tickSeconds: setup.tickMs / 1000,
      store: 'postgres',
    },
    'worker started',
  );
  const signal = await stopped;
  logger.info({ signal }, 'stopping: taking no more jobs, waiting for running syncs to finish');
  await runtime.stop();
  await vigil.close();
  logger.info('worker stopped');
}

type ServeFlags = JobFlags & {
  host: string;
  port: string;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  publicUrl?: string;
  json?: boolean;
};

/**
 * `vigil serve`: the HTTP API and the job runtime in one process (`startService`). Prints its URL
 * on stdout once listening (`{"url":…}` with --json) and runs until SIGINT or SIGTERM; then
 * answers no more requests, plans and takes no more jobs, and lets those running finish.
 */
async function runServe(flags: ServeFlags): Promise<void> {
  const setup = await jobSetup(flags, 'serve');
  const port = numberFlag('--port', flags.port, { min: 0, max: 65535 });
  const logger = serviceLogger(flags);
  const [{ openVigil }, { startService }] = await Promise.all([
    import('../app/vigil.ts'),
    import('../app/service.ts'),
  ]);
  const vigil = await openVigil(setup.settings);
  const stopped = firstStopSignal(logger);
  let service: RunningService;
  try {
    service = await startService(vigil, {
      listen: {
        host: flags.host,
        port,
        tlsCert: flags.tlsCert,
        tlsKey: flags.tlsKey,
        insecureHttp: flags.insecureHttp,
      },
      queue: queueOf(setup, vigil),
      logger,
      tickMs: setup.tickMs,
      concurrency: setup.concurrency,
      leaseSeconds: setup.leaseSeconds,
    });
  } catch (error) {
    await vigil.close();
    throw error;
  }
  const publicUrl = flags.publicUrl ?? process.env.VIGIL_PUBLIC_URL ?? service.url;
  logger.info(
    {
      url: service.url,
      publicUrl,
      queue: setup.postgres ? 'pg-boss' : 'in-process',
      ...(setup.postgres ? { queueSchema: setup.queueSchema } : {}),
      leaseSeconds: setup.leaseSeconds,
      concurrency: setup.concurrency,
      tickSeconds: setup.tickMs / 1000,
      store: setup.postgres ? 'postgres' : 'sqlite',
    },
    'scheduler started',
  );
  if ((await vigil.integrations.list()).length === 0) {
    logger.warn(
      'no integrations yet, so nothing to sync: add one with `vigil integrations add threatstack|threatconnect` (this process picks it up)',
    );
  }
  process.stdout.write(
    flags.json === true ? `${JSON.stringify({ url: service.url })}\n` : `${service.url}\n`,
  );
  const signal = await stopped;
  logger.info({ signal }, 'stopping: waiting for running syncs to finish');
  await service.stop();
  await vigil.close();
  logger.info('scheduler stopped');
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the service until Ctrl-C: the HTTP API (tokens: `vigil tokens`), the Threat Stack webhook intake, and due syncs on schedule (in this process on SQLite, through the shared job queue on PostgreSQL)',
    )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free port)', '8080')
    .option('--tls-cert <file>', 'PEM certificate (chain): serve HTTPS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--insecure-http', 'allow plain HTTP on an address other than loopback (e.g. behind a TLS proxy)')
    .option(
      '--public-url <url>',
      'the base URL clients and Threat Stack reach this server at (default: VIGIL_PUBLIC_URL, else the listening URL)',
    )
    .option('--json', 'print the URL as one JSON line {"url":…}')
    .option(...dbOption)
    .option(...sharedFlags.schema)
    .option(...sharedFlags.queueSchema)
    .option(...sharedFlags.jobLease)
    .option(...sharedFlags.tick)
    .option(...sharedFlags.concurrency)
    .option(...sharedFlags.logFormat)
    .action((flags) => runServe(flags));
  program
    .command('worker')
    .description('Run due syncs from the job queue shared by every worker on PostgreSQL, until Ctrl-C')
    .option(...dbOption)
    .option(...sharedFlags.schema)
    .option(...sharedFlags.queueSchema)
    .option(...sharedFlags.jobLease)
    .option(...sharedFlags.tick)
    .option(...sharedFlags.concurrency)
    .option(...sharedFlags.logFormat)
    .action((flags) => runWorker(flags));
}
