import { createWriteStream, type WriteStream } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import {
  agentRow,
  csvLine,
  exportFileName,
  getAllAgentsHeader,
} from '../connectors/threatstack/agents-export.ts';
import { threatStack } from '../connectors/threatstack/index.ts';
import { VigilError } from '../errors.ts';
import { createLogger } from '../log.ts';

function write(stream: WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

function openOutput(path: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(path, { flags: 'w' });
    stream.once('open', () => resolve(stream));
    stream.once('error', (error) =>
      reject(
        new VigilError('FILE_WRITE_FAILED', `Cannot write ${path}: ${error.message}`, {
          hint: 'Choose another -o path.',
        }),
      ),
    );
  });
}

export function registerAgentsCommands(program: Command): void {
  const agents = program.command('agents').description('Threat Stack agents from the live API');
  agents
    .command('export')
    .description("Export agents like the vendor's GetAllAgents script (CSV with its 15 columns, or JSON)")
    .option('--status <status>', 'online, offline or all', 'online')
    .option('--format <format>', 'csv or json', 'csv')
    .option('-o, --output <file>', 'output file (default agents-<OrgName>-<YYYY-MM-DD>.<format>)')
    .option('--proxy <url>', 'HTTP(S) proxy for every request')
    .action(async (flags) => {
      if (!['online', 'offline', 'all'].includes(flags.status)) {
        throw new VigilError(
          'INPUT_INVALID',
          `--status must be online, offline or all, not '${flags.status}'.`,
        );
      }
      if (flags.format !== 'csv' && flags.format !== 'json') {
        throw new VigilError('INPUT_INVALID', `--format must be csv or json, not '${flags.format}'.`);
      }
      const format = flags.format;
      const { config, secrets } = threatStack.fromEnv(process.env, flags.proxy ? { proxy: flags.proxy } : {});
      const path = flags.output ?? exportFileName(config.orgName, new Date(), format);
      const client = threatStack.createClient(config, secrets, {
        logger: createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn'),
      });
      const output = await openOutput(path);
      let written = 0;
      try {
        await write(output, format === 'csv' ? csvLine(getAllAgentsHeader) : '[');
        const statuses =
          flags.status === 'all'
            ? (['online', 'offline'] as const)
            : ([flags.status] as ['online' | 'offline']);
        exportLoop: for (const status of statuses) {
          for await (const page of client.iterateAgents(status)) {
            if (page.length === 0) {
              process.stdout.write('0 agents found, exiting.\n');
              break exportLoop;
            }
            process.stdout.write(`Returned ${page.length} agents.\n`);
            let chunk = '';
            for (const agent of page) {
              if (format === 'json') {
                chunk += `${written > 0 ? ',' : ''}\n${JSON.stringify(agent)}`;
              } else {
                const row = agentRow(agent);
                for (const [key, value] of row.unexpected) {
                  process.stdout.write(`Unexpected key,val pair:  ${key} ${JSON.stringify(value)}\n`);
                }
                chunk += csvLine(row.cells);
              }
              written++;
            }
            await write(output, chunk);
            process.stdout.write(`${page.length} agents written to file.\n`);
          }
        }
        if (format === 'json') await write(output, '\n]\n');
      } finally {
        await new Promise<void>((resolve) => output.end(resolve));
        await client.close();
      }
    });
}
