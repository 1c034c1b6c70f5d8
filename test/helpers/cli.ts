import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** The VIGIL_HOME of spawned `vigil` processes that are given none: a temp directory, never the real home. */
export const testHome = mkdtempSync(join(tmpdir(), 'vigil-test-home-'));

/** Runs `vigil <args>` to completion (no stdin) and returns its exit code and output. */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  const env = options.env ?? process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vigilBin, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...env, VIGIL_HOME: env.VIGIL_HOME || testHome },
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
