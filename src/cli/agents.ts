import type { Command } from '@commander-js/extra-typings';
import { exportAgents } from '../app/agents.ts';
import { VigilError } from '../errors.ts';
import { createLogger } from '../log.ts';

export function registerAgentsCommands(program: Command): void {
  const agents = program.command('agents').description('Threat Stack agents from the live API');
  agents
    .command('export')
    .description("Export agents like the vendor's GetAllAgents script (CSV with its 15 columns, or JSON)")
    .option('--status <status>', 'online, offline or all', 'online')
    .option('--format <format>', 'csv or json', 'csv')
    .option('-o, --output <file>', 'output file (default agents-<OrgName>-<YYYY-MM-DD>.<format>)')
    .option('--proxy <url>', 'HTTP(S) proxy for every request')
    .option(
      '--raw',
      "write cells exactly as the vendor script does (no ' before =, +, -, @: spreadsheet formulas)",
    )
    .action(async (flags) => {
      const status = flags.status;
      if (status !== 'online' && status !== 'offline' && status !== 'all') {
        throw new VigilError('INPUT_INVALID', `--status must be online, offline or all, not '${status}'.`);
      }
      if (flags.format !== 'csv' && flags.format !== 'json') {
        throw new VigilError('INPUT_INVALID', `--format must be csv or json, not '${flags.format}'.`);
      }
      await exportAgents(
        {
          status,
          format: flags.format,
          output: flags.output,
          proxy: flags.proxy,
          raw: flags.raw === true,
          env: process.env,
          logger: createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn'),
        },
        (line) => process.stdout.write(`${line}\n`),
      );
    });
}
