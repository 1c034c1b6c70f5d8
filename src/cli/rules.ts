import { userInfo } from 'node:os';
import type { Command } from '@commander-js/extra-typings';
import type { RulesService } from '../app/rules.ts';
import { VigilError } from '../errors.ts';
import type { RuleRunReport } from '../rules/evaluator.ts';
import { formatInterval } from '../rules/model.ts';
import { nameOf } from '../rules/payload.ts';
import type { RuleDetails } from '../rules/service.ts';
import type { StoredRule } from '../rules/stored.ts';
import { describeAction } from '../rules/webhook.ts';
import type { RuleAlertRecord, RuleAlertStatus } from '../store/types.ts';
import { dbOption, withApp } from './app.ts';
import { printJson } from './output.ts';
import { numberFlag } from './simulate.ts';
import { renderTable } from './table.ts';

/** Opens Vigil, runs `work` with its rule service, closes. */
function withRules<T>(db: string | undefined, work: (rules: RulesService) => Promise<T>): Promise<T> {
  return withApp({ db }, (vigil) => work(vigil.rules));
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** A rule as printed: webhook URLs cut to scheme and host (a path may hold a token). */
function ruleView(rule: StoredRule) {
  return {
    id: rule.id,
    name: rule.name,
    queries: rule.queries,
    when: rule.conditionText,
    actions: rule.actions.map(describeAction),
    every: rule.intervalMs === undefined ? null : formatInterval(rule.intervalMs),
    enabled: rule.enabled,
    createdAt: rule.createdAt,
  };
}

function printRules(rules: StoredRule[]): void {
  if (rules.length === 0) {
    process.stdout.write('No rules yet: add one with `vigil rules add`.\n');
    return;
  }
  const table = renderTable(
    [
      { header: 'name', value: (r) => r.name },
      { header: 'when', value: (r) => r.when },
      { header: 'queries', value: (r) => r.queries.length },
      { header: 'actions', value: (r) => r.actions.join(', ') },
      { header: 'every', value: (r) => r.every ?? 'after syncs' },
      { header: 'enabled', value: (r) => (r.enabled ? 'yes' : 'no') },
    ],
    rules.map(ruleView),
  );
  process.stdout.write(`${table}\n`);
}

function printRuleDetails(details: RuleDetails): void {
  const view = ruleView(details.rule);
  const lines = [
    `Rule ${view.name} (${view.id}): when ${view.when}, ${view.enabled ? 'enabled' : 'disabled'}`,
    ...view.queries.map((query) => `  ${query.label}: ${query.text}`),
    `  actions: ${view.actions.join(', ')}; evaluated ${view.every === null ? 'after syncs' : `after syncs and every ${view.every}`}`,
    `  last evaluated: ${details.lastEvaluatedAt ?? 'never'}; open alert: ${details.openAlert?.id ?? 'none'}`,
  ];
  if (details.deliveries.length > 0) {
    const table = renderTable(
      [
        { header: 'attempted', value: (a) => a.attemptedAt },
        { header: 'target', value: (a) => a.target },
        { header: 'attempt', value: (a) => a.attempt },
        { header: 'status', value: (a) => (a.statusCode === null ? '—' : a.statusCode) },
        { header: 'outcome', value: (a) => a.outcome },
        { header: 'error', value: (a) => a.error ?? '' },
      ],
      details.deliveries,
    );
    lines.push('', 'Last webhook deliveries:', table);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** What `rules run` did: fired or not, the rows it is about, and each webhook delivery. */
function printRunReport(report: RuleRunReport): void {
  const verdict = report.fired ? 'fired' : 'did not fire';
  const lines = [`Rule ${report.rule} ${verdict}: ${report.rowCount} row(s); alert ${report.decision}.`];
  for (const { query, row } of report.rows) lines.push(`  ${query}: ${nameOf(row)}`);
  if (report.rows.length < report.rowCount)
    lines.push(`  … and ${report.rowCount - report.rows.length} more`);
  for (const delivery of report.deliveries) {
    const status = delivery.statusCode === null ? 'no answer' : `HTTP ${delivery.statusCode}`;
    lines.push(`  webhook ${delivery.outcome} after ${delivery.attempts} attempt(s) (${status})`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printAlerts(alerts: RuleAlertRecord[]): void {
  if (alerts.length === 0) {
    process.stdout.write('No rule alerts.\n');
    return;
  }
  const table = renderTable(
    [
      { header: 'id', value: (a) => a.id },
      { header: 'rule', value: (a) => a.ruleName },
      { header: 'status', value: (a) => a.status },
      { header: 'opened', value: (a) => a.openedAt },
      { header: 'last fired', value: (a) => a.lastFiredAt },
      { header: 'cleared', value: (a) => a.clearedAt ?? '' },
      { header: 'rows', value: (a) => a.rowCount },
    ],
    alerts,
  );
  process.stdout.write(`${table}\n`);
}

const alertStatuses: readonly RuleAlertStatus[] = ['ACTIVE', 'INACTIVE', 'DISMISSED'];

function registerRuleCommands(program: Command): void {
  const rules = program.command('rules').description('Alert rules: saved J1QL queries that fire actions');
  rules
    .command('add')
    .description('Add a rule (evaluated after syncs that write a type its queries read, and on --every)')
    .requiredOption('--name <name>', 'the rule name (unique, any case)')
    .requiredOption(
      '--query <j1ql>',
      'a J1QL query; repeat for more (labelled query0, query1 …)',
      collect,
      [],
    )
    .requiredOption('--when <condition>', "any | new | '<label>.total > N' (also >=, <, <=, =, !=)")
    .requiredOption('--action <action>', 'webhook:<http(s) url> | log; repeat for more', collect, [])
    .option('--every <interval>', 'also evaluate on this interval (e.g. 15m; 1m to 30d)')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (flags) => {
      const input = {
        name: flags.name,
        queries: flags.query.map((text) => ({ text })),
        when: flags.when,
        actions: flags.action,
        ...(flags.every === undefined ? {} : { every: flags.every }),
      };
      const rule = ruleView(await withRules(flags.db, (service) => service.addRule(input)));
      if (flags.json) printJson(rule);
      else process.stdout.write(`Added rule ${rule.name} (${rule.id}).\n`);
    });
  rules
    .command('list')
    .description('Every rule with its condition, actions and interval')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (flags) => {
      const list = await withRules(flags.db, (service) => service.listRules());
      if (flags.json) printJson(list.map(ruleView));
      else printRules(list);
    });
  rules
    .command('show')
    .description('One rule: its queries, last evaluation, open alert and last webhook deliveries')
    .argument('<name>', 'the rule name or id')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (name, flags) => {
      const details = await withRules(flags.db, (service) => service.showRule(name));
      if (flags.json) printJson({ ...details, rule: ruleView(details.rule) });
      else printRuleDetails(details);
    });
  rules
    .command('run')
    .description('Evaluate a rule now (enabled or not): whether it fired, its rows, its webhook deliveries')
    .argument('<name>', 'the rule name or id')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (name, flags) => {
      const report = await withRules(flags.db, (service) => service.run(name));
      if (flags.json) printJson(report);
      else printRunReport(report);
    });
  rules
    .command('remove')
    .description('Remove a rule (its alerts and delivery log stay as history)')
    .argument('<name>', 'the rule name or id')
    .option(...dbOption)
    .action(async (name, flags) => {
      await withRules(flags.db, (service) => service.removeRule(name));
      process.stdout.write(`Removed rule ${name}.\n`);
    });
}

function registerRuleAlertCommands(program: Command): void {
  const alerts = program.command('rule-alerts').description('Alerts raised by alert rules');
  alerts
    .command('list')
    .description('Rule alerts, newest first')
    .option('--rule <name>', 'only the alerts of this rule')
    .option('--status <status>', `only alerts in this status (${alertStatuses.join(', ')})`)
    .option('--limit <n>', 'at most this many alerts', '100')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (flags) => {
      const limit = numberFlag('--limit', flags.limit, { min: 1, max: 100_000 });
      const status = flags.status === undefined ? undefined : statusFlag(flags.status);
      const list = await withRules(flags.db, (service) =>
        service.listAlerts({
          limit,
          ...(flags.rule === undefined ? {} : { rule: flags.rule }),
          ...(status === undefined ? {} : { status }),
        }),
      );
      if (flags.json) printJson(list);
      else printAlerts(list);
    });
  alerts
    .command('dismiss')
    .description('Dismiss an alert: no actions while its condition holds; it re-opens only after clearing')
    .argument('<id>', 'the alert id (from `vigil rule-alerts list`)')
    .option('--by <name>', 'who dismisses it (default: the current user)')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (id, flags) => {
      const by = flags.by ?? userInfo().username;
      const alert = await withRules(flags.db, (service) => service.dismissAlert(id, by));
      if (flags.json) printJson(alert);
      else process.stdout.write(`Alert ${alert.id} of rule ${alert.ruleName} is ${alert.status}.\n`);
    });
}

function statusFlag(raw: string): RuleAlertStatus {
  const status = alertStatuses.find((candidate) => candidate === raw.toUpperCase());
  if (status === undefined) {
    throw new VigilError(
      'INPUT_INVALID',
      `--status must be one of ${alertStatuses.join(', ')}, not '${raw}'.`,
    );
  }
  return status;
}

/** `vigil rules …` and `vigil rule-alerts …`. */
export function registerRulesCommands(program: Command): void {
  registerRuleCommands(program);
  registerRuleAlertCommands(program);
}
