import { Command, CommanderError, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { VigilError } from '../errors.ts';
import { registerActorsCommands } from './actors.ts';
import { registerAgentsCommands } from './agents.ts';
import { registerAttackCommands } from './attack.ts';
import { registerCoverageCommand } from './coverage.ts';
import { registerDemoCommand } from './demo.ts';
import { registerExportCommands } from './export.ts';
import { registerGraphCommands } from './graph.ts';
import { registerInfoCommand } from './info.ts';
import { registerIntegrationsCommands } from './integrations.ts';
import { registerMonitorCommands } from './monitors.ts';
import { reportError, wantsJson } from './output.ts';
import { registerQueryCommand } from './query.ts';
import { registerReadingCommands } from './reading.ts';
import { registerRulesCommands } from './rules.ts';
import { registerRunsCommands } from './runs.ts';
import { registerServeCommands } from './serve.ts';
import { registerSimulateCommands } from './simulate.ts';
import { registerSyncCommands } from './sync.ts';
import { configureOutputWidth } from './table.ts';
import { registerTokensCommands } from './tokens.ts';
import { registerValidateCommands } from './validate.ts';
import { registerWebhookCommand } from './webhook.ts';

/** Builds the `vigil` program; each command group registers itself from its own module. */
export function buildProgram(): Command {
  const program = new Command('vigil')
    .description('Vigil: Threat Stack and ThreatConnect in one graph, detection validation and coverage.')
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .option('--wide', 'tables show whole cells instead of fitting the terminal')
    .hook('preAction', (root) => configureOutputWidth(root.opts().wide === true));
  registerSyncCommands(program);
  registerGraphCommands(program);
  registerAgentsCommands(program);
  registerActorsCommands(program);
  registerSimulateCommands(program);
  registerDemoCommand(program);
  registerAttackCommands(program);
  registerIntegrationsCommands(program);
  registerWebhookCommand(program);
  registerRunsCommands(program);
  registerServeCommands(program);
  registerExportCommands(program);
  registerCoverageCommand(program);
  registerTokensCommands(program);
  registerRulesCommands(program);
  registerMonitorCommands(program);
  registerQueryCommand(program);
  registerReadingCommands(program);
  registerValidateCommands(program);
  registerInfoCommand(program);
  return program;
}

/** The commands a usage error lists, so that the user sees what exists. */
function commandList(command: CommandUnknownOpts): string {
  return command.commands.map((sub) => sub.name()).join(', ');
}

/**
 * The command `vigil help a b` asks about (`a b`), walking the tree; USAGE_INVALID naming the
 * unknown word and listing what exists at that level.
 */
function helpTarget(program: Command, names: readonly string[]): CommandUnknownOpts {
  let command: CommandUnknownOpts = program;
  for (const name of names) {
    const sub = command.commands.find(
      (candidate) => candidate.name() === name || candidate.aliases().includes(name),
    );
    if (sub === undefined) {
      throw new VigilError(
        'USAGE_INVALID',
        `unknown command '${[...names.slice(0, names.indexOf(name)), name].join(' ')}'`,
        {
          hint: `Commands: ${commandList(command)}.`,
        },
      );
    }
    command = sub;
  }
  return command;
}

/** A commander failure as a coded error: unknown commands list the commands that exist. */
function usageError(error: CommanderError, program: Command): VigilError {
  const message = error.message.replace(/^error: /, '');
  const hint =
    error.code === 'commander.unknownCommand'
      ? `Commands: ${commandList(program)}. Run \`vigil help <command>\` to see its usage.`
      : 'Run `vigil help <command>` to see its usage.';
  return new VigilError('USAGE_INVALID', message, { hint });
}

/**
 * Runs the program on `argv` (`node vigil …`); every failure ends as one coded error line (or JSON)
 * and a non-zero `process.exitCode`. Bare `vigil` and `vigil help [command…]` print usage on stdout
 * (exit 0); a bare group prints its usage on stderr (exit 2: a command is missing).
 */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  const args = argv.slice(2);
  try {
    if (args.length === 0 || args[0] === 'help') {
      helpTarget(program, args.slice(1)).outputHelp();
      return;
    }
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return;
      if (error.code === 'commander.help') {
        process.exitCode = 2;
        return;
      }
      process.exitCode = reportError(usageError(error, program), wantsJson(argv));
      return;
    }
    process.exitCode = reportError(error, wantsJson(argv));
  }
}
