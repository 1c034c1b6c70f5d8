import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { writeFileAtomically } from '../app/files.ts';
import type { CreatedValidation } from '../app/validation.ts';
import type { Vigil } from '../app/vigil.ts';
import { parseValidationPlan, type ValidationPlan } from '../coverage/plan.ts';
import { VigilError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { dbOption, withApp } from './app.ts';
import { printJson } from './output.ts';
import { renderReport } from './validate-report.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Prints the validations of a plan; with `--wait`, drives their polls here and prints the reports. */
export async function createdMany(
  vigil: Vigil,
  validations: CreatedValidation[],
  flags: { json?: true | undefined; wait?: true | undefined },
): Promise<void> {
  if (flags.wait === true) {
    const { runPollsInProcess } = await import('../app/validation-runner.ts');
    const reports = await runPollsInProcess(
      vigil,
      validations.map((v) => v.id),
      { logger: createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn'), tickMs: 1000 },
    );
    if (flags.json === true) printJson({ validations, reports });
    else for (const report of reports) process.stdout.write(renderReport(report));
    return;
  }
  if (flags.json === true) {
    printJson({ validations });
    return;
  }
  for (const validation of validations) {
    process.stdout.write(
      `Created validation ${validation.id} (${validation.name}): ${validation.actions} action(s), first poll at ${validation.firstPollAt}.\n`,
    );
  }
  process.stdout.write(
    'Their polls run in `vigil serve` (or add --wait); follow one with `vigil validate show ID --watch`.\n',
  );
}

/** A plan file read and checked (INPUT_INVALID when unreadable or not a plan). */
export async function readPlanFile(file: string): Promise<ValidationPlan> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new VigilError('INPUT_INVALID', `${file} could not be read.`, { cause: error });
  });
  return parseValidationPlan(text, file);
}

/** `vigil validate plan --actor NAME|ID [--host H …] [-o FILE] [--json]` (issue 14). */
export function registerValidatePlanCommand(validate: Command): void {
  validate
    .command('plan')
    .description(
      'plan an actor’s techniques (own and its threats’ ATT&CK tags) as actions, ≤ 100 per evaluation',
    )
    .requiredOption('--actor <name|id>', 'the threat actor’s ThreatConnect id or name')
    .option(
      '--host <hostname>',
      'a host to run every technique on (repeat for more; default: given at run)',
      collect,
      [] as string[],
    )
    .option('-o, --output <file>', 'write the plan to this file (replaced atomically)')
    .option(...dbOption)
    .option('--json', 'print the plan as JSON (default when there is no -o)')
    .action((flags) =>
      withApp(flags, async (vigil) => {
        const plan = await vigil.campaigns.plan(flags.actor, flags.host);
        if (flags.output === undefined || flags.json === true) printJson(plan);
        if (flags.output !== undefined) {
          const path = resolve(flags.output);
          await writeFileAtomically(path, `${JSON.stringify(plan, null, 2)}\n`, 'Choose another -o path.');
          const skipped =
            plan.skipped.length === 0 ? '' : ` (${plan.skipped.length} skipped: not in the catalogue)`;
          process.stderr.write(
            `Wrote the plan for ${plan.actor.name} to ${path}: ${plan.techniques.length} techniques${skipped}, ` +
              `${plan.actions.length} actions in ${plan.evaluations} evaluation(s). Run it with ` +
              `\`vigil validate run --plan ${flags.output} --integration NAME\`.\n`,
          );
        }
      }),
    );
}
