import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MonitorDetails } from '../../src/app/monitors.ts';
import { InProcessQueue } from '../../src/jobs/in-process.ts';
import { monitorRunJobKind } from '../../src/jobs/kinds/monitor-run.ts';
import { validationPollJobKind } from '../../src/jobs/kinds/validation-poll.ts';
import { JobRuntime } from '../../src/jobs/runtime.ts';
import { admin } from '../helpers/threatstack.ts';
import { covered, uncovered, ValidationHarness } from '../validation/service-harness.ts';

/**
 * Monitors end to end (issue 14 proof): the Threat Stack simulator in process with its fake
 * clock, Vigil's job runtime (validation polls and monitor runs over the in-process queue and the
 * store's ledger) driven by hand. A monitor over 8 techniques runs a baseline; one detection
 * rule is then disabled through the simulator's admin API, and the next run (its next due slot)
 * raises exactly one drift alert, for that technique, delivered to a loopback webhook listener.
 */

let h: ValidationHarness;
let listener: Server;
let received: Array<Record<string, unknown>>;
let hookUrl: string;

beforeEach(async () => {
  h = await ValidationHarness.open();
  received = [];
  listener = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/services/T0/B0/secret-token`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  await h.close();
});

const techniques = [...covered.slice(0, 5), ...uncovered.slice(0, 3)];

function startRuntime() {
  const queue = new InProcessQueue({ now: h.sim.clock.now, ledger: h.vigil.jobs.ledger });
  const runtime = new JobRuntime({
    queue,
    kinds: [validationPollJobKind(h.vigil.jobs.validation), monitorRunJobKind(h.vigil.jobs.monitors)],
    logger: pino({ level: 'silent' }),
    now: h.sim.clock.now,
    concurrency: 4,
    leaseMs: 30_000,
  });
  return { runtime, queue };
}

/** Plans, runs every due job and moves the clock 2 s, until `done` holds (or 500 steps). */
async function driveUntil(
  { runtime, queue }: ReturnType<typeof startRuntime>,
  done: (details: MonitorDetails) => boolean,
): Promise<MonitorDetails> {
  for (let step = 0; step < 500; step++) {
    await runtime.plan();
    while (queue.dispatch().length > 0) await queue.idle();
    const details = await h.vigil.monitors.show('nightly');
    if (done(details)) return details;
    h.sim.clock.advance(2000);
  }
  throw new Error('the monitor did not get there in 500 steps');
}

const completeRuns = (details: MonitorDetails) => details.runs.filter((r) => r.status === 'complete').length;

describe('a monitor catches drift', () => {
  it('baseline, then one detection rule disabled → exactly one drift alert, delivered once', async () => {
    const added = await h.vigil.monitors.add({
      name: 'nightly',
      integration: 'ts',
      techniques,
      host: h.hosts[0],
      every: '1h',
      expect: 'detected',
      actions: [`webhook:${hookUrl}`, 'log'],
    });
    expect(added).toMatchObject({ techniques, every: '1h', expect: 'detected', openDrift: 0, warning: null });
    expect(added.actions).toEqual([`webhook:${new URL(hookUrl).origin}/…`, 'log']);
    const driver = startRuntime();
    await driver.runtime.work();
    try {
      const baseline = await driveUntil(driver, (d) => completeRuns(d) === 1);
      expect(baseline.runs[0]!.byVerdict).toEqual({ Alerted: 5, Missed: 3 });
      expect(baseline.drift).toEqual([]);
      expect(received).toEqual([]);

      const dropped = covered[0]!;
      const status = (
        await admin(h.sim.sim.url, 'PUT', '/_sim/detection', {
          rules: [{ technique: dropped, enabled: false }],
        })
      ).status;
      expect(status).toBe(200);
      // Not due again before its interval: more ticks start nothing.
      const idle = await driveUntil(driver, () => true);
      expect(idle.runs).toHaveLength(1);
      h.sim.clock.advance(3_600_000);

      const second = await driveUntil(driver, (d) => completeRuns(d) === 2);
      expect(second.runs[0]!.byVerdict).toEqual({ Alerted: 4, Missed: 4 });
      expect(second.drift).toHaveLength(1);
      expect(second.drift[0]).toMatchObject({
        technique: dropped,
        previous: 'Alerted',
        current: 'Missed',
        expected: 'detected',
        validationId: second.runs[0]!.validationId,
        status: 'ACTIVE',
      });
      expect(second.monitor.openDrift).toBe(1);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({
        monitor: 'nightly',
        technique: dropped,
        previous: 'Alerted',
        current: 'Missed',
        driftId: second.drift[0]!.id,
      });
      expect(String(received[0]!.text)).toContain(dropped);

      // More ticks: the completed run is never compared or delivered again.
      for (let i = 0; i < 5; i++) await driveUntil(driver, () => true);
      expect((await h.vigil.monitors.show('nightly')).drift).toHaveLength(1);
      expect(received).toHaveLength(1);

      const dismissed = await h.vigil.monitors.dismiss(second.drift[0]!.id);
      expect(dismissed.status).toBe('DISMISSED');
      const after = await h.vigil.monitors.show('nightly');
      expect(after.monitor.openDrift).toBe(0);
      expect(after.drift.map((d) => d.status)).toEqual(['DISMISSED']);
    } finally {
      await driver.runtime.stop();
    }
  });

  it('a run started by hand is compared with the one before it', async () => {
    await h.vigil.monitors.add({
      name: 'nightly',
      integration: 'ts',
      techniques: [covered[1]!],
      host: h.hosts[0],
      every: '1d',
      expect: 'either',
    });
    const driver = startRuntime();
    await driver.runtime.work();
    try {
      await driveUntil(driver, (d) => completeRuns(d) === 1);
      await admin(h.sim.sim.url, 'PUT', '/_sim/detection', {
        rules: [{ technique: covered[1], enabled: false }],
      });
      const started = await h.vigil.monitors.run('nightly');
      expect(started.validationIds).toHaveLength(1);
      const details = await driveUntil(driver, (d) => completeRuns(d) === 2);
      expect(details.drift.map((d) => [d.technique, d.previous, d.current])).toEqual([
        [covered[1], 'Alerted', 'Missed'],
      ]);
    } finally {
      await driver.runtime.stop();
    }
  });

  it('two planners over one ledger (as `vigil serve` beside `monitors run --wait`) start a due slot once', async () => {
    await h.vigil.monitors.add({
      name: 'nightly',
      integration: 'ts',
      techniques: [covered[2]!],
      host: h.hosts[0],
      every: '1d',
      expect: 'detected',
    });
    const first = startRuntime();
    const second = startRuntime();
    await first.runtime.work();
    await second.runtime.work();
    try {
      expect(await first.runtime.plan()).toBe(1);
      expect(await second.runtime.plan()).toBe(0);
      for (const { queue } of [first, second]) while (queue.dispatch().length > 0) await queue.idle();
      expect((await h.vigil.monitors.show('nightly')).runs).toHaveLength(1);
    } finally {
      await first.runtime.stop();
      await second.runtime.stop();
    }
  });
});
