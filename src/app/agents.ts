import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
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
  /** Write cells byte for byte as the vendor script does, without neutralizing spreadsheet formulas. */
  raw?: boolean;
  /** The vendor's TS_* variables. */
  env: NodeJS.ProcessEnv;
  logger?: Logger;
}

function writeFailed(path: string, error: unknown): VigilError {
  return new VigilError('FILE_WRITE_FAILED', `Cannot write ${path}: ${(error as Error).message}`, {
    hint: 'Choose another -o path (a writable directory with free space).',
  });
}

function write(output: Output, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    output.stream.write(text, (error) => (error ? reject(writeFailed(output.path, error)) : resolve()));
  });
}

/**
 * Where the export goes. A regular file (or a new one) is written as a temporary file beside it
 * and renamed into place on success, so a failed export leaves an existing file untouched; a
 * device or pipe (`/dev/stdout`) is written directly, as there is nothing to rename over.
 */
interface Output {
  path: string;
  stream: WriteStream;
  /** Moves the written file into place (nothing for a device). */
  commit(): Promise<void>;
  /** Removes what was written (nothing for a device). */
  discard(): Promise<void>;
}

async function isSpecialFile(path: string): Promise<boolean> {
  const stats = await stat(path).catch(() => undefined);
  return stats !== undefined && !stats.isFile();
}

function openStream(path: string, flags: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(path, { flags });
    stream.once('open', () => resolve(stream));
    stream.once('error', (error) => reject(writeFailed(path, error)));
  });
}

async function openOutput(path: string): Promise<Output> {
  if (await isSpecialFile(path)) {
    const stream = await openStream(path, 'a');
    return { path, stream, commit: async () => {}, discard: async () => {} };
  }
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const stream = await openStream(temporary, 'wx');
  return {
    path,
    stream,
    commit: () => rename(temporary, path).catch((error) => Promise.reject(writeFailed(path, error))),
    discard: () => rm(temporary, { force: true }),
  };
}

function closeOutput(output: Output): Promise<void> {
  return new Promise((resolve, reject) => {
    output.stream.once('error', (error) => reject(writeFailed(output.path, error)));
    output.stream.end(() => resolve());
  });
}

/** One page of agents in the export's format, with the vendor script's notes on unexpected keys. */
function pageChunk(
  page: readonly Parameters<typeof agentRow>[0][],
  format: 'csv' | 'json',
  firstIndex: number,
  raw: boolean,
  say: (line: string) => void,
): string {
  let chunk = '';
  page.forEach((agent, index) => {
    if (format === 'json') {
      chunk += `${firstIndex + index > 0 ? ',' : ''}\n${JSON.stringify(agent)}`;
      return;
    }
    const row = agentRow(agent, { raw });
    for (const [key, value] of row.unexpected)
      say(`Unexpected key,val pair:  ${key} ${JSON.stringify(value)}`);
    chunk += csvLine(row.cells);
  });
  return chunk;
}

/**
 * Exports the agents of the organization the TS_* variables name, as the vendor's GetAllAgents
 * script does (C13): CSV with its 15 columns, or JSON; `say` gets its lines (`Returned N agents.`,
 * `N agents written to file.` per page). Cells a spreadsheet would run as formulas are neutralized
 * unless `raw`. An existing file is replaced only when the export succeeds. Returns the path written.
 */
export async function exportAgents(
  request: AgentsExportRequest,
  say: (line: string) => void,
): Promise<string> {
  const { config, secrets } = threatStack.fromEnv(request.env, request.proxy ? { proxy: request.proxy } : {});
  const path = request.output ?? exportFileName(config.orgName, new Date(), request.format);
  const client = threatStack.createClient(config, secrets, request.logger ? { logger: request.logger } : {});
  const output = await openOutput(path);
  try {
    await writeAgents(client, request, output, say);
    await closeOutput(output);
    await output.commit();
  } catch (error) {
    output.stream.destroy();
    await output.discard();
    throw error;
  } finally {
    await client.close();
  }
  return path;
}

async function writeAgents(
  client: ReturnType<typeof threatStack.createClient>,
  request: AgentsExportRequest,
  output: Output,
  say: (line: string) => void,
): Promise<void> {
  let written = 0;
  await write(output, request.format === 'csv' ? csvLine(getAllAgentsHeader) : '[');
  const statuses = request.status === 'all' ? (['online', 'offline'] as const) : [request.status];
  for (const status of statuses) {
    for await (const page of client.iterateAgents(status)) {
      if (page.length === 0) {
        say('0 agents found, exiting.');
        if (request.format === 'json') await write(output, '\n]\n');
        return;
      }
      say(`Returned ${page.length} agents.`);
      await write(output, pageChunk(page, request.format, written, request.raw === true, say));
      written += page.length;
      say(`${page.length} agents written to file.`);
    }
  }
  if (request.format === 'json') await write(output, '\n]\n');
}
