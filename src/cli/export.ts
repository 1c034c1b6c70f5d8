import type { Command } from '@commander-js/extra-typings';
import type { ExportSummary } from '../app/exports.ts';
import { dbOption, withApp } from './app.ts';
import { printJson } from './output.ts';

const actorOption = ['--actor <name|id>', 'the threat actor’s ThreatConnect id or name'] as const;
const outputOption = ['-o, --output <file>', 'the file to write (replaced atomically)'] as const;

/** Reports what an export holds: one line, or `--json`. */
function printExport(summary: ExportSummary, json: boolean): void {
  if (json) {
    printJson(summary);
    return;
  }
  const tested = summary.techniques - summary.byVerdict.untested;
  process.stdout.write(
    `Wrote ${summary.format} for ${summary.actor.name} to ${summary.output}: ${summary.techniques} techniques, ${tested} with a verdict.\n`,
  );
}

/**
 * `vigil export navigator|stix --actor NAME -o FILE`: an actor's techniques with their latest
 * verdicts as an ATT&CK Navigator layer (4.5) or a STIX 2.1 bundle.
 */
export function registerExportCommands(program: Command): void {
  const exports = program.command('export').description('Threat-informed coverage for other tools');
  exports
    .command('navigator')
    .description('An actor’s techniques, coloured by verdict, as an ATT&CK Navigator layer (format 4.5)')
    .requiredOption(...actorOption)
    .requiredOption(...outputOption)
    .option(...dbOption)
    .option('--json', 'print the summary as JSON')
    .action(async (flags) => {
      const summary = await withApp(flags, (vigil) => vigil.exports.navigator(flags.actor, flags.output));
      printExport(summary, flags.json === true);
    });
  exports
    .command('stix')
    .description('An actor, its techniques and their verdicts as a STIX 2.1 bundle with stable ids')
    .requiredOption(...actorOption)
    .requiredOption(...outputOption)
    .option('--timestamp <instant>', 'created/modified of the objects (default: the actor’s last sync)')
    .option(...dbOption)
    .option('--json', 'print the summary as JSON')
    .action(async (flags) => {
      const summary = await withApp(flags, (vigil) =>
        vigil.exports.stix(flags.actor, flags.output, flags.timestamp),
      );
      printExport(summary, flags.json === true);
    });
}
