import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../errors.ts';
import type { JobContext } from '../types.ts';
import { handleMonitorRunJob, type MonitorJobDeps, monitorRunJobKind } from './monitor-run.ts';

function deps(overrides: Partial<MonitorJobDeps> = {}): MonitorJobDeps & { started: string[] } {
  const started: string[] = [];
  return {
    started,
    due: async () => [
      { monitorId: 'm1', slot: 'first#0' },
      { monitorId: 'm2', slot: 'r9#2' },
    ],
    isDue: async () => true,
    start: async (monitorId, slot) => {
      started.push(`${monitorId}@${slot}`);
      return { runId: 'r1', validationIds: ['v1'] };
    },
    readyToComplete: async () => ['r7'],
    complete: async (runId) => ({
      runId,
      monitor: 'nightly',
      byVerdict: { Alerted: 1, Missed: 1 },
      drift: [{ technique: 'T1105' }],
      deliveries: [{ outcome: 'delivered' }],
    }),
    ...overrides,
  };
}

const context: JobContext = {
  signal: new AbortController().signal,
  logger: pino({ level: 'silent' }),
  now: () => 0,
  attempt: 0,
  leaseMs: 60_000,
};

describe('the monitor-run job kind', () => {
  it('plans a start per due monitor (keyed by slot, grouped by monitor, held ones left out) and a completion per ready run', async () => {
    const planned = await monitorRunJobKind(deps()).planDue?.(0, new Set(['m2']));
    expect(planned).toEqual([
      { data: { step: 'start', monitorId: 'm1', slot: 'first#0' }, key: 'start|m1|first#0', group: 'm1' },
      { data: { step: 'complete', runId: 'r7' }, key: 'complete|r7', group: 'complete|r7' },
    ]);
  });

  it('starts a slot still due; skips one served meanwhile or already taken', async () => {
    const d = deps();
    const data = { step: 'start', monitorId: 'm1', slot: 'first#0' } as const;
    expect(await handleMonitorRunJob(data, context, d)).toEqual({
      status: 'completed',
      output: { runId: 'r1', validationIds: ['v1'] },
    });
    expect(d.started).toEqual(['m1@first#0']);
    expect(await handleMonitorRunJob(data, context, deps({ isDue: async () => false }))).toEqual({
      status: 'skipped',
      reason: 'not-due',
    });
    expect(await handleMonitorRunJob(data, context, deps({ start: async () => undefined }))).toEqual({
      status: 'skipped',
      reason: 'slot-taken',
    });
  });

  it('completes a run (drift and deliveries in its output); a second completion is skipped', async () => {
    const data = { step: 'complete', runId: 'r7' } as const;
    expect(await handleMonitorRunJob(data, context, deps())).toEqual({
      status: 'completed',
      output: {
        monitor: 'nightly',
        byVerdict: { Alerted: 1, Missed: 1 },
        drift: ['T1105'],
        deliveries: ['delivered'],
      },
    });
    expect(await handleMonitorRunJob(data, context, deps({ complete: async () => undefined }))).toMatchObject(
      {
        status: 'skipped',
      },
    );
  });

  it('fails with a retry on a store failure, without one on bad input', async () => {
    const data = { step: 'complete', runId: 'r7' } as const;
    const failing = (code: 'STORE_ERROR' | 'INPUT_INVALID') =>
      deps({
        complete: async () => {
          throw new VigilError(code, 'no');
        },
      });
    expect(await handleMonitorRunJob(data, context, failing('STORE_ERROR'))).toMatchObject({
      status: 'failed',
      retry: true,
    });
    expect(await handleMonitorRunJob(data, context, failing('INPUT_INVALID'))).toMatchObject({
      status: 'failed',
      retry: false,
    });
  });
});
