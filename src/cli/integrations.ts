import { Argument, type Command } from '@commander-js/extra-typings';
import { VigilError } from '../errors.ts';
import { syncTitleOf } from '../integrations/clients.ts';
import {
  baseUrlOf,
  type Integration,
  type IntegrationKind,
  integrationKinds,
} from '../integrations/config.ts';
import { type ConnectivityResult, testConnectivity } from '../integrations/connectivity.ts';
import { IntegrationRegistry, type IntegrationView, toIntegrationView } from '../integrations/registry.ts';
import { readApiKey, type SecretInputIo } from '../integrations/secret-input.ts';
import { secretCipherFor } from '../integrations/secrets.ts';
import { syncIntegration } from '../integrations/sync.ts';
import { defaultStoreLocation, openStore } from '../store/index.ts';
import type { GraphStore, RunRecord } from '../store/types.ts';
import { addFieldFlags, fieldsFromFlags } from './integration-flags.ts';
import { printJson } from './output.ts';
import { flagIncompleteSync, printSyncOutcome, printSyncReport, withSyncProgress } from './sync.ts';
import { renderTable } from './table.ts';

export const dbOption = [
  '--db <path|url>',
  'database file or postgres:// URL (default: VIGIL_DB, else ./vigil.db)',
] as const;

/** `--db`, else VIGIL_DB, else `./vigil.db`: the store, and beside it (SQLite) the secret key file. */
export function storeLocationOf(db: string | undefined): string {
  return db || process.env.VIGIL_DB || defaultStoreLocation;
}

/** Opens the store and the registry over it (secrets sealed with the store's key), runs `work`, closes. */
export async function withRegistry<T>(
  db: string | undefined,
  work: (context: { store: GraphStore; registry: IntegrationRegistry }) => Promise<T>,
): Promise<T> {
  const location = storeLocationOf(db);
  const store = await openStore(location);
  try {
    return await work({ store, registry: new IntegrationRegistry(store, secretCipherFor(location)) });
  } finally {
    await store.close();
  }
}

const vendorOf: Record<IntegrationKind, { label: string; apiKeyVar: string }> = {
  threatstack: { label: 'Threat Stack', apiKeyVar: 'TS_API_KEY' },
  threatconnect: { label: 'ThreatConnect', apiKeyVar: 'TC_API_KEY' },
};

const terminal = (): SecretInputIo => ({
  env: process.env,
  stdin: process.stdin,
  promptOutput: process.stderr,
});

/** A run as lists show it. */
export interface RunBrief {
  id: string;
  status: RunRecord['status'];
  startedAt: string;
  finishedAt: string | null;
}

const briefOf = (run: RunRecord | undefined): RunBrief | null =>
  run === undefined
    ? null
    : { id: run.id, status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt };

async function lastRunOf(store: GraphStore, integration: Integration): Promise<RunBrief | null> {
  return briefOf((await store.listRuns(integration.id, 1))[0]);
}

