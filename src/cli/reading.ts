import type { Command } from '@commander-js/extra-typings';
import {
  type AffectedHost,
  type AlertDetails,
  type AlertSeverity,
  type AlertStatus,
  agentStatuses,
  alertSeverities,
  alertStatuses,
  cveSeverities,
  parseCveId,
} from '../app/query-reading.ts';
import { VigilError } from '../errors.ts';
import { parseDuration } from '../integrations/config.ts';
import type { QueryResult, QueryRow } from '../query/result.ts';
import { dbOption, withApp } from './app.ts';
import { printJson } from './output.ts';
import { numberFlag } from './simulate.ts';
import { type Column, renderTable } from './table.ts';

/**
 * The reading shortcuts: `vigil agents list`, `cves list`, `alerts list|show` and `hosts --cve`.
 * Each runs one J1QL query through `vigil.reading` (the same engine as `vigil query`); `--json`
 * prints JupiterOne's result shape, the table fits the terminal.
 */

const defaultLimit = '1000';
const limitOption = ['--limit <n>', 'at most N results', defaultLimit] as const;
const jsonOption = ['--json', "print JupiterOne's query result shape as JSON"] as const;

/** One of `allowed` (any case), or INPUT_INVALID naming the flag and the choices. */
function choiceFlag<T extends string>(
  flag: string,
  raw: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (raw === undefined) return undefined;
  const value = allowed.find((candidate) => candidate === raw.toLowerCase());
  if (value === undefined) {
    throw new VigilError('INPUT_INVALID', `${flag} must be one of ${allowed.join(', ')}, not '${raw}'.`);
  }
  return value;
}

const limitOf = (raw: string) => numberFlag('--limit', raw, { min: 1, max: 1_000_000 });

/** A property as cell text: strings as they are, epoch-ms `…On` dates as ISO, the rest as JSON. */
function cell(row: QueryRow, property: string): string {
  const value = row[property];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && property.endsWith('On')) return new Date(value).toISOString();
  return JSON.stringify(value);
}

/** An aligned table whose cells are cut (with …) so that the whole fits the terminal's width. */
function fitTable<T>(columns: Array<{ header: string; text: (row: T) => string }>, rows: T[]): string {
  const width = process.stdout.columns ?? 160;
  const cap = Math.max(8, Math.floor((width - 2 * (columns.length - 1)) / Math.max(1, columns.length)));
  const cut = (text: string) => (text.length > cap ? `${text.slice(0, cap - 1)}…` : text);
  const fitted: Column<T>[] = columns.map((column) => ({
    header: column.header,
    value: (row) => cut(column.text(row)),
  }));
  return renderTable(fitted, rows);
}

