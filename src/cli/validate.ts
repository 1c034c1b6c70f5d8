import { readFile } from 'node:fs/promises';
import { type Command, Option } from '@commander-js/extra-typings';
import type { CreatedValidation } from '../app/validation.ts';
import type { ValidationReport } from '../app/validation-report.ts';
import type { Vigil } from '../app/vigil.ts';
import { VigilError } from '../errors.ts';
import { createLogger } from '../log.ts';
import type { ValidationSummary } from '../store/types.ts';
import { executorOutcomeSchema, passRuleSchema } from '../validation/action.ts';
import { dbOption, withApp } from './app.ts';
import { printJson } from './output.ts';
import { createdMany, readPlanFile, registerValidatePlanCommand } from './validate-plan.ts';
import { renderReport } from './validate-report.ts';

export { renderReport };

import { renderTable } from './table.ts';

const passRuleOption = () =>
  new Option('--pass-rule <rule>', 'what passes an action (default either)').choices(passRuleSchema.options);
const waitOption = [
  '--wait',
  'run the polls in this process until every verdict is in (when no `vigil serve` runs)',
] as const;
const collect = (value: string, previous: string[]) => [...previous, value];

/** Prints what was created; with `--wait`, drives its polls here and prints the report. */
async function created(
  vigil: Vigil,
  validation: CreatedValidation,
  flags: { json?: true | undefined; wait?: true | undefined },
): Promise<void> {
  if (flags.wait === true) {
    const { runPollsInProcess } = await import('../app/validation-runner.ts');
    const [report] = await runPollsInProcess(vigil, [validation.id], {
      logger: createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn'),
      tickMs: 1000,
    });
    if (flags.json === true) printJson({ ...validation, report });
    else if (report !== undefined) process.stdout.write(renderReport(report));
    return;
  }
  if (flags.json === true) {
    printJson(validation);
    return;
  }
  for (const skipped of validation.skipped)
    process.stderr.write(`skipped ${skipped.where}: ${skipped.reason}\n`);
  process.stdout.write(
    `Created validation ${validation.id} (${validation.name}): ${validation.actions} action(s), first poll at ${validation.firstPollAt}.\n` +
      'Its polls run in `vigil serve` (or add --wait); follow it with `vigil validate show ' +
      `${validation.id} --watch\`.\n`,
  );
}

export interface WatchOptions {
  intervalMs: number;
  sleep?: (ms: number) => Promise<void>;
  write?: (text: string) => void;
}

/**
 * `vigil validate show --watch`: renders the report, then again every `intervalMs` (clearing a
 * terminal), until the validation is complete; returns the last report.
 */
export async function watchValidation(
  show: () => Promise<ValidationReport>,
  options: WatchOptions,
): Promise<ValidationReport> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const clear = process.stdout.isTTY === true && options.write === undefined ? '\x1b[2J\x1b[H' : '';
  for (;;) {
    const report = await show();
    write(`${clear}${renderReport(report)}`);
    if (report.status === 'complete') return report;
    await sleep(options.intervalMs);
  }
}

function printList(list: ValidationSummary[]): void {
  if (list.length === 0) {
    process.stdout.write('No validations. Start one with `vigil validate run` or `vigil validate record`.\n');
    return;
  }
  const columns = [
    { header: 'id', value: (v: ValidationSummary) => v.id },
    { header: 'name', value: (v: ValidationSummary) => v.name },
    { header: 'created', value: (v: ValidationSummary) => v.createdAt },
    { header: 'status', value: (v: ValidationSummary) => v.status },
    { header: 'verdicts', value: (v: ValidationSummary) => `${v.verdicts}/${v.actions}` },
  ];
  process.stdout.write(`${renderTable(columns, list)}\n`);
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new VigilError('USAGE_INVALID', `--interval: ${value} is not a positive number of seconds.`);
  }
  return n;
}

