import { createWriteStream, type WriteStream } from 'node:fs';
import type { Logger } from 'pino';
import {
  agentRow,
  csvLine,
  exportFileName,
  getAllAgentsHeader,
} from '../connectors/threatstack/agents-export.ts';
import { threatStack } from '../connectors/threatstack/index.ts';
import { VigilError } from '../errors.ts';

/** What `vigil agents export` asks for. */
export interface AgentsExportRequest {
  status: 'online' | 'offline' | 'all';
  format: 'csv' | 'json';
  /** The file to write; default `agents-<OrgName>-<YYYY-MM-DD>.<format>` in the working directory. */
  output?: string | undefined;
  proxy?: string | undefined;
  /** The vendor's TS_* variables. */
  env: NodeJS.ProcessEnv;
  logger?: Logger;
}

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

/** One page of agents in the export's format, with the vendor script's notes on unexpected keys. */
function pageChunk(
  page: readonly Parameters<typeof agentRow>[0][],
  format: 'csv' | 'json',
  firstIndex: number,
  say: (line: string) => void,
): string {
  let chunk = '';
  page.forEach((agent, index) => {
    if (format === 'json') {
      chunk += `${firstIndex + index > 0 ? ',' : ''}\n${JSON.stringify(agent)}`;
      return;
    }
    const row = agentRow(agent);
    for (const [key, value] of row.unexpected)
      say(`Unexpected key,val pair:  ${key} ${JSON.stringify(value)}`);
    chunk += csvLine(row.cells);
  });
  return chunk;
}

/**
 * Exports the agents of the organization the TS_* variables name, as the vendor's GetAllAgents
 * script does (C13): CSV with its 15 columns, or JSON; `say` gets its lines (`Returned N agents.`,
 * `N agents written to file.` per page). Returns the path written.
 */
export async function exportAgents(
  request: AgentsExportRequest,
  say: (line: string) => void,
): Promise<string> {
  const { config, secrets } = threatStack.fromEnv(request.env, request.proxy ? { proxy: request.proxy } : {});
  const path = request.output ?? exportFileName(config.orgName, new Date(), request.format);
  const client = threatStack.createClient(config, secrets, request.logger ? { logger: request.logger } : {});
  const output = await openOutput(path);
  let written = 0;
  try {
    await write(output, request.format === 'csv' ? csvLine(getAllAgentsHeader) : '[');
    const statuses = request.status === 'all' ? (['online', 'offline'] as const) : [request.status];
    exportLoop: for (const status of statuses) {
      for await (const page of client.iterateAgents(status)) {
        if (page.length === 0) {
          say('0 agents found, exiting.');
          break exportLoop;
        }
        say(`Returned ${page.length} agents.`);
        await write(output, pageChunk(page, request.format, written, say));
        written += page.length;
        say(`${page.length} agents written to file.`);
      }
    }
    if (request.format === 'json') await write(output, '\n]\n');
  } finally {
    await new Promise<void>((resolve) => output.end(resolve));
    await client.close();
  }
  return path;
}
