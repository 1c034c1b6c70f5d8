import { Help } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { commandModules } from '../../src/cli/command-index.ts';
import { buildProgram } from '../../src/cli/program.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';

/**
 * `vigil` loads a command module only when one of its commands runs (issue 11), from the help
 * lines of src/cli/command-index.ts; these tests hold that index to what the modules register,
 * so that lazy loading changes no output.
 */
describe('command index', () => {
  it('lists every top-level command the modules register, in order, with its term and description', async () => {
    const program = await buildProgram();
    const help = new Help();
    const registered = program.commands.map((command) => ({
      name: command.name(),
      term: help.subcommandTerm(command),
      description: command.description(),
    }));
    expect(commandModules.flatMap((module) => module.commands)).toEqual(registered);
  });

  it('prints the same `vigil --help` as the program with every module loaded', async () => {
    const expected = (await buildProgram()).helpInformation();
    const result = await runInProcess(['--help'], {});
    expect(result).toEqual({ code: 0, stdout: expected, stderr: '' });
  });

  it('prints the same usage for each command, loading only the modules that define or join it', async () => {
    const program = await buildProgram();
    for (const command of program.commands) {
      const result = await runInProcess(['help', command.name()], {});
      expect({ name: command.name(), ...result }).toEqual({
        name: command.name(),
        code: 0,
        stdout: command.helpInformation(),
        stderr: '',
      });
    }
  });

  it('names every command in a usage error for an unknown one', async () => {
    const result = await runInProcess(['bogus'], {});
    expect(result.code).toBe(2);
    const names = commandModules.flatMap((module) => module.commands.map((command) => command.name));
    expect(result.stderr).toContain(`Commands: ${names.join(', ')}.`);
  });
});
