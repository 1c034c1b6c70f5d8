import { type Command, Option } from '@commander-js/extra-typings';
import type { MonitorDetails } from '../app/monitors.ts';
import { runPollsInProcess } from '../app/validation-runner.ts';
import { createLogger } from '../log.ts';
import type { MonitorSummary } from '../monitors/model.ts';
import { dbOption, withApp } from './app.ts';
import { printJson } from './output.ts';
import { renderTable } from './table.ts';

const collect = (value: string, previous: string[]) => [...previous, value];
const counts = (byVerdict: Record<string, number>) =>
  Object.entries(byVerdict)
    .map(([verdict, n]) => `${verdict} ${n}`)
    .join(', ');

/** The interval warning, on stderr so that `--json` output stays clean. */
function warn(monitor: MonitorSummary): void {
  if (monitor.warning !== null)
    process.stderr.write(`warning: monitor ${monitor.name}: ${monitor.warning}\n`);
}

function printMonitors(monitors: MonitorSummary[]): void {
  if (monitors.length === 0) {
    process.stdout.write('No monitors yet: add one with `vigil monitors add`.\n');
    return;
  }
  const table = renderTable(
    [
      { header: 'name', value: (m) => m.name },
      { header: 'integration', value: (m) => m.integration.name },
      { header: 'actor', value: (m) => m.actor?.name ?? '' },
      { header: 'techniques', value: (m) => m.techniques.length },
      { header: 'host', value: (m) => m.host },
      { header: 'every', value: (m) => m.every },
      { header: 'expect', value: (m) => m.expect },
      { header: 'last run', value: (m) => m.lastRunAt ?? 'never' },
      { header: 'next run', value: (m) => m.nextRunAt ?? 'after the running one' },
      { header: 'open drift', value: (m) => m.openDrift },
    ],
    monitors,
  );
  process.stdout.write(`${table}\n`);
}