/** `vigil validate record|import|plan|run|list|show`: detection validation (C14), campaigns of an actor (issue 14). */
export function registerValidateCommands(program: Command): void {
  const validate = program
    .command('validate')
    .description('detection validation: actions looked for in Threat Stack, with verdicts');

  validate
    .command('record')
    .description('record one action done by hand; its polls look for it in Threat Stack')
    .requiredOption('--integration <name>', 'the Threat Stack integration to search')
    .requiredOption('--technique <id>', 'ATT&CK technique id, e.g. T1059.004')
    .requiredOption('--host <hostname>', 'the host it ran on')
    .requiredOption('--command <line>', 'the command line it ran')
    .option('--at <iso>', 'when it started (ISO-8601; default now)')
    .addOption(
      new Option('--outcome <outcome>', 'what happened (default ran)').choices(executorOutcomeSchema.options),
    )
    .option('--name <name>', 'the validation name')
    .addOption(passRuleOption())
    .option(...waitOption)
    .option(...dbOption)
    .option('--json', 'print the validation as JSON')
    .action((flags) =>
      withApp(flags, async (vigil) =>
        created(
          vigil,
          await vigil.validations.record({
            integration: flags.integration,
            technique: flags.technique,
            host: flags.host,
            command: flags.command,
            at: flags.at,
            outcome: flags.outcome,
            name: flags.name,
            passRule: flags.passRule,
          }),
          flags,
        ),
      ),
    );

  validate
    .command('import')
    .description(
      'import an Invoke-AtomicRedTeam (CSV, ATTiRe JSON) or Caldera (event log, report) execution log',
    )
    .argument('<file>', 'the execution log')
    .requiredOption('--integration <name>', 'the Threat Stack integration to search')
    .option('--name <name>', 'the validation name (default the file name)')
    .addOption(passRuleOption())
    .option(...waitOption)
    .option(...dbOption)
    .option('--json', 'print the validation as JSON')
    .action((file, flags) =>
      withApp(flags, async (vigil) => {
        const text = await readFile(file, 'utf8').catch((error: unknown) => {
          throw new VigilError('INPUT_INVALID', `${file} could not be read.`, { cause: error });
        });
        const validation = await vigil.validations.import({
          integration: flags.integration,
          text,
          file,
          name: flags.name,
          passRule: flags.passRule,
        });
        await created(vigil, validation, flags);
      }),
    );

  registerValidatePlanCommand(validate);

  validate
    .command('run')
    .description(
      'run techniques (or a plan, or an actor’s techniques) with an executor, then look for them in Threat Stack',
    )
    .requiredOption('--integration <name>', 'the Threat Stack integration to search')
    .option('--technique <id>', 'ATT&CK technique id (repeat for more)', collect, [] as string[])
    .option('--plan <file>', 'run a plan of `vigil validate plan` (one validation per evaluation)')
    .option('--actor <name|id>', 'plan and run every technique of this threat actor')
    .option('--host <hostname>', 'the host to run them on (with --plan: for actions that name none)')
    .addOption(
      new Option('--executor <name>', 'who runs them')
        .choices(['simulator'] as const)
        .default('simulator' as const),
    )
    .option(
      '--simulator-url <url>',
      "the Threat Stack simulator's URL (default: the integration's host and port)",
    )
    .option('--command <line>', 'the command each technique runs (default an echo of the technique)')
    .option('--name <name>', 'the validation name')
    .addOption(passRuleOption())
    .option(...waitOption)
    .option(...dbOption)
    .option('--json', 'print the validation(s) as JSON')
    .action((flags) =>
      withApp(flags, async (vigil) => {
        const sources = [flags.technique.length > 0, flags.plan !== undefined, flags.actor !== undefined];
        if (sources.filter(Boolean).length !== 1) {
          throw new VigilError('USAGE_INVALID', 'Give exactly one of --technique, --plan or --actor.', {
            hint: 'e.g. --technique T1059.004 --host web-01, or --plan plan.json, or --actor "APT 28" --host web-01.',
          });
        }
        const common = {
          integration: flags.integration,
          executor: flags.executor,
          simulatorUrl: flags.simulatorUrl,
          command: flags.command,
          name: flags.name,
          passRule: flags.passRule,
        };
        if (flags.technique.length > 0) {
          if (flags.host === undefined) {
            throw new VigilError('USAGE_INVALID', '--host is required with --technique.', {
              hint: 'Add --host web-01.',
            });
          }
          await created(
            vigil,
            await vigil.validations.run({ ...common, techniques: flags.technique, host: flags.host }),
            flags,
          );
          return;
        }
        const plan =
          flags.plan === undefined
            ? await vigil.campaigns.plan(flags.actor ?? '', [])
            : await readPlanFile(flags.plan);
        await createdMany(vigil, await vigil.campaigns.run(plan, { ...common, host: flags.host }), flags);
      }),
    );

  validate
    .command('list')
    .description('list validations, newest first')
    .option(...dbOption)
    .option('--json', 'print the validations as JSON')
    .action((flags) =>
      withApp(flags, async (vigil) => {
        const list = await vigil.validations.list();
        if (flags.json === true) printJson(list);
        else printList(list);
      }),
    );

  validate
    .command('show')
    .description('show a validation: actions, poll progress, verdicts, evidence, suspicious events')
    .argument('<id>', 'the validation id')
    .option('--watch', 'render again until every verdict is in')
    .option('--interval <seconds>', 'how often --watch renders (default 2)', seconds, 2)
    .option(...dbOption)
    .option('--json', 'print the report as JSON')
    .action((id, flags) =>
      withApp(flags, async (vigil) => {
        const show = () => vigil.validations.show(id);
        if (flags.watch === true && flags.json !== true) {
          await watchValidation(show, { intervalMs: flags.interval * 1000 });
          return;
        }
        const report =
          flags.watch === true
            ? await watchValidation(show, { intervalMs: flags.interval * 1000, write: () => {} })
            : await show();
        if (flags.json === true) printJson(report);
        else process.stdout.write(renderReport(report));
      }),
    );
}
