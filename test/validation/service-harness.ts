import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseSettings } from '../../src/app/settings.ts';
import type { ValidationReport } from '../../src/app/validation-report.ts';
import { openVigil, type Vigil } from '../../src/app/vigil.ts';
import { ThreatStackClient } from '../../src/connectors/threatstack/client.ts';
import { InProcessQueue } from '../../src/jobs/in-process.ts';
import { validationPollJobKind } from '../../src/jobs/kinds/validation-poll.ts';
import { JobRuntime } from '../../src/jobs/runtime.ts';
import { admin, type SimHarness, startSim } from '../helpers/threatstack.ts';

/** 12 techniques the simulator's detection rules cover, and 8 they do not. */
export const covered = [
  'T1059.004',
  'T1105',
  'T1003.008',
  'T1053.003',
  'T1136.001',
  'T1548.001',
  'T1098.004',
  'T1046',
  'T1562.001',
  'T1070.004',
  'T1222.002',
  'T1543.002',
];
export const uncovered = ['T1033', 'T1057', 'T1082', 'T1083', 'T1016', 'T1049', 'T1087.001', 'T1018'];

/** A running job runtime over an in-process queue that the test dispatches by hand. */
export interface ManualRuntime {
  runtime: JobRuntime;
  queue: InProcessQueue;
}

/**
 * Vigil (SQLite in a temporary home, the simulator's fake clock as its clock) with a Threat Stack
 * integration `ts` on the simulator (query time 1 min, interval 10 s), detection rules for the
 * 12 covered techniques, and the job runtime's in-process queue driven by hand.
 */
export class ValidationHarness {
  private constructor(
    readonly sim: SimHarness,
    readonly vigil: Vigil,
    private readonly home: string,
    /** Short hostnames of the simulator's online agents. */
    readonly hosts: string[],
  ) {}

  static async open(options: { agents?: number } = {}): Promise<ValidationHarness> {
    const sim = await startSim({
      agents: options.agents ?? 4,
      offlineRatio: 0,
      alerts: 0,
      detectionLatencySeconds: 5,
    });
    const home = await mkdtemp(join(tmpdir(), 'vigil-validate-'));
    const settings = parseSettings({
      env: { VIGIL_HOME: home, VIGIL_SECRET_KEY: randomBytes(32).toString('base64') },
    });
    const clientDeps = { now: sim.clock.now, sleep: async () => {} };
    const vigil = await openVigil(settings, {
      now: () => new Date(sim.clock.now()),
      validationClient: clientDeps,
    });
    const url = new URL(sim.sim.url);
    await vigil.integrations.add(
      {
        kind: 'threatstack',
        name: 'ts',
        apiKey: sim.identity.apiKey,
        fields: {
          host: url.hostname,
          port: Number(url.port),
          protocol: 'http',
          userId: sim.identity.userId,
          orgId: sim.identity.orgId,
          orgName: sim.sim.credentials.orgName,
          requestsPerMinute: 0,
          queryTimeMinutes: 1,
          queryIntervalSeconds: 10,
          discoverDevices: true,
        },
      },
      { firstSync: { client: clientDeps } },
    );
    const rules = [
      ...covered.map((technique) => ({ technique, enabled: true, latencySeconds: 5 })),
      ...uncovered.map((technique) => ({ technique, enabled: false })),
    ];
    const status = (await admin(sim.sim.url, 'PUT', '/_sim/detection', { rules })).status;
    if (status !== 200) throw new Error(`the simulator refused the detection rules (${status})`);
    return new ValidationHarness(sim, vigil, home, await onlineHosts(sim));
  }

  /** Starts a job runtime with the validation poll kind over the store's ledger (as `vigil serve`). */
  async startRuntime(): Promise<ManualRuntime> {
    const queue = new InProcessQueue({ now: this.sim.clock.now, ledger: this.vigil.jobs.ledger });
    const runtime = new JobRuntime({
      queue,
      kinds: [validationPollJobKind(this.vigil.jobs.validation)],
      logger: pino({ level: 'silent' }),
      now: this.sim.clock.now,
      concurrency: 4,
      leaseMs: 30_000,
    });
    await runtime.work();
    return { runtime, queue };
  }

  /**
   * Plans, runs every due poll, and moves the fake clock by `stepMs`, until the validations are
   * complete or `maxSteps` steps were taken; returns their reports.
   */
  async drive(
    { runtime, queue }: ManualRuntime,
    ids: readonly string[],
    options: { stepMs?: number; maxSteps?: number } = {},
  ): Promise<ValidationReport[]> {
    const maxSteps = options.maxSteps ?? 1000;
    for (let step = 0; ; step++) {
      await runtime.plan();
      while (queue.dispatch().length > 0) await queue.idle();
      const reports = await Promise.all(ids.map((id) => this.vigil.validations.show(id)));
      if (step >= maxSteps || reports.every((r) => r.status === 'complete')) return reports;
      this.sim.clock.advance(options.stepMs ?? 2000);
    }
  }

  async close(): Promise<void> {
    await this.vigil.close();
    await this.sim.close();
    await rm(this.home, { recursive: true, force: true });
  }
}

async function onlineHosts(sim: SimHarness): Promise<string[]> {
  const client = new ThreatStackClient(
    { baseUrl: sim.sim.url, ...sim.identity, requestsPerMinute: 0 },
    { now: sim.clock.now, sleep: async () => {} },
  );
  const hosts: string[] = [];
  try {
    for await (const page of client.iterateAgents('online')) {
      hosts.push(...page.map((agent) => (agent.hostname ?? '').split('.')[0] ?? ''));
    }
  } finally {
    await client.close();
  }
  return hosts.filter((host) => host !== '');
}

/** Verdict counts of reports. */
export function verdictCounts(reports: readonly ValidationReport[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const report of reports) {
    for (const [verdict, n] of Object.entries(report.verdicts)) counts[verdict] = (counts[verdict] ?? 0) + n;
  }
  return counts;
}
