import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** What decides where the user data directory is (tests pass their own). */
export interface HomeContext {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
}

/**
 * Vigil's home, where its state lives whatever the working directory: `VIGIL_HOME` when set,
 * else the platform's user data directory — `$XDG_DATA_HOME/vigil` or `~/.local/share/vigil` on
 * Linux, `~/Library/Application Support/vigil` on macOS, `%APPDATA%\vigil` on Windows. Absolute.
 */
export function vigilHomeFor({ env, platform, homedir: home }: HomeContext): string {
  if (env.VIGIL_HOME) return resolve(env.VIGIL_HOME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'vigil');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'vigil');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'vigil');
}

/** Vigil's home on this machine (see `vigilHomeFor`). */
export function vigilHome(env: NodeJS.ProcessEnv = process.env): string {
  return vigilHomeFor({ env, platform: process.platform, homedir: homedir() });
}
