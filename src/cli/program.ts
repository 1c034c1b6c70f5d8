import { Command, CommanderError } from '@commander-js/extra-typings';
import { VigilError } from '../errors.ts';
import { registerActorsCommands } from './actors.ts';
import { registerAgentsCommands } from './agents.ts';
import { registerAttackCommands } from './attack.ts';
import { registerExportCommands } from './export.ts';
import { registerGraphCommands } from './graph.ts';
import { registerInfoCommand } from './info.ts';
import { registerIntegrationsCommands } from './integrations.ts';
import { reportError, wantsJson } from './output.ts';
import { registerRulesCommands } from './rules.ts';
import { registerRunsCommands } from './runs.ts';
import { registerServeCommands } from './serve.ts';
import { registerSimulateCommands } from './simulate.ts';
import { registerSyncCommands } from './sync.ts';
import { registerTokensCommands } from './tokens.ts';
import { registerValidateCommands } from './validate.ts';

/** Builds the `vigil` program; each command group registers itself from its own module. */
export function buildProgram(): Command {
  const program = new Command('vigil')
    .description('Vigil: Threat Stack and ThreatConnect in one graph, detection validation and coverage.')
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  registerSyncCommands(program);
  registerGraphCommands(program);
  registerAgentsCommands(program);
  registerActorsCommands(program);
  registerSimulateCommands(program);
  registerAttackCommands(program);
  registerIntegrationsCommands(program);
  registerRunsCommands(program);
  registerServeCommands(program);
  registerExportCommands(program);
  registerTokensCommands(program);
  registerRulesCommands(program);
  registerValidateCommands(program);
  registerInfoCommand(program);
  return program;
}

/**
 * Runs the program on `argv` (`node vigil …`); every failure ends as one coded error line (or JSON)
 * and a non-zero `process.exitCode`.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return;
      const message = error.message.replace(/^error: /, '');
      process.exitCode = reportError(
        new VigilError('USAGE_INVALID', message, { hint: 'Run `vigil help <command>` to see its usage.' }),
        wantsJson(argv),
      );
      return;
    }
    process.exitCode = reportError(error, wantsJson(argv));
  }
}
