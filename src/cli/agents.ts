import type { Command } from '@commander-js/extra-typings';
import type { AgentsExportRequest } from '../app/agents.ts';
import { threatStack } from '../connectors/threatstack/index.ts';
import { VigilError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { dbOption, withApp } from './app.ts';
import { scriptsConfigEnv } from './integration-flags.ts';
import { countOf } from './table.ts';

interface ExportFlags {
  status: string;
  format: string;
  output?: string | undefined;
  proxy?: string | undefined;
  raw?: true | undefined;
  integration?: string | undefined;
  config?: string | undefined;
  section?: string | undefined;
  db?: string | undefined;
}

/** The request the flags describe; INPUT_INVALID for a bad value or two sources of settings. */
function requestOf(flags: ExportFlags): AgentsExportRequest {
  const status = flags.status;
  if (status !== 'online' && status !== 'offline' && status !== 'all') {
    throw new VigilError('INPUT_INVALID', `--status must be online, offline or all, not '${status}'.`);
  }
  if (flags.format !== 'csv' && flags.format !== 'json') {
    throw new VigilError('INPUT_INVALID', `--format must be csv or json, not '${flags.format}'.`);
  }
  if (flags.integration !== undefined && flags.config !== undefined) {
    throw new VigilError('INPUT_INVALID', 'Give --integration or --config, not both.');
  }
  if (flags.section !== undefined && flags.config === undefined) {
    throw new VigilError('INPUT_INVALID', '--section goes with --config threatstack.cfg.');
  }
  const env =
    flags.config === undefined
      ? process.env
      : { ...process.env, ...scriptsConfigEnv(threatStack, flags.config, flags.section) };
  return {
    status,
    format: flags.format,
    output: flags.output,
    proxy: flags.proxy,
    raw: flags.raw === true,
    env,
    integration: flags.integration,
    logger: createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn'),
  };
}

export function registerAgentsCommands(program: Command): void {
  const agents = program.command('agents').description('Threat Stack agents from the live API');
  agents
    .command('export')
    .description(
      "Export agents like the vendor's GetAllAgents script (CSV with its 15 columns, or JSON); prints the file written",
    )
    .option('--status <status>', 'online, offline or all', 'online')
    .option('--format <format>', 'csv or json', 'csv')
    .option(
      '-o, --output <file>',
      'output file, - for stdout (default agents-<OrgName>-<YYYY-MM-DD>.<format>)',
    )
    .option('--integration <name>', 'use this registered Threat Stack integration (default: TS_* variables)')
    .option('--config <file>', "read TS_* settings from the vendor scripts' threatstack.cfg")
    .option('--section <name>', 'the organization section of --config (default DEFAULT)')
    .option('--proxy <url>', 'HTTP(S) proxy for every request')
    .option(
      '--raw',
      "write cells exactly as the vendor script does (no ' before =, +, -, @: spreadsheet formulas)",
    )
    .option(...dbOption)
    .action(async (flags: ExportFlags) => {
      const request = requestOf(flags);
      const toStdout = request.output === '-';
      // The script's lines go where the data does not.
      const say = (line: string) => (toStdout ? process.stderr : process.stdout).write(`${line}\n`);
      const result =
        request.integration === undefined
          ? await (await import('../app/agents.ts')).exportAgents(request, say)
          : await withApp(flags, (vigil) => vigil.agents.export(request, say));
      const wrote = `Wrote ${countOf(result.agents, 'agent')} to`;
      if (toStdout) process.stderr.write(`${wrote} stdout.\n`);
      else process.stdout.write(`${wrote} ${result.path}\n`);
    });
}
