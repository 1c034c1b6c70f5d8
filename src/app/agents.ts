import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { ConnectorSecrets } from '../connectors/descriptor.ts';
import {
  agentRow,
  csvLine,
  exportFileName,
  getAllAgentsHeader,
} from '../connectors/threatstack/agents-export.ts';
import { type ThreatStackConfig, threatStack } from '../connectors/threatstack/index.ts';
import { VigilError } from '../errors.ts';
import type { AppContext } from './context.ts';

/** What `vigil agents export` asks for. */
export interface AgentsExportRequest {
  status: 'online' | 'offline' | 'all';
  format: 'csv' | 'json';
  /**
   * The file to write, `-` for `stdout` (below); default `agents-<OrgName>-<YYYY-MM-DD>.<format>`
   * in the working directory.
   */
  output?: string | undefined;
  /** Where `-o -` writes (the process's stdout unless a caller gives another stream). */
  stdout?: Writable;
  proxy?: string | undefined;
  /** Write cells byte for byte as the vendor script does, without neutralizing spreadsheet formulas. */
  raw?: boolean;
  /** The vendor's TS_* variables (when no `integration` is named). */
  env?: NodeJS.ProcessEnv | undefined;
  /** A registered Threat Stack integration (name or id) whose settings and key to use instead. */
  integration?: string | undefined;
  logger?: Logger;
}

/** What an export wrote: the file (`-` for stdout) and the number of agents. */
export interface AgentsExportResult {
  path: string;
  agents: number;
}

function writeFailed(path: string, error: unknown): VigilError {
  return new VigilError('FILE_WRITE_FAILED', `Cannot write ${path}: ${(error as Error).message}`, {
    hint: 'Choose another -o path (a writable directory with free space).',
  });
}

function write(output: Pick<Output, 'path' | 'stream'>, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    output.stream.write(text, (error) => (error ? reject(writeFailed(output.path, error)) : resolve()));
  });
}

/**
 * Where the export goes. A regular file (or a new one) is written as a temporary file beside it
 * and renamed into place on success, so a failed export leaves an existing file untouched; a
 * device or pipe (`/dev/stdout`) is written directly, as there is nothing to rename over; `-` is
 * the caller's stdout, drained but never ended.
 */
interface Output {
  path: string;
  stream: Writable;
  /** Ends the stream (a shared stream such as stdout is only drained, never ended). */
  close(): Promise<void>;
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

const nothing = async () => {};

async function openOutput(path: string, stdout: Writable): Promise<Output> {
  if (path === '-') {
    const target = { path: 'stdout', stream: stdout };
    return { ...target, close: () => write(target, ''), commit: nothing, discard: nothing };
  }
  if (await isSpecialFile(path)) {
    const stream = await openStream(path, 'a');
    return { path, stream, close: () => closeStream(path, stream), commit: nothing, discard: nothing };
  }
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const stream = await openStream(temporary, 'wx');
  return {
    path,
    stream,
    close: () => closeStream(path, stream),
    commit: () => rename(temporary, path).catch((error) => Promise.reject(writeFailed(path, error))),
    discard: () => rm(temporary, { force: true }),
  };
}

function closeStream(path: string, stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', (error) => reject(writeFailed(path, error)));
    stream.end(() => resolve());
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

/** The settings an export runs with: a registered integration's, else the TS_* variables'. */
async function exportSettings(
  request: AgentsExportRequest,
  ctx: Pick<AppContext, 'registry'> | undefined,
): Promise<{ config: ThreatStackConfig; secrets: ConnectorSecrets }> {
  const overrides = request.proxy ? { proxy: request.proxy } : {};
  if (request.integration === undefined || ctx === undefined) {
    return threatStack.fromEnv(request.env ?? {}, overrides);
  }
  const resolved = await ctx.registry.resolve(request.integration);
  if (resolved.config.kind !== 'threatstack') {
    throw new VigilError(
      'INPUT_INVALID',
      `Integration ${resolved.integration.name} is ${resolved.config.kind}; agents export reads a Threat Stack integration.`,
    );
  }
  if (resolved.apiKey === null) {
    throw new VigilError('CONFIG_INVALID', `Integration ${resolved.integration.name} has no API key.`, {
      hint: `Set it with \`vigil integrations update ${resolved.integration.name} --api-key-file FILE\`.`,
    });
  }
  const config = threatStack.configSchema.parse({ ...resolved.config, ...overrides });
  return { config, secrets: { apiKey: resolved.apiKey } };
}

/**
 * Exports the agents of a Threat Stack organization, as the vendor's GetAllAgents script does
 * (C13): CSV with its 15 columns, or JSON; `say` gets its lines (`Returned N agents.`,
 * `N agents written to file.` per page). The organization is the registered `integration` (with
 * `ctx`) or the one the TS_* variables of `env` name. Cells a spreadsheet would run as formulas are
 * neutralized unless `raw`. An existing file is replaced only when the export succeeds.
 */
export async function exportAgents(
  request: AgentsExportRequest,
  say: (line: string) => void,
  ctx?: Pick<AppContext, 'registry'>,
): Promise<AgentsExportResult> {
  const { config, secrets } = await exportSettings(request, ctx);
  const path = request.output ?? exportFileName(config.orgName, new Date(), request.format);
  const client = threatStack.createClient(config, secrets, request.logger ? { logger: request.logger } : {});
  const output = await openOutput(path, request.stdout ?? process.stdout);
  try {
    const agents = await writeAgents(client, request, output, say);
    await output.close();
    await output.commit();
    return { path, agents };
  } catch (error) {
    if (path !== '-') output.stream.destroy();
    await output.discard();
    throw error;
  } finally {
    await client.close();
  }
}

/** `vigil.agents`: exports over the registered integrations of an open Vigil. */
export function agentsService(ctx: Pick<AppContext, 'registry'>) {
  return {
    export: (request: AgentsExportRequest, say: (line: string) => void) => exportAgents(request, say, ctx),
  };
}

async function writeAgents(
  client: ReturnType<typeof threatStack.createClient>,
  request: AgentsExportRequest,
  output: Output,
  say: (line: string) => void,
): Promise<number> {
  let written = 0;
  await write(output, request.format === 'csv' ? csvLine(getAllAgentsHeader) : '[');
  const statuses = request.status === 'all' ? (['online', 'offline'] as const) : [request.status];
  for (const status of statuses) {
    for await (const page of client.iterateAgents(status)) {
      // An empty page ends this status's listing only: `all` goes on to the offline agents.
      if (page.length === 0) {
        if (status === statuses.at(-1)) say('0 agents found, exiting.');
        break;
      }
      say(`Returned ${page.length} agents.`);
      await write(output, pageChunk(page, request.format, written, request.raw === true, say));
      written += page.length;
      say(`${page.length} agents written to file.`);
    }
  }
  if (request.format === 'json') await write(output, '\n]\n');
  return written;
}
