import type { Command } from '@commander-js/extra-typings';
import { loadAttackCatalogue } from '../attack/catalogue.ts';
import { ThreatConnectClient } from '../connectors/threatconnect/client.ts';
import { threatConnectConnectionFromEnv } from '../connectors/threatconnect/config.ts';
import { threatConnectSteps } from '../connectors/threatconnect/steps.ts';
import { ThreatStackClient } from '../connectors/threatstack/client.ts';
import { threatStackConnectionFromEnv } from '../connectors/threatstack/config.ts';
import { threatStackSteps } from '../connectors/threatstack/steps.ts';
import { createLogger } from '../log.ts';
import { openStore } from '../store/index.ts';
import { runSync } from '../sync/engine.ts';
import type { IntegrationStep, SyncSummary } from '../sync/types.ts';
import { printJson } from './output.ts';
import { syncProgress } from './progress.ts';
import { numberFlag } from './simulate.ts';
import { formatDuration, renderTable } from './table.ts';

/** A sync summary with the client's request counters, as `--json` prints it. */
export interface SyncReport extends SyncSummary {
  requests: Record<string, number>;
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
  const counters = Object.entries(report.requests).map(
    ([name, value]) =>
      `${name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)} ${value.toLocaleString('en-US')}`,
  );
  out.push(`${counters.join(' · ')} · duration ${formatDuration(report.durationMs)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

const commonOptions = {
  requestsPerMinute: ['--requests-per-minute <n>', 'client-side request budget per rolling minute; 0 = none'],
  proxy: ['--proxy <url>', 'HTTP(S) proxy for every request, http://[user:pass@]host:port'],
  db: ['--db <path|url>', 'database file or postgres:// URL (default: VIGIL_DB, else ./vigil.db)'],
  json: ['--json', 'print the run summary as JSON'],
} as const;

interface VendorSync<C> {
  title: string;
  integrationId: string;
  steps: IntegrationStep<C>[];
  client: C & { readonly stats: object; close(): Promise<void> };
  db: string | undefined;
  json: boolean;
}

/**
 * Runs one vendor's sync into the store with progress on stderr, prints the report (table or
 * JSON), and sets exit code 1 (SYNC_INCOMPLETE) when any step did not fully succeed.
 */
async function runVendorSync<C>(sync: VendorSync<C>): Promise<void> {
  const logger = createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn');
  const store = await openStore(sync.db);
  const progress = sync.json ? undefined : syncProgress();
  let summary: SyncSummary;
  try {
    summary = await runSync({
      store,
      integrationId: sync.integrationId,
      steps: sync.steps,
      client: sync.client,
      logger,
      ...(progress ? { observer: progress } : {}),
    });
  } finally {
    progress?.stop();
    await sync.client.close();
    await store.close();
  }
  const report: SyncReport = { ...summary, requests: { ...(sync.client.stats as Record<string, number>) } };
  if (sync.json) printJson(report);
  else printSyncReport(report, sync.title);
  if (report.status !== 'success') {
    const failed = report.steps.filter((s) => s.status !== 'success').map((s) => `${s.id} (${s.status})`);
    if (!sync.json) {
      process.stderr.write(
        `error SYNC_INCOMPLETE: steps ${failed.join(', ')} did not fully succeed; their types kept what the graph had (nothing of them was deleted).\n`,
      );
    }
    process.exitCode = 1;
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
      await runVendorSync({
        title: `Threat Stack sync of ${connection.orgName}`,
        integrationId: `threatstack:${connection.orgId}`,
        steps: threatStackSteps({ orgId: connection.orgId, orgName: connection.orgName, alertsDays }),
        client,
        db: flags.db,
        json: flags.json === true,
      });
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
      const client = new ThreatConnectClient(
        { ...connection, requestsPerMinute, ...(flags.proxy ? { proxy: flags.proxy } : {}) },
        { logger: createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn') },
      );
      await runVendorSync({
        title: `ThreatConnect sync of ${connection.host}`,
        integrationId: `threatconnect:${connection.host}`,
        steps: threatConnectSteps({ host: connection.host, catalogue: loadAttackCatalogue() }),
        client,
        db: flags.db,
        json: flags.json === true,
      });
    });
}
