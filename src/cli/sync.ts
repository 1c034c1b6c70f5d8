import type { Command } from '@commander-js/extra-typings';
import { loadAttackCatalogue } from '../attack/catalogue.ts';
import { ThreatConnectClient } from '../connectors/threatconnect/client.ts';
import { threatConnectConnectionFromEnv } from '../connectors/threatconnect/config.ts';
import { threatConnectSteps } from '../connectors/threatconnect/steps.ts';
import { ThreatStackClient } from '../connectors/threatstack/client.ts';
import { threatStackConnectionFromEnv } from '../connectors/threatstack/config.ts';
import { threatStackSteps } from '../connectors/threatstack/steps.ts';
import {
  runSyncPlan,
  type SyncPlan,
  type SyncReport,
  type SyncRunOptions,
  syncPlan,
} from '../integrations/sync-plan.ts';
import { createLogger } from '../log.ts';
import { openStore } from '../store/index.ts';
import type { GraphStore } from '../store/types.ts';
import { printJson } from './output.ts';
import { syncProgress } from './progress.ts';
import { numberFlag } from './simulate.ts';
import { formatDuration, renderTable } from './table.ts';

export type { SyncReport };

/** `requests 7 · retries 0 · rate limited 0`: a client's counters as people read them. */
export function formatRequestCounters(requests: Record<string, number>): string {
  return Object.entries(requests)
    .map(
      ([name, value]) =>
        `${name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)} ${value.toLocaleString('en-US')}`,
    )
    .join(' · ');
}