/** `30m`, `1h`, `24h`, `2d`. */
export function formatInterval(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

function endpointOf(integration: Integration): string {
  const { config } = integration;
  return `${baseUrlOf(config)}${config.kind === 'threatconnect' ? config.apiRoot : ''}`;
}

function describeRun(run: RunBrief | null): string {
  return run === null ? 'never' : `${run.status} at ${run.startedAt} (run ${run.id})`;
}

/** `show`'s lines: every setting, masked. */
function integrationLines(view: IntegrationView, lastRun: RunBrief | null): string {
  const settings = Object.entries(view.config)
    .filter(([key]) => key !== 'kind')
    .map(([key, value]): [string, string] => [
      key,
      key === 'syncIntervalSeconds' && typeof value === 'number'
        ? `${value} (${formatInterval(value)})`
        : String(value ?? '—'),
    ]);
  const rows: Array<[string, string]> = [
    ['id', view.id],
    ['kind', view.kind],
    ['apiKey', view.apiKey ?? 'not set'],
    ...settings,
    ['created', view.createdAt],
    ['updated', view.updatedAt],
    ['last sync', describeRun(lastRun)],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  return [`${view.name}`, ...rows.map(([key, value]) => `  ${key.padEnd(width)}  ${value}`)].join('\n');
}

function printIntegrationList(rows: Array<{ integration: Integration; lastRun: RunBrief | null }>): void {
  if (rows.length === 0) {
    process.stdout.write(
      'No integrations yet; add one with `vigil integrations add threatstack|threatconnect`.\n',
    );
    return;
  }
  process.stdout.write(
    `${renderTable(
      [
        { header: 'name', value: (r) => r.integration.name },
        { header: 'kind', value: (r) => r.integration.kind },
        { header: 'endpoint', value: (r) => endpointOf(r.integration) },
        { header: 'proxy', value: (r) => r.integration.config.proxy ?? '' },
        { header: 'every', value: (r) => formatInterval(r.integration.config.syncIntervalSeconds) },
        { header: 'api key', value: (r) => toIntegrationView(r.integration).apiKey ?? 'not set' },
        {
          header: 'last sync',
          value: (r) => (r.lastRun ? `${r.lastRun.status} ${r.lastRun.startedAt}` : 'never'),
        },
      ],
      rows,
    )}\n`,
  );
}

function printConnectivity(result: ConnectivityResult): void {
  const checks = result.checks.map((check) => `  ${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`);
  process.stdout.write(`${[`${result.code}: ${result.message}`, ...checks].join('\n')}\n`);
}

function registerAdd(integrations: Command): void {
  const add = integrations
    .command('add')
    .description(
      'Add an integration (the API key comes from --api-key-file, --api-key-stdin, TS_API_KEY / TC_API_KEY, or a prompt on a terminal); its first sync starts at once',
    )
    .addArgument(new Argument('<kind>', 'threatstack or threatconnect').choices(integrationKinds))
    .requiredOption('--name <name>', 'a unique name (letters, digits, . _ -)')
    .option('--api-key-file <path>', 'read the API key from this file')
    .option('--api-key-stdin', 'read the API key from stdin')
    .option('--no-sync', 'do not start the first sync now')
    .option(...dbOption)
    .option('--json', 'print the integration (and the first sync) as JSON');
  addFieldFlags(add);
  add.action(async (kind, flags) => {
    const json = flags.json === true;
    const vendor = vendorOf[kind];
    await withRegistry(flags.db, async ({ store, registry }) => {
      const apiKey = await readApiKey(
        {
          file: flags.apiKeyFile,
          stdin: flags.apiKeyStdin,
          envVar: vendor.apiKeyVar,
          prompt: `${vendor.label} API key for ${flags.name}: `,
        },
        terminal(),
      );
      if (apiKey === undefined) {
        throw new VigilError(
          'CONFIG_INVALID',
          `No API key was given for ${flags.name}; nothing was stored.`,
          {
            hint: `Use --api-key-file PATH or --api-key-stdin, set ${vendor.apiKeyVar}, or run on a terminal to be asked.`,
          },
        );
      }
      const integration = await registry.add({
        name: flags.name,
        kind,
        fields: fieldsFromFlags(flags),
        apiKey,
      });
      const view = toIntegrationView(integration);
      if (!flags.sync) {
        if (json) printJson({ integration: view, sync: null });
        else
          process.stdout.write(
            `Added ${kind} integration ${integration.name} (id ${integration.id}); no sync yet (--no-sync).\n`,
          );
        return;
      }
      if (!json)
        process.stdout.write(
          `Added ${kind} integration ${integration.name} (id ${integration.id}); first sync:\n\n`,
        );
      const report = await withSyncProgress(json, (options) =>
        syncIntegration(store, registry, integration.id, options),
      );
      if (json) printJson({ integration: view, sync: report });
      else printSyncReport(report, syncTitleOf(integration));
      flagIncompleteSync(report, json);
    });
  });
}

function registerUpdate(integrations: Command): void {
  const update = integrations
    .command('update')
    .description(
      'Change settings or the API key of an integration; the whole new configuration is checked before anything changes',
    )
    .argument('<name>', 'the integration’s name or id')
    .option('--api-key-file <path>', 'replace the API key with the one in this file')
    .option('--api-key-stdin', 'replace the API key with the one read from stdin')
    .option('--api-key-prompt', 'replace the API key, asking for it on the terminal')
    .option(...dbOption)
    .option('--json', 'print the updated integration as JSON');
  addFieldFlags(update);
  update.action(async (name, flags) => {
    await withRegistry(flags.db, async ({ store, registry }) => {
      const existing = await registry.get(name);
      const apiKey = await readApiKey(
        {
          file: flags.apiKeyFile,
          stdin: flags.apiKeyStdin,
          ...(flags.apiKeyPrompt
            ? { prompt: `New ${vendorOf[existing.kind].label} API key for ${existing.name}: ` }
            : {}),
        },
        terminal(),
      );
      if (flags.apiKeyPrompt && apiKey === undefined) {
        throw new VigilError(
          'INPUT_INVALID',
          '--api-key-prompt needs a terminal; use --api-key-file or --api-key-stdin.',
        );
      }
      const fields = fieldsFromFlags(flags);
      if (Object.keys(fields).length === 0 && apiKey === undefined) {
        throw new VigilError('INPUT_INVALID', `Nothing to update for ${existing.name}.`, {
          hint: 'Give the settings to change (see `vigil help integrations update`) or a new API key.',
        });
      }
      const updated = await registry.update(existing.id, {
        fields,
        ...(apiKey === undefined ? {} : { apiKey }),
      });
      const view = toIntegrationView(updated);
      if (flags.json) printJson(view);
      else
        process.stdout.write(
          `Updated ${updated.name}.\n${integrationLines(view, await lastRunOf(store, updated))}\n`,
        );
    });
  });
}

function registerReadCommands(integrations: Command): void {
  integrations
    .command('list')
    .description(
      'Integrations with endpoint, proxy (password masked), sync interval, API key set or not, last sync',
    )
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (flags) => {
      await withRegistry(flags.db, async ({ store, registry }) => {
        const rows = await Promise.all(
          (await registry.list()).map(async (integration) => ({
            integration,
            lastRun: await lastRunOf(store, integration),
          })),
        );
        if (flags.json)
          printJson(rows.map((r) => ({ ...toIntegrationView(r.integration), lastRun: r.lastRun })));
        else printIntegrationList(rows);
      });
    });
  integrations
    .command('show')
    .description('One integration: every setting (secrets masked) and its last sync')
    .argument('<name>', 'the integration’s name or id')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (name, flags) => {
      await withRegistry(flags.db, async ({ store, registry }) => {
        const integration = await registry.get(name);
        const view = toIntegrationView(integration);
        const lastRun = await lastRunOf(store, integration);
        if (flags.json) printJson({ ...view, lastRun });
        else process.stdout.write(`${integrationLines(view, lastRun)}\n`);
      });
    });
}

