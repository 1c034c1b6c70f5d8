import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

/** The largest configuration file Vigil reads whole (a CA bundle, a key or password file): 1 MiB. */
export const maxConfigFileBytes = 1024 * 1024;

/**
 * Why a path cannot be read as a small configuration file, or null when it can: it is not a
 * regular file (a device such as /dev/zero, a pipe or a directory would never end or block) or it
 * is larger than `maxBytes`. Errors of `stat` itself (ENOENT, EACCES) are returned as their code.
 */
function refusal(stats: { isFile(): boolean; size: number }, maxBytes: number): string | null {
  if (!stats.isFile()) return 'not a regular file';
  if (stats.size > maxBytes) return `larger than ${maxBytes} bytes`;
  return null;
}

function reasonOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** Thrown by the readers below; `reason` is short and never holds the file's content. */
export class FileRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Reads a small regular file as UTF-8; FileRefused with the reason otherwise. */
export function readBoundedFileSync(path: string, maxBytes = maxConfigFileBytes): string {
  let text: string;
  try {
    const refused = refusal(statSync(path), maxBytes);
    if (refused !== null) throw new FileRefused(refused);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw error instanceof FileRefused ? error : new FileRefused(reasonOf(error));
  }
  if (Buffer.byteLength(text) > maxBytes) throw new FileRefused(`larger than ${maxBytes} bytes`);
  return text;
}

/** Reads a small regular file as UTF-8 without blocking the loop; FileRefused with the reason otherwise. */
export async function readBoundedFile(path: string, maxBytes = maxConfigFileBytes): Promise<string> {
  let text: string;
  try {
    const refused = refusal(await stat(path), maxBytes);
    if (refused !== null) throw new FileRefused(refused);
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw error instanceof FileRefused ? error : new FileRefused(reasonOf(error));
  }
  if (Buffer.byteLength(text) > maxBytes) throw new FileRefused(`larger than ${maxBytes} bytes`);
  return text;
}
