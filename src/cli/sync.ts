import type { Command } from '@commander-js/extra-typings';
import { parseSettings } from '../app/settings.ts';
import type { SyncOptions } from '../app/sync.ts';
import type { Connector } from '../connectors/descriptor.ts';
import { connectors } from '../connectors/index.ts';
import { VigilError } from '../errors.ts';
import type { SyncReport } from '../integrations/sync-plan.ts';
import type { SyncObserver } from '../sync/types.ts';
import { dbOption, withSettings } from './app.ts';
import { scriptsConfigEnv } from './integration-flags.ts';
import { cliLogger, logFormatOf } from './logging.ts';
import { printJson } from './output.ts';
import { syncProgress } from './progress.ts';
import { numberFlag } from './simulate.ts';
import { countOf, formatDuration, outputLayout, renderTable, wrapFigures } from './table.ts';

export type { SyncReport };

const waitFigures: Record<string, { label: string; waitMs: string }> = {
  rateLimited: { label: 'vendor 429s', waitMs: 'rateLimitWaitMs' },
  budgetWaits: { label: 'budget waits', waitMs: 'budgetWaitMs' },
};

/**
 * A client's counters as people read them, one figure each: `requests 7`, `retries 0`,
 * `vendor 429s 2 (waited 12.0 s)`, `budget waits 3 (waited 38.0 s)` — the vendor's rate limit
 * and the client's own request budget apart.
 */
export function requestFigures(requests: Record<string, number>): string[] {
  const waitFields = new Set(Object.values(waitFigures).map((figure) => figure.waitMs));
  return Object.entries(requests)
    .filter(([name]) => !waitFields.has(name))
    .map(([name, value]) => {
      const wait = waitFigures[name];
      if (wait === undefined) {
        return `${name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)} ${value.toLocaleString('en-US')}`;
      }
      const waited = requests[wait.waitMs] ?? 0;
      return `${wait.label} ${value.toLocaleString('en-US')}${waited > 0 ? ` (waited ${formatDuration(waited)})` : ''}`;
    });
}

/** The request figures as lines fitted to the output width (80 columns when unknown). */
export function formatRequestCounters(requests: Record<string, number>, extra: string[] = []): string {
  return wrapFigures([...requestFigures(requests), ...extra]).join('\n');
}

/** Prints a sync report as people read it: steps, then a per-type table, then the request figures. */
export function printSyncReport(report: SyncReport, title: string): void {
  const outcome = `${report.status} in ${formatDuration(report.durationMs)}`;
  const headline = `${title}: ${outcome}`;
  const out: string[] =
    headline.length <= (outputLayout.width ?? 80)
      ? [...wrapFigures([headline, `run ${report.runId}`]), '']
      : [`${title}:`, ...wrapFigures([outcome, `run ${report.runId}`]), ''];
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
  out.push(formatRequestCounters(report.requests, [`duration ${formatDuration(report.durationMs)}`]));
  process.stdout.write(`${out.join('\n')}\n`);
}

/** An observer that counts the items of the steps so far, passing every event on to `inner`. */
function countingObserver(inner: SyncObserver | undefined): SyncObserver & { items(): number } {
  let finished = 0;
  let current = 0;
  return {
    items: () => finished + current,
    clientCounters: (read) => inner?.clientCounters?.(read),
    stepStarted(step, index, count) {
      current = 0;
      inner?.stepStarted(step, index, count);
    },
    stepProgress(step, items) {
      current = items;
      inner?.stepProgress(step, items);
    },
    stepFinished(result) {
      finished += result.items;
      current = 0;
      inner?.stepFinished(result);
    },
  };
}

/**
 * Aborts `controller` on the first SIGINT or SIGTERM (a second one ends the process as usual);
 * returns the signal's name once received, and a function removing the handlers.
 */
function abortOnSignals(controller: AbortController): { received(): string | undefined; remove(): void } {
  let received: string | undefined;
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = () => {
      received = name;
      controller.abort(new Error(`${name} received`));
    };
    process.once(name, handler);
    return () => process.removeListener(name, handler);
  });
  const remove = () => {
    for (const removeHandler of handlers) removeHandler();
  };
  return { received: () => received, remove };
}

/**
 * Runs a sync with progress on stderr (none with `--json`) and the CLI's logger, whose lines
 * print above the progress display instead of through it. Ctrl-C or SIGTERM stops the run
 * between batches: it is recorded `interrupted` with what it wrote, and SYNC_INTERRUPTED (with
 * `details.signal`, exit 130) says how many items were written.
 */
