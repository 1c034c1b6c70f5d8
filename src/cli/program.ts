import { Command, CommanderError, type CommandUnknownOpts, Help } from '@commander-js/extra-typings';
import { VigilError } from '../errors.ts';
import { type CommandModule, commandModules, moduleServes, type RegisterCommands } from './command-index.ts';
import { reportError, wantsJson } from './output.ts';
import { configureOutputWidth } from './table.ts';

/**
 * Builds the `vigil` program with the real commands of the modules in `loaded` (their register
 * functions, by module) and, for every other module, a placeholder per top-level command that
 * only names and describes it (its term is printed as the module would print it), so that
 * `vigil --help` and usage errors list every command without loading the modules.
 */
function assembleProgram(loaded: ReadonlyMap<CommandModule, RegisterCommands>): Command {
  const placeholderTerms = new Map<CommandUnknownOpts, string>();
  const program = new Command('vigil')
    .description('Vigil: Threat Stack and ThreatConnect in one graph, detection validation and coverage.')
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .configureHelp({
      subcommandTerm: (sub) => placeholderTerms.get(sub) ?? new Help().subcommandTerm(sub),
    })
    .option('--wide', 'tables show whole cells instead of fitting the terminal')
    .hook('preAction', (root) => configureOutputWidth(root.opts().wide === true));
  for (const module of commandModules) {
    const register = loaded.get(module);
    if (register !== undefined) {
      register(program);
      continue;
    }
    for (const entry of module.commands) {
      placeholderTerms.set(program.command(entry.name).description(entry.description), entry.term);
    }
  }
  return program;
}

/** Loads the modules that define or join the top-level command `name` (none for an unknown name). */
async function loadModulesFor(name: string | undefined): Promise<Map<CommandModule, RegisterCommands>> {
  const needed = commandModules.filter((module) => name !== undefined && moduleServes(module, name));
  return new Map(await Promise.all(needed.map(async (module) => [module, await module.load()] as const)));
}

/** Builds the whole `vigil` program, every command module loaded (tests, help comparisons). */
export async function buildProgram(): Promise<Command> {
  return assembleProgram(
    new Map(await Promise.all(commandModules.map(async (module) => [module, await module.load()] as const))),
  );
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
  const args = argv.slice(2);
  const words = args.filter((arg) => !arg.startsWith('-'));
  const program = assembleProgram(await loadModulesFor(words[0] === 'help' ? words[1] : words[0]));
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
