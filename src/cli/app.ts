import type { GraphService } from '../app/graph.ts';
import { parseSettings, type VigilSettings } from '../app/settings.ts';
import type { Vigil } from '../app/vigil.ts';

/** `--db`, the one flag every command that reads or writes the database takes. */
export const dbOption = [
  '--db <path|url>',
  'database file or postgres:// URL (default: VIGIL_DB, else vigil.db in the Vigil home; see `vigil info`)',
] as const;

/** The settings of this run: flags over the environment. */
export function settingsOf(flags: { db?: string | undefined }): VigilSettings {
  return parseSettings({ env: process.env, db: flags.db });
}

/**
 * Opens Vigil with `settings`, runs `work`, closes it. The application (store, services and all
 * they import) is loaded here, when a command runs, never when the program is built: `vigil --help`
 * stays fast (test/startup.test.ts checks what it loads).
 */
export async function withSettings<T>(
  settings: VigilSettings,
  work: (vigil: Vigil) => Promise<T>,
): Promise<T> {
  const { withVigil } = await import('../app/vigil.ts');
  return withVigil(settings, work);
}

/** Opens Vigil with the command's flags, runs `work`, closes it (see `withSettings`). */
export function withApp<T>(
  flags: { db?: string | undefined },
  work: (vigil: Vigil) => Promise<T>,
): Promise<T> {
  return withSettings(settingsOf(flags), work);
}

/**
 * Runs `work` on the graph of the command's flags: the store alone, loaded when the command runs,
 * for the reading commands that need nothing else (see `withGraph`).
 */
export async function withGraphOf<T>(
  flags: { db?: string | undefined },
  work: (graph: GraphService) => Promise<T>,
): Promise<T> {
  const { withGraph } = await import('../app/graph.ts');
  return withGraph(settingsOf(flags), work);
}