export async function withSyncProgress<T>(
  json: boolean,
  run: (options: SyncOptions) => Promise<T>,
): Promise<T> {
  const progress = json ? undefined : syncProgress();
  const counter = countingObserver(progress);
  const logger = cliLogger({
    level: process.env.VIGIL_LOG_LEVEL ?? 'warn',
    format: logFormatOf(undefined),
    ...(progress ? { write: progress.log } : {}),
  });
  const controller = new AbortController();
  const signals = abortOnSignals(controller);
  try {
    return await run({
      logger,
      signal: controller.signal,
      observer: counter,
      ...(progress ? { client: { onWait: (event) => progress.onWait(event) } } : {}),
    });
  } catch (error) {
    const signal = signals.received();
    if (signal === undefined || !(error instanceof VigilError) || error.code !== 'SYNC_INTERRUPTED')
      throw error;
    throw new VigilError(
      'SYNC_INTERRUPTED',
      `Interrupted by ${signal}: run ${error.details.runId ?? ''} is recorded interrupted with the ${countOf(counter.items(), 'item')} written.`,
      { hint: 'Sync again to complete it.', details: { ...error.details, signal } },
    );
  } finally {
    signals.remove();
    progress?.stop();
  }
}

/** Sets exit code 1 (SYNC_INCOMPLETE, one line on stderr unless `--json`) when any step did not fully succeed. */
export function flagIncompleteSync(report: SyncReport, json: boolean): void {
  if (report.status === 'success') return;
  const failed = report.steps.filter((s) => s.status !== 'success').map((s) => `${s.id} (${s.status})`);
  const hint = report.steps.find((s) => s.error?.hint !== undefined)?.error?.hint;
  if (!json) {
    process.stderr.write(
      `error SYNC_INCOMPLETE: steps ${failed.join(', ')} did not fully succeed; their types kept what the graph had (nothing of them was deleted).${hint === undefined ? '' : ` (${hint})`}\n`,
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

type SyncFlags = Record<string, string | boolean | undefined>;

const camel = (flag: string) =>
  flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Flags of `vigil sync <kind>` → config fields on top of the vendor's environment. */
function overridesOf(flags: SyncFlags, connector: Connector): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  const numbers = [
    { flag: '--requests-per-minute', field: 'requestsPerMinute', min: 0, max: 100_000 },
    ...connector.syncFlags,
  ];
  for (const { flag, field, min, max } of numbers) {
    const raw = flags[camel(flag)];
    if (typeof raw === 'string') overrides[field] = numberFlag(flag, raw, { min, max });
  }
  if (typeof flags.proxy === 'string' && flags.proxy !== '') overrides.proxy = flags.proxy;
  return overrides;
}

/**
 * The environment a sync reads: the process's, with the `TS_*` variables of `--config
 * threatstack.cfg [--section NAME]` over it (Threat Stack only).
 */
function syncEnvironment(flags: SyncFlags, connector: Connector): NodeJS.ProcessEnv {
  const config = typeof flags.config === 'string' ? flags.config : undefined;
  const section = typeof flags.section === 'string' ? flags.section : undefined;
  if (config === undefined) {
    if (section !== undefined)
      throw new VigilError('INPUT_INVALID', '--section goes with --config threatstack.cfg.');
    return process.env;
  }
  return { ...process.env, ...scriptsConfigEnv(connector, config, section) };
}

/**
 * `vigil sync <kind>`, one command per connector: the account the vendor's environment variables
 * name, synced as its implicit integration (`vigil integrations list` shows it).
 */
export function registerSyncCommands(program: Command): void {
  const sync = program
    .command('sync')
    .description('Sync a vendor account named by its environment variables');
  for (const connector of connectors) {
    const command = sync
      .command(connector.kind)
      .description(
        `Sync a ${connector.label} account (${connector.envVariables.join(', ')}) as its integration ${connector.kind}-<account>`,
      )
      .option('--requests-per-minute <n>', 'client-side request budget per rolling minute; 0 = none')
      .option('--proxy <url>', 'HTTP(S) proxy for every request, http://[user:pass@]host:port')
      .option(
        '--take-over',
        'sync the account even though a registered integration owns it, taking its rows over',
      )
      .option(...dbOption)
      .option('--json', 'print the run summary as JSON');
    if (connector.scriptsConfig !== undefined) {
      command
        .option(
          '--config <file>',
          `read the settings from the vendor scripts' ${connector.scriptsConfig.fileName}`,
        )
        .option('--section <name>', 'the organization section of --config (default DEFAULT)');
    }
    for (const flag of connector.syncFlags) command.option(`${flag.flag} <n>`, flag.description);
    command.action(async (flags: SyncFlags) => {
      const json = flags.json === true;
      const overrides = overridesOf(flags, connector);
      const db = typeof flags.db === 'string' ? flags.db : undefined;
      const env = syncEnvironment(flags, connector);
      const result = await withSettings(parseSettings({ env, db }), (vigil) =>
        withSyncProgress(json, (options) =>
          vigil.sync.fromEnvironment(
            connector.kind,
            { overrides, takeOver: flags.takeOver === true },
            options,
          ),
        ),
      );
      printSyncOutcome(result.report, result.title, json);
    });
  }
}
