import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RunningThreatConnectSimulator } from '../../src/simulators/threatconnect/server.ts';
import type { RunningThreatStackSimulator } from '../../src/simulators/threatstack/server.ts';
import type { GraphStore, RunRecord } from '../../src/store/types.ts';
import { repoRoot } from '../helpers/cli.ts';

/** What the spawned `vigil serve` / `vigil worker` tests share. */

const vigilBin = join(repoRoot, 'bin', 'vigil.js');

export interface LogLine {
  msg: string;
  integration?: string;
  runId?: string;
  status?: string;
  [field: string]: unknown;
}

/** A `vigil` process with its own environment, whose pino lines on stderr the test reads. */
export class VigilProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [vigilBin, ...args], { cwd: repoRoot, env });
    this.child.stdout.resume();
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    });
  }

  logs(): LogLine[] {
    return this.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  }

  /** Waits for a log line (the deadline only stops a broken test from hanging). */
  async waitForLog(match: (line: LogLine) => boolean, what: string): Promise<LogLine> {
    await waitUntil(async () => this.logs().some(match), `${what}; stderr so far:\n${this.stderr}`);
    return this.logs().find(match)!;
  }

  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Polls a condition every 100 ms; fails after 60 s so that a broken test does not hang. */
export async function waitUntil(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The environment of a spawned `vigil`: a fixed secret key, no inherited database. */
export function vigilEnv(secretKey: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_SECRET_KEY: secretKey, VIGIL_LOG_LEVEL: 'info' };
  delete env.VIGIL_DB;
  delete env.VIGIL_PG_SCHEMA;
  delete env.VIGIL_QUEUE_SCHEMA;
  return env;
}

export function threatStackFields(sim: RunningThreatStackSimulator, syncIntervalSeconds: number) {
  const url = new URL(sim.url);
  return {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    userId: sim.credentials.userId,
    orgId: sim.credentials.orgId,
    orgName: sim.credentials.orgName,
    requestsPerMinute: 0,
    syncIntervalSeconds,
  };
}

export function threatConnectFields(sim: RunningThreatConnectSimulator, syncIntervalSeconds: number) {
  const url = new URL(sim.url);
  return {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    apiRoot: sim.apiRoot,
    accessId: sim.credentials.accessId,
    syncIntervalSeconds,
  };
}

/** Runs of one integration, oldest first. */
export async function runsOf(store: GraphStore, integrationId: string): Promise<RunRecord[]> {
  return (await store.listRuns(integrationId)).reverse();
}

export const smallThreatStack = { agents: 20, cves: 15, findingsPerAgent: 2, alerts: 10, rateLimit: 0 };
