import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { VigilError } from '../errors.ts';

/**
 * Writes `text` beside `path`, then renames it into place, so a reader never sees half a file and
 * a failed write leaves an existing file untouched. FILE_WRITE_FAILED (with `hint`) otherwise.
 */
export async function writeFileAtomically(path: string, text: string, hint: string): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw new VigilError('FILE_WRITE_FAILED', `Cannot write ${path}: ${(error as Error).message}`, { hint });
  }
}