function printResult(
  result: QueryResult,
  json: boolean,
  columns: Array<[string, string]>,
  empty: string,
): void {
  if (json) {
    printJson(result);
    return;
  }
  if (result.data.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const table = fitTable(
    columns.map(([header, property]) => ({ header, text: (row: QueryRow) => cell(row, property) })),
    result.data,
  );
  process.stdout.write(`${table}\n`);
}

function registerAgentsList(program: Command): void {
  // The `agents` group is agents.ts's; its typed options are not ours, so it is reached untyped.
  const group = program.commands.find((command) => command.name() === 'agents') as Command | undefined;
  const agents = group ?? program.command('agents').description('Threat Stack agents');
  agents
    .command('list')
    .description('Agents in the graph (as last synced), by status and/or a CVE they have')
    .option('--status <status>', `only agents ${agentStatuses.join(' or ')}`)
    .option('--with-cve <cve>', 'only agents with this CVE (e.g. CVE-2018-19932)')
    .option(...limitOption)
    .option(...dbOption)
    .option(...jsonOption)
    .action(async (flags) => {
      const status = choiceFlag('--status', flags.status, agentStatuses);
      const withCve = flags.withCve === undefined ? undefined : parseCveId('--with-cve', flags.withCve);
      const filters = {
        ...(status === undefined ? {} : { status }),
        ...(withCve === undefined ? {} : { withCve }),
      };
      const { result } = await withApp(flags, (vigil) => vigil.reading.agents(filters, limitOf(flags.limit)));
      const columns: Array<[string, string]> = [
        ['name', 'displayName'],
        ['hostname', 'hostname'],
        ['status', 'status'],
        ['version', 'version'],
        ['ip', 'privateIpAddress'],
        ['last reported', 'lastReportedOn'],
      ];
      printResult(result, flags.json === true, columns, 'No agents match (sync Threat Stack first?).');
    });
}

function registerCvesList(program: Command): void {
  program
    .command('cves')
    .description('CVEs found on agents')
    .command('list')
    .description('CVEs with the number of agents they were found on, most widespread first')
    .option('--severity <severity>', `only CVEs of this severity (${cveSeverities.join(', ')})`)
    .option('--agent <name>', 'only the CVEs of this agent (its name, hostname or id)')
    .option(...limitOption)
    .option(...dbOption)
    .option(...jsonOption)
    .action(async (flags) => {
      const severity = choiceFlag('--severity', flags.severity, cveSeverities);
      const filters = {
        ...(severity === undefined ? {} : { severity }),
        ...(flags.agent === undefined ? {} : { agent: flags.agent }),
      };
      const { result } = await withApp(flags, (vigil) => vigil.reading.cves(filters, limitOf(flags.limit)));
      const columns: Array<[string, string]> = [
        ['cve', 'cve'],
        ['severity', 'severity'],
        ['package', 'package'],
        ['agents', 'agents'],
      ];
      printResult(result, flags.json === true, columns, 'No CVEs match.');
    });
}

function printAlert(details: AlertDetails): void {
  const { alert, agent, events } = details;
  const severity = Object.entries(alertSeverities).find(([, level]) => level === alert.severity)?.[0];
  const lines = [
    `Alert ${cell(alert, 'id')}: ${alert.displayName}`,
    `  severity:  ${String(alert.severity ?? '')}${severity === undefined ? '' : ` (${severity})`}`,
    `  created:   ${cell(alert, 'createdOn')}`,
    `  status:    ${alert.dismissed === true ? `dismissed ${cell(alert, 'dismissedOn')} by ${cell(alert, 'dismissedBy')}` : 'open'}`,
    `  agent:     ${agent === null ? cell(alert, 'agentId') || 'unknown' : `${agent.displayName} (${cell(agent, 'id')})`}`,
    `  rule:      ${cell(alert, 'ruleId')}`,
    events === null
      ? '  events:    none stored'
      : `  events:    ${events.events.length} (fetched ${events.fetchedAt})`,
    ...(events?.events ?? []).map((event) => `    ${JSON.stringify(event)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function registerAlertsCommands(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('Threat Stack alerts in the graph (synced or received by webhook)');
  const severities = Object.keys(alertSeverities) as AlertSeverity[];
  alerts
    .command('list')
    .description('Alerts newest first, by severity, age and/or status')
    .option('--severity <severity>', `only alerts of this severity (${severities.join(', ')})`)
    .option('--since <duration>', 'only alerts created in this last while (e.g. 24h, 7d)')
    .option('--status <status>', `only ${alertStatuses.join(' or ')} alerts`)
    .option(...limitOption)
    .option(...dbOption)
    .option(...jsonOption)
    .action(async (flags) => {
      const severity = choiceFlag('--severity', flags.severity, severities);
      const status: AlertStatus | undefined = choiceFlag('--status', flags.status, alertStatuses);
      const sinceSeconds = flags.since === undefined ? undefined : parseDuration('--since', flags.since);
      const filters = {
        ...(severity === undefined ? {} : { severity }),
        ...(status === undefined ? {} : { status }),
        ...(sinceSeconds === undefined ? {} : { sinceSeconds }),
      };
      const { result } = await withApp(flags, (vigil) => vigil.reading.alerts(filters, limitOf(flags.limit)));
      const columns: Array<[string, string]> = [
        ['id', 'id'],
        ['created', 'createdOn'],
        ['severity', 'severity'],
        ['title', 'displayName'],
        ['dismissed', 'dismissed'],
      ];
      printResult(result, flags.json === true, columns, 'No alerts match.');
    });
  alerts
    .command('show')
    .description('One alert: its fields, its agent and the events stored with it')
    .argument('<id>', 'the Threat Stack alert id (or the entity _key)')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (id, flags) => {
      const details = await withApp(flags, (vigil) => vigil.reading.alert(id));
      if (flags.json) printJson(details);
      else printAlert(details);
    });
}

function printHosts(affected: AffectedHost[], cve: string): void {
  if (affected.length === 0) {
    process.stdout.write(`No agent has ${cve}.\n`);
    return;
  }
  const table = fitTable(
    [
      { header: 'agent', text: (row: AffectedHost) => row.agent.displayName },
      { header: 'status', text: (row: AffectedHost) => cell(row.agent, 'status') },
      {
        header: 'hosts',
        text: (row: AffectedHost) => row.hosts.map((host) => host.host).join(', ') || '(none known)',
      },
      {
        header: 'host types',
        text: (row: AffectedHost) => [...new Set(row.hosts.map((host) => host.type))].join(', '),
      },
    ],
    affected,
  );
  process.stdout.write(`${affected.length} agent(s) have ${cve}:\n${table}\n`);
}

function registerHostsCommand(program: Command): void {
  program
    .command('hosts')
    .description('Which hosts have a CVE: the agents it was found on and the hosts they protect')
    .requiredOption('--cve <cve>', 'the CVE id (e.g. CVE-2018-19932)')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (flags) => {
      const cve = parseCveId('--cve', flags.cve);
      const affected = await withApp(flags, (vigil) => vigil.reading.hostsWithCve(cve));
      if (flags.json) printJson({ cve, agents: affected.map(({ agent, hosts }) => ({ ...agent, hosts })) });
      else printHosts(affected, cve);
    });
}

/** Registers the reading shortcuts; `agents list` joins the `agents` group (register that first). */
export function registerReadingCommands(program: Command): void {
  registerAgentsList(program);
  registerCvesList(program);
  registerAlertsCommands(program);
  registerHostsCommand(program);
}
