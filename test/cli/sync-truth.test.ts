import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThreatConnectSimulator } from '../../src/simulators/threatconnect/server.ts';
import {
  type RunningThreatStackSimulator,
  startThreatStackSimulator,
} from '../../src/simulators/threatstack/server.ts';
import { type CliResult, repoRoot, threatStackEnv } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';
import { admin } from '../helpers/threatstack.ts';

interface Report {
  runId: string;
  status: string;
  steps: Array<{ id: string; status: string }>;
}

/** `vigil sync threatstack` in a process that gets SIGINT once its progress names `step`. */
function syncInterruptedAt(step: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'vigil.js'), 'sync', 'threatstack'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (!sent && stderr.includes(`${step} …`)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a sync tells the truth: failures, interruptions, what the tables show', () => {
  let sim: RunningThreatStackSimulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sim = await startThreatStackSimulator({
      agents: 150,
      cves: 40,
      findingsPerAgent: 3,
      alerts: 20,
      rateLimit: 0,
    });
    dir = await mkdtemp(join(tmpdir(), 'vigil-sync-truth-'));
    env = { ...threatStackEnv(sim), VIGIL_HOME: join(dir, 'home'), COLUMNS: '72' };
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a wrong organization fails the run, skips the other steps and creates no entity', async () => {
    const wrongEnv = { ...env, VIGIL_HOME: join(dir, 'wrong-org'), TS_ORGANIZATION_ID: 'org-of-nobody' };
    const result = await runInProcess(['sync', 'threatstack', '--json'], wrongEnv);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.status).toBe('failure');
    expect(report.steps.map((s) => s.status)).toEqual([
      'failure',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
    const stats = await runInProcess(['graph', 'stats', '--json'], wrongEnv);
    expect(JSON.stringify(JSON.parse(stats.stdout))).not.toContain('threatstack_account');
  });

  it('Ctrl-C stops the sync with one line and exit 130; the next run completes it', async () => {
    await admin(sim.url, 'PUT', '/_sim/faults', {
      slow: { probability: 1, delayMs: 400 },
      pathPrefix: '/v2/vulnerabilities',
    });
    const stopped = await syncInterruptedAt('Vulnerabilities', env);
    await admin(sim.url, 'PUT', '/_sim/faults', {});
    expect(stopped.code).toBe(130);
    const errors = stopped.stderr.split('\n').filter((line) => line.startsWith('error '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^error SYNC_INTERRUPTED: Interrupted by SIGINT: run \S+ is recorded interrupted with the [\d,]+ items written\. \(Sync again to complete it\.\)$/,
    );
    const again = await runInProcess(['sync', 'threatstack', '--json'], env);
    expect(again.code).toBe(0);
    const runs = JSON.parse((await runInProcess(['runs', 'list', '--json'], env)).stdout) as Array<{
      status: string;
      changes: { created: number };
    }>;
    expect(runs.map((run) => run.status)).toEqual(['success', 'interrupted']);
    expect(runs[1]?.changes.created).toBeGreaterThan(0);
  });

  it('tables fit COLUMNS (cut with …) unless --wide; the summary fits and says "1 item"', async () => {
    const sync = await runInProcess(['sync', 'threatstack'], env);
    expect(sync.code).toBe(0);
    expect(sync.stdout.split('\n').filter((line) => line.length > 72)).toEqual([]);
    expect(sync.stdout).toMatch(/vendor 429s 0/);
    expect(sync.stdout).toMatch(/budget waits 0/);
    expect(sync.stderr).toMatch(/\] Account: success, 1 item in /);
    const narrow = await runInProcess(['runs', 'list'], { ...env, COLUMNS: '80' });
    expect(narrow.stdout.split('\n').every((line) => line.length <= 80)).toBe(true);
    expect(narrow.stdout).toContain('…');
    const wide = await runInProcess(['runs', 'list', '--wide'], { ...env, COLUMNS: '80' });
    expect(wide.stdout).not.toContain('…');
    expect(wide.stdout.split('\n').some((line) => line.length > 80)).toBe(true);
  });

  it('`runs show` takes a unique id prefix', async () => {
    const runs = JSON.parse((await runInProcess(['runs', 'list', '--json'], env)).stdout) as Array<{
      id: string;
    }>;
    const [first] = runs;
    if (first === undefined) throw new Error('no run');
    const shown = await runInProcess(['runs', 'show', first.id.slice(0, 12), '--json'], env);
    expect(shown.code).toBe(0);
    expect((JSON.parse(shown.stdout) as { id: string }).id).toBe(first.id);
  });
});

describe('a ThreatConnect sync that reaches nothing', () => {
  it('fails, hints at --api-root /api, and creates no threatconnect_account', async () => {
    const tc = await startThreatConnectSimulator({ owners: 1, adversaries: 1, threatsPerAdversary: 0 });
    const home = await mkdtemp(join(tmpdir(), 'vigil-tc-root-'));
    try {
      const url = new URL(tc.url);
      const env: NodeJS.ProcessEnv = {
        VIGIL_HOME: home,
        TC_HOST: url.hostname,
        TC_PORT: url.port,
        TC_PROTOCOL: 'http',
        TC_ACCESS_ID: tc.credentials.accessId,
        TC_API_KEY: tc.credentials.apiKey,
      };
      const result = await runInProcess(['sync', 'threatconnect'], env);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/: failure in /);
      expect(result.stderr).toContain('try --api-root /api (TC_API_ROOT=/api)');
      const stats = await runInProcess(['graph', 'stats', '--json'], env);
      expect(stats.stdout).not.toContain('threatconnect_account');
    } finally {
      await tc.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
