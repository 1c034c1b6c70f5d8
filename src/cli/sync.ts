import type { Command } from '@commander-js/extra-typings';
import { ThreatStackClient } from '../connectors/threatstack/client.ts';
import { threatStackConnectionFromEnv } from '../connectors/threatstack/config.ts';
import { threatStackSteps } from '../connectors/threatstack/steps.ts';
import { createLogger } from '../log.ts';
import { openStore } from '../store/index.ts';
import { runSync } from '../sync/engine.ts';
import type { SyncSummary } from '../sync/types.ts';
import { printJson } from './output.ts';
import { syncProgress } from './progress.ts';
import { numberFlag } from './simulate.ts';
import { formatDuration, renderTable } from './table.ts';

/** A sync summary with the client's request figures, as `--json` prints it. */
export interface SyncReport extends SyncSummary {
  requests: { requests: number; retries: number; rateLimited: number; clockCorrections: number };
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
  const r = report.requests;
  out.push(
    `requests ${r.requests.toLocaleString('en-US')} · retries ${r.retries} · rate limited ${r.rateLimited} · clock corrections ${r.clockCorrections} · duration ${formatDuration(report.durationMs)}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerSyncCommands(program: Command): void {
  const sync = program.command('sync').description('Sync a vendor into the graph');
  sync
    .command('threatstack')
    .description(
      'Sync a Threat Stack organization (TS_USER_ID, TS_API_KEY, TS_ORGANIZATION_ID, TS_ORGANIZATION_NAME; TS_HOST, TS_PORT, TS_PROTOCOL)',
    )
    .option('--alerts-days <n>', 'sync alerts created in the last N days', '7')
    .option(
      '--requests-per-minute <n>',
      'client-side request budget (the organization limit); 0 = none',
      '200',
    )
    .option('--proxy <url>', 'HTTP(S) proxy for every request, http://[user:pass@]host:port')
    .option('--db <path|url>', 'database file or postgres:// URL (default: VIGIL_DB, else ./vigil.db)')
    .option('--json', 'print the run summary as JSON')
    .action(async (flags) => {
      const connection = threatStackConnectionFromEnv(process.env);
      const alertsDays = numberFlag('--alerts-days', flags.alertsDays, { min: 1, max: 3650 });
      const requestsPerMinute = numberFlag('--requests-per-minute', flags.requestsPerMinute, {
        min: 0,
        max: 100_000,
      });
      const logger = createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn');
      const store = await openStore(flags.db);
      const client = new ThreatStackClient(
        { ...connection, requestsPerMinute, ...(flags.proxy ? { proxy: flags.proxy } : {}) },
        { logger },
      );
      const progress = flags.json ? undefined : syncProgress();
      let summary: SyncSummary;
      try {
        summary = await runSync({
          store,
          integrationId: `threatstack:${connection.orgId}`,
          steps: threatStackSteps({ orgId: connection.orgId, orgName: connection.orgName, alertsDays }),
          client,
          logger,
          ...(progress ? { observer: progress } : {}),
        });
      } finally {
        progress?.stop();
        await client.close();
        await store.close();
      }
      const report: SyncReport = { ...summary, requests: client.stats };
      if (flags.json) printJson(report);
      else printSyncReport(report, `Threat Stack sync of ${connection.orgName}`);
      if (report.status !== 'success') {
        const failed = report.steps.filter((s) => s.status !== 'success').map((s) => `${s.id} (${s.status})`);
        if (!flags.json) {
          process.stderr.write(
            `error SYNC_INCOMPLETE: steps ${failed.join(', ')} did not fully succeed; their types kept what the graph had (nothing of them was deleted).\n`,
          );
        }
        process.exitCode = 1;
      }
    });
}
