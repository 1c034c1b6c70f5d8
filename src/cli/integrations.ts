import { Argument, type Command } from '@commander-js/extra-typings';
import type { IntegrationDetail, RunBrief } from '../app/integrations.ts';
import { connectorKinds, connectorOf } from '../connectors/index.ts';
import { VigilError } from '../errors.ts';
import type { ConnectivityResult } from '../integrations/connectivity.ts';
import type { IntegrationView } from '../integrations/registry.ts';
import { readApiKey, type SecretInputIo } from '../integrations/secret-input.ts';
import { dbOption, withApp } from './app.ts';
import {
  addFieldFlags,
  fieldsFromFlags,
  newIntegrationFields,
  scriptsConfigEnv,
  withProxyPassword,
} from './integration-flags.ts';
import { printJson } from './output.ts';
import { flagIncompleteSync, printSyncOutcome, printSyncReport, withSyncProgress } from './sync.ts';
import { countOf, renderTable } from './table.ts';

const terminal = (): SecretInputIo => ({
  env: process.env,
  stdin: process.stdin,
  promptOutput: process.stderr,
});

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

function endpointOf(integration: IntegrationView): string {
  return connectorOf(integration.kind).endpoint(integration.config);
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
    ['source', view.source],
    ['apiKey', view.apiKey ?? 'not set'],
    ...settings,
    ['created', view.createdAt],
    ['updated', view.updatedAt],
    ['last sync', describeRun(lastRun)],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  return [`${view.name}`, ...rows.map(([key, value]) => `  ${key.padEnd(width)}  ${value}`)].join('\n');
}

function printIntegrationList(rows: IntegrationDetail[]): void {
  if (rows.length === 0) {
    process.stdout.write(
      `No integrations yet; add one with \`vigil integrations add ${connectorKinds.join('|')}\`.\n`,
    );
    return;
  }
  process.stdout.write(
    `${renderTable(
      [
        { header: 'name', value: (r) => r.name },
        { header: 'kind', value: (r) => r.kind },
        { header: 'endpoint', value: (r) => endpointOf(r) },
        { header: 'proxy', value: (r) => r.config.proxy ?? '' },
        { header: 'every', value: (r) => formatInterval(r.config.syncIntervalSeconds) },
        {
          header: 'api key',
          value: (r) => (r.source === 'environment' ? 'from env' : (r.apiKey ?? 'not set')),
        },
        {
          header: 'last sync',
          value: (r) => (r.lastRun ? `${r.lastRun.status} ${r.lastRun.startedAt}` : 'never'),
        },
      ],
      rows,
    )}\n`,
  );
}

/**
 * A connectivity test as people read it: OK and each check on stdout; a failure as
 * `error CODE: message` on stderr, as every error, followed by the checks it got through.
 */
function printConnectivity(result: ConnectivityResult): void {
  const checks = result.checks.map((check) => `  ${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`);
  if (result.code === 'OK') {
    process.stdout.write(
      `${[`OK: ${countOf(result.checks.length, 'check')} passed`, ...checks].join('\n')}\n`,
    );
  } else {
    process.stderr.write(`${[`error ${result.code}: ${result.message}`, ...checks].join('\n')}\n`);
  }
}

/** The flags' values that were given (commander leaves the others undefined). */
function definedOf(flags: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
}

/**
 * `--from-config threatstack.cfg [--section NAME]` of `add`: the settings flags it stands for
 * (`--user-id`, `--org-id`, `--org-name`) and its API key; nothing without it.
 */
function scriptsConfigOf(
  kind: string,
  flags: { fromConfig?: string | undefined; section?: string | undefined },
): { flags: Record<string, string>; apiKey?: string } {
  if (flags.fromConfig === undefined) {
    if (flags.section !== undefined)
      throw new VigilError('INPUT_INVALID', '--section goes with --from-config threatstack.cfg.');
    return { flags: {} };
  }
  const env = scriptsConfigEnv(connectorOf(kind), flags.fromConfig, flags.section);
  return {
    flags: {
      userId: env.TS_USER_ID ?? '',
      orgId: env.TS_ORGANIZATION_ID ?? '',
      orgName: env.TS_ORGANIZATION_NAME ?? '',
    },
    ...(env.TS_API_KEY === undefined ? {} : { apiKey: env.TS_API_KEY }),
  };
}

/**
 * The API key of a new integration: `--api-key-file` or `--api-key-stdin` when given, else the
 * key of `--from-config`, else the vendor variable or a prompt.
 */
function newApiKey(
  kind: string,
  flags: { name: string; apiKeyFile?: string | undefined; apiKeyStdin?: true | undefined },
  configKey: string | undefined,
): Promise<string | undefined> {
  const connector = connectorOf(kind);
  const given = flags.apiKeyFile !== undefined || flags.apiKeyStdin === true;
  if (!given && configKey !== undefined) return Promise.resolve(configKey);
  return readApiKey(
    {
      file: flags.apiKeyFile,
      stdin: flags.apiKeyStdin,
      envVar: connector.secretFields[0]?.envVariable,
      prompt: `${connector.label} API key for ${flags.name}: `,
    },
    terminal(),
  );
}

