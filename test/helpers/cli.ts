import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningThreatStackSimulator } from '../../src/simulators/threatstack/server.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const vigilBin = join(repoRoot, 'bin', 'vigil.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `vigil <args>` to completion (no stdin) and returns its exit code and output. */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vigilBin, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The vendor environment variables that point `vigil` at a simulator. */
export function threatStackEnv(
  sim: RunningThreatStackSimulator,
  overrides: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const url = new URL(sim.url);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TS_USER_ID: sim.credentials.userId,
    TS_API_KEY: sim.credentials.apiKey,
    TS_ORGANIZATION_ID: sim.credentials.orgId,
    TS_ORGANIZATION_NAME: sim.credentials.orgName,
    TS_HOST: url.hostname,
    TS_PORT: url.port,
    TS_PROTOCOL: 'http',
    ...overrides,
  };
  delete env.VIGIL_DB;
  return env;
}