function registerActions(integrations: Command): void {
  integrations
    .command('remove')
    .description('Remove an integration and its stored secrets (its graph data and run history stay)')
    .argument('<name>', 'the integration’s name or id')
    .option(...dbOption)
    .option('--json', 'print the removed integration as JSON')
    .action(async (name, flags) => {
      await withRegistry(flags.db, async ({ registry }) => {
        const removed = await registry.remove(name);
        if (flags.json) printJson({ removed: toIntegrationView(removed) });
        else {
          process.stdout.write(
            `Removed ${removed.kind} integration ${removed.name} (id ${removed.id}); its graph data and run history stay.\n`,
          );
        }
      });
    });
  integrations
    .command('test')
    .description(
      'Test connectivity layer by layer (config, DNS, TCP, TLS, authentication, permissions); exit 0 only for OK',
    )
    .argument('<name>', 'the integration’s name or id')
    .option(...dbOption)
    .option('--json', 'print the result as JSON')
    .action(async (name, flags) => {
      const result = await withRegistry(flags.db, async ({ registry }) => {
        const { config, apiKey } = await registry.resolve(name);
        return testConnectivity({ config, apiKey });
      });
      if (flags.json) printJson(result);
      else printConnectivity(result);
      process.exitCode = result.code === 'OK' ? 0 : 1;
    });
  integrations
    .command('sync')
    .description('Sync an integration now: progress on stderr, then the summary (as `vigil sync`)')
    .argument('<name>', 'the integration’s name or id')
    .option(...dbOption)
    .option('--json', 'print the run summary as JSON')
    .action(async (name, flags) => {
      const json = flags.json === true;
      await withRegistry(flags.db, async ({ store, registry }) => {
        const integration = await registry.get(name);
        const report = await withSyncProgress(json, (options) =>
          syncIntegration(store, registry, integration.id, options),
        );
        printSyncOutcome(report, syncTitleOf(integration), json);
      });
    });
}

export function registerIntegrationsCommands(program: Command): void {
  const integrations = program
    .command('integrations')
    .description(
      'Manage Threat Stack and ThreatConnect integrations: add, list, show, update, remove, test, sync',
    );
  registerAdd(integrations);
  registerReadCommands(integrations);
  registerUpdate(integrations);
  registerActions(integrations);
}