function registerAdd(integrations: Command): void {
  const add = integrations
    .command('add')
    .description(
      'Add an integration (the API key comes from --api-key-file, --api-key-stdin, the vendor variable such as TS_API_KEY, or a prompt on a terminal); its first sync starts at once',
    )
    .addArgument(new Argument('<kind>', connectorKinds.join(' or ')).choices(connectorKinds))
    .requiredOption('--name <name>', 'a unique name (letters, digits, . _ -)')
    .option('--api-key-file <path>', 'read the API key from this file')
    .option('--api-key-stdin', 'read the API key from stdin')
    .option(
      '--from-config <file>',
      "Threat Stack: user, organization and API key from the vendor scripts' threatstack.cfg (flags win)",
    )
    .option('--section <name>', 'the organization section of --from-config (default DEFAULT)')
    .option('--no-sync', 'do not start the first sync now')
    .option('--take-over', 'take the account and its graph rows over from the integration that syncs it now')
    .option(...dbOption)
    .option('--json', 'print the integration (and the first sync) as JSON');
  addFieldFlags(add);
  add.action(async (kind, flags) => {
    const json = flags.json === true;
    const fromConfig = scriptsConfigOf(kind, flags);
    const checked = newIntegrationFields(kind, { ...fromConfig.flags, ...definedOf(flags) });
    const apiKey = await newApiKey(kind, flags, fromConfig.apiKey);
    const fields = await withProxyPassword(checked, flags, terminal());
    const added = await withApp(flags, (vigil) =>
      withSyncProgress(json, (options) =>
        vigil.integrations.add(
          {
            kind,
            name: flags.name,
            fields,
            apiKey,
            takeOver: flags.takeOver === true,
          },
          {
            firstSync: flags.sync ? options : false,
            onAdded: (integration) => {
              if (json) return;
              const tail = flags.sync ? 'first sync:\n\n' : 'no sync yet (--no-sync).\n';
              process.stdout.write(
                `Added ${kind} integration ${integration.name} (id ${integration.id}); ${tail}`,
              );
            },
          },
        ),
      ),
    );
    if (added.tookOverFrom !== null && !json) {
      process.stdout.write(
        `Took the account and its graph rows over from ${added.tookOverFrom}, which was removed.\n`,
      );
    }
    if (json) {
      printJson({
        integration: added.integration,
        tookOverFrom: added.tookOverFrom,
        sync: added.sync?.report ?? null,
      });
    } else if (added.sync) printSyncReport(added.sync.report, added.sync.title);
    if (added.sync) flagIncompleteSync(added.sync.report, json);
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
    const updated = await withApp(flags, async (vigil) => {
      const existing = await vigil.integrations.show(name);
      const apiKey = await readApiKey(
        {
          file: flags.apiKeyFile,
          stdin: flags.apiKeyStdin,
          ...(flags.apiKeyPrompt
            ? { prompt: `New ${connectorOf(existing.kind).label} API key for ${existing.name}: ` }
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
      return vigil.integrations.update(existing.id, {
        fields: await withProxyPassword(fieldsFromFlags(existing.kind, flags), flags, terminal()),
        apiKey,
      });
    });
    const { lastRun, ...view } = updated;
    if (flags.json) printJson(view);
    else process.stdout.write(`Updated ${updated.name}.\n${integrationLines(view, lastRun)}\n`);
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
      const rows = await withApp(flags, (vigil) => vigil.integrations.list());
      if (flags.json) printJson(rows);
      else printIntegrationList(rows);
    });
  integrations
    .command('show')
    .description('One integration: every setting (secrets masked) and its last sync')
    .argument('<name>', 'the integration’s name or id')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (name, flags) => {
      const detail = await withApp(flags, (vigil) => vigil.integrations.show(name));
      const { lastRun, ...view } = detail;
      if (flags.json) printJson(detail);
      else process.stdout.write(`${integrationLines(view, lastRun)}\n`);
    });
}

function registerActions(integrations: Command): void {
  integrations
    .command('remove')
    .description(
      'Remove an integration and its stored secrets (its graph rows and run history stay, unless --purge)',
    )
    .argument('<name>', 'the integration’s name or id')
    .option('--purge', 'also delete the graph rows the integration owns')
    .option(...dbOption)
    .option('--json', 'print the removed integration as JSON')
    .action(async (name, flags) => {
      const { removed, purged } = await withApp(flags, (vigil) =>
        vigil.integrations.remove(name, { purge: flags.purge === true }),
      );
      if (flags.json) printJson({ removed, purged });
      else if (purged === null) {
        process.stdout.write(
          `Removed ${removed.kind} integration ${removed.name} (id ${removed.id}); its graph data and run history stay.\n`,
        );
      } else {
        const deleted = purged.reduce((sum, change) => sum + change.deleted, 0);
        process.stdout.write(
          `Removed ${removed.kind} integration ${removed.name} (id ${removed.id}) and its ${deleted.toLocaleString('en-US')} graph rows; its run history stays.\n`,
        );
      }
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
      const result = await withApp(flags, (vigil) => vigil.integrations.test(name));
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
      const { title, report } = await withApp(flags, (vigil) =>
        withSyncProgress(json, (options) => vigil.integrations.sync(name, options)),
      );
      printSyncOutcome(report, title, json);
    });
}

export function registerIntegrationsCommands(program: Command): void {
  const integrations = program
    .command('integrations')
    .description(
      `Manage integrations (${connectorKinds.join(', ')}): add, list, show, update, remove, test, sync`,
    );
  registerAdd(integrations);
  registerReadCommands(integrations);
  registerUpdate(integrations);
  registerActions(integrations);
}