function printDetails({ monitor, runs, drift }: MonitorDetails): void {
  const source = monitor.actor === null ? 'techniques' : `actor ${monitor.actor.name}`;
  const lines = [
    `Monitor ${monitor.name} (${monitor.id}): ${monitor.techniques.length} techniques (${source}) on ${monitor.host} via ${monitor.integration.name}, every ${monitor.every}, expect ${monitor.expect}`,
    `  actions: ${monitor.actions.join(', ')}; last run ${monitor.lastRunAt ?? 'never'}; next run ${monitor.nextRunAt ?? 'after the running one'}`,
    '',
    runs.length === 0
      ? 'No runs yet.'
      : renderTable(
          [
            { header: 'started', value: (r) => r.startedAt },
            { header: 'finished', value: (r) => r.finishedAt ?? '' },
            { header: 'status', value: (r) => r.status },
            { header: 'validation', value: (r) => r.validationIds.join(' ') },
            { header: 'verdicts', value: (r) => counts(r.byVerdict) },
          ],
          runs,
        ),
    '',
    drift.length === 0
      ? 'No drift.'
      : renderTable(
          [
            { header: 'id', value: (d) => d.id },
            { header: 'technique', value: (d) => d.technique },
            { header: 'previous', value: (d) => d.previous ?? '' },
            { header: 'current', value: (d) => d.current },
            { header: 'expected', value: (d) => d.expected },
            { header: 'raised', value: (d) => d.raisedAt },
            { header: 'status', value: (d) => d.status },
          ],
          drift,
        ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `vigil monitors …`: monitors that run techniques on an interval and raise drift alerts. */
export function registerMonitorCommands(program: Command): void {
  const monitors = program
    .command('monitors')
    .description(
      'Monitors: techniques validated on an interval; a verdict that gets worse raises a drift alert',
    );
  monitors
    .command('add')
    .description('Add a monitor (its runs are jobs of `vigil serve`; the first is due at once)')
    .requiredOption('--name <name>', 'the monitor name (unique, any case)')
    .option('--actor <actor>', "a ThreatConnect actor's name or id: its techniques")
    .option('--techniques <technique...>', 'ATT&CK technique ids (instead of --actor)')
    .requiredOption('--integration <name>', 'the Threat Stack integration that looks for them')
    .requiredOption('--host <host>', 'the host the techniques run on (simulator executor)')
    .requiredOption('--every <interval>', 'how often it runs (e.g. 1d; 1m to 30d)')
    .addOption(
      new Option('--expect <expectation>', 'what each technique should get')
        .choices(['detected', 'prevented', 'either'] as const)
        .makeOptionMandatory(),
    )
    .option('--action <action>', 'webhook:<http(s) url> | log; repeat for more (default log)', collect, [])
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (flags) => {
      const input = {
        name: flags.name,
        integration: flags.integration,
        host: flags.host,
        every: flags.every,
        expect: flags.expect,
        ...(flags.actor === undefined ? {} : { actor: flags.actor }),
        ...(flags.techniques === undefined ? {} : { techniques: flags.techniques }),
        ...(flags.action.length === 0 ? {} : { actions: flags.action }),
      };
      const monitor = await withApp({ db: flags.db }, (vigil) => vigil.monitors.add(input));
      warn(monitor);
      if (flags.json) printJson(monitor);
      else
        process.stdout.write(
          `Added monitor ${monitor.name} (${monitor.id}): ${monitor.techniques.length} techniques every ${monitor.every}.\n`,
        );
    });
  monitors
    .command('list')
    .description('Every monitor: its techniques, interval, last and next run, open drift')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (flags) => {
      const list = await withApp({ db: flags.db }, (vigil) => vigil.monitors.list());
      for (const monitor of list) warn(monitor);
      if (flags.json) printJson({ monitors: list });
      else printMonitors(list);
    });
  monitors
    .command('show')
    .description('One monitor: its runs and its drift alerts (open and dismissed)')
    .argument('<name>', 'the monitor name or id')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (name, flags) => {
      const details = await withApp({ db: flags.db }, (vigil) => vigil.monitors.show(name));
      warn(details.monitor);
      if (flags.json) printJson(details);
      else printDetails(details);
    });
  monitors
    .command('remove')
    .description('Remove a monitor with its runs and drift alerts (its validations stay)')
    .argument('<name>', 'the monitor name or id')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (name, flags) => {
      const removed = await withApp({ db: flags.db }, (vigil) => vigil.monitors.remove(name));
      if (flags.json) printJson({ removed });
      else process.stdout.write(`Removed monitor ${removed.name}.\n`);
    });
  monitors
    .command('run')
    .description('Run a monitor now; with --wait, poll here and compare when every verdict is in')
    .argument('<name>', 'the monitor name or id')
    .option(
      '--wait',
      'run the polls in this process, then compare and deliver drift (when no `vigil serve` runs)',
    )
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (name, flags) => {
      await withApp({ db: flags.db }, async (vigil) => {
        const started = await vigil.monitors.run(name);
        if (flags.wait !== true) {
          if (flags.json) printJson(started);
          else
            process.stdout.write(
              `Started run ${started.runId}: validation ${started.validationIds.join(', ')}. ` +
                '`vigil serve` compares it when every verdict is in (or add --wait).\n',
            );
          return;
        }
        await runPollsInProcess(vigil, started.validationIds, {
          logger: createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn'),
          tickMs: 1000,
        });
        const finished = await vigil.monitors.runs.complete(started.runId);
        if (flags.json)
          printJson({ ...started, byVerdict: finished?.byVerdict ?? {}, drift: finished?.drift ?? [] });
        else
          process.stdout.write(
            `Run ${started.runId} complete: ${counts(finished?.byVerdict ?? {})}; ${finished?.drift.length ?? 0} drift alert(s)` +
              `${(finished?.drift ?? []).map((d) => `\n  ${d.technique}: ${d.previous ?? 'untested'} → ${d.current}`).join('')}\n`,
          );
      });
    });
  monitors
    .command('dismiss')
    .description('Dismiss a drift alert (it stays in `monitors show`)')
    .argument('<id>', 'the drift alert id')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (id, flags) => {
      const drift = await withApp({ db: flags.db }, (vigil) => vigil.monitors.dismiss(id));
      if (flags.json) printJson({ drift });
      else process.stdout.write(`Dismissed drift alert ${drift.id} (${drift.technique}).\n`);
    });
}