/** Prints a sync report as people read it: steps, then a per-type table, then the request figures. */
export function printSyncReport(report: SyncReport, title: string): void {
  const out: string[] = [];
  out.push(`${title}: ${report.status} in ${formatDuration(report.durationMs)} (run ${report.runId})`, '');
  out.push(
    renderTable(
      [
        { header: 'step', value: (s) => s.name },
        { header: 'status', value: (s) => s.status },
        { header: 'items', value: (s) => s.items },
        { header: 'time', value: (s) => formatDuration(s.durationMs) },
        { header: 'error', value: (s) => (s.error ? `${s.error.code}: ${s.error.message}` : '') },
      ],
      report.steps,
    ),
    '',
  );
  out.push(
    renderTable(
      [
        { header: 'type', value: (t) => t.type },
        { header: 'kind', value: (t) => t.kind },
        { header: 'total', value: (t) => t.total },
        { header: 'created', value: (t) => t.created },
        { header: 'updated', value: (t) => t.updated },
        { header: 'deleted', value: (t) => t.deleted },
      ],
      report.types,
    ),
    '',
  );
  out.push(`${formatRequestCounters(report.requests)} · duration ${formatDuration(report.durationMs)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

const commonOptions = {
  requestsPerMinute: ['--requests-per-minute <n>', 'client-side request budget per rolling minute; 0 = none'],
  proxy: ['--proxy <url>', 'HTTP(S) proxy for every request, http://[user:pass@]host:port'],
  db: ['--db <path|url>', 'database file or postgres:// URL (default: VIGIL_DB, else ./vigil.db)'],
  json: ['--json', 'print the run summary as JSON'],
} as const;

/**
 * Runs a sync with progress on stderr (none with `--json`) and the CLI's logger: `run` is
 * `runSyncPlan` for the environment commands and `syncIntegration` for registered integrations.
 */
export async function withSyncProgress(
  json: boolean,
  run: (options: SyncRunOptions) => Promise<SyncReport>,
): Promise<SyncReport> {
  const progress = json ? undefined : syncProgress();
  try {
    return await run({
      logger: createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn'),
      ...(progress ? { observer: progress } : {}),
    });
  } finally {
    progress?.stop();
  }
}

/** Sets exit code 1 (SYNC_INCOMPLETE, one line on stderr unless `--json`) when any step did not fully succeed. */
export function flagIncompleteSync(report: SyncReport, json: boolean): void {
  if (report.status === 'success') return;
  const failed = report.steps.filter((s) => s.status !== 'success').map((s) => `${s.id} (${s.status})`);
  if (!json) {
    process.stderr.write(
      `error SYNC_INCOMPLETE: steps ${failed.join(', ')} did not fully succeed; their types kept what the graph had (nothing of them was deleted).\n`,
    );
  }
  process.exitCode = 1;
}

/** Prints a sync's report (table or JSON) and flags an incomplete sync. */
export function printSyncOutcome(report: SyncReport, title: string, json: boolean): void {
  if (json) printJson(report);
  else printSyncReport(report, title);
  flagIncompleteSync(report, json);
}

/** Opens the store, runs the plan with progress, prints the outcome; the plan's client is closed whatever happens. */
async function syncIntoStore(db: string | undefined, plan: SyncPlan, json: boolean): Promise<void> {
  let store: GraphStore;
  try {
    store = await openStore(db);
  } catch (error) {
    await plan.close();
    throw error;
  }
  try {
    const report = await withSyncProgress(json, (options) => runSyncPlan(store, plan, options));
    printSyncOutcome(report, plan.title, json);
  } finally {
    await store.close();
  }
}

export function registerSyncCommands(program: Command): void {
  const sync = program.command('sync').description('Sync a vendor into the graph');
  sync
    .command('threatstack')
    .description(
      'Sync a Threat Stack organization (TS_USER_ID, TS_API_KEY, TS_ORGANIZATION_ID, TS_ORGANIZATION_NAME; TS_HOST, TS_PORT, TS_PROTOCOL)',
    )
    .option('--alerts-days <n>', 'sync alerts created in the last N days', '7')
    .option(...commonOptions.requestsPerMinute, '200')
    .option(...commonOptions.proxy)
    .option(...commonOptions.db)
    .option(...commonOptions.json)
    .action(async (flags) => {
      const connection = threatStackConnectionFromEnv(process.env);
      const alertsDays = numberFlag('--alerts-days', flags.alertsDays, { min: 1, max: 3650 });
      const requestsPerMinute = numberFlag('--requests-per-minute', flags.requestsPerMinute, {
        min: 0,
        max: 100_000,
      });
      const client = new ThreatStackClient(
        { ...connection, requestsPerMinute, ...(flags.proxy ? { proxy: flags.proxy } : {}) },
        { logger: createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn') },
      );
      const plan = syncPlan({
        title: `Threat Stack sync of ${connection.orgName}`,
        integrationId: `threatstack:${connection.orgId}`,
        steps: threatStackSteps({ orgId: connection.orgId, orgName: connection.orgName, alertsDays }),
        client,
        close: () => client.close(),
      });
      await syncIntoStore(flags.db, plan, flags.json === true);
    });
  sync
    .command('threatconnect')
    .description(
      'Sync ThreatConnect owners, threat actors, threats and ATT&CK techniques (TC_HOST, TC_PORT, TC_PROTOCOL, TC_API_ROOT, TC_ACCESS_ID, TC_API_KEY)',
    )
    .option(...commonOptions.requestsPerMinute, '0')
    .option(...commonOptions.proxy)
    .option(...commonOptions.db)
    .option(...commonOptions.json)
    .action(async (flags) => {
      const connection = threatConnectConnectionFromEnv(process.env);
      const requestsPerMinute = numberFlag('--requests-per-minute', flags.requestsPerMinute, {
        min: 0,
        max: 100_000,
      });
      const steps = threatConnectSteps({ host: connection.host, catalogue: loadAttackCatalogue() });
      const client = new ThreatConnectClient(
        { ...connection, requestsPerMinute, ...(flags.proxy ? { proxy: flags.proxy } : {}) },
        { logger: createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn') },
      );
      const plan = syncPlan({
        title: `ThreatConnect sync of ${connection.host}`,
        integrationId: `threatconnect:${connection.host}`,
        steps,
        client,
        close: () => client.close(),
      });
      await syncIntoStore(flags.db, plan, flags.json === true);
    });
}
