import { describe, expect, it } from 'vitest';
import { storeBackends, storePerTest, testPostgresUrl } from '../../src/store/testing.ts';
import type { DriftRecord, GraphStore, MonitorRecord } from '../../src/store/types.ts';
import { vigilFailure } from '../helpers/async.ts';

if (testPostgresUrl === undefined)
  console.log('monitor store tests: PostgreSQL skipped (set VIGIL_TEST_PG_URL)');

const monitor = (id: string, name: string): MonitorRecord => ({
  id,
  name,
  integrationId: 'int-1',
  actor: id === 'm2' ? { key: 'tc:actor:1', name: 'APT Test' } : null,
  techniques: ['T1059.004', 'T1105'],
  host: 'web-01',
  everyMs: 86_400_000,
  expect: 'detected',
  actions: ['log', 'webhook:https://hooks.example.com/T0/B0/secret'],
  createdAt: '2026-01-01T00:00:00.000Z',
});

const run = (id: string, slot: string, startedAt: string) => ({
  id,
  monitorId: 'm1',
  slot,
  startedAt,
  finishedAt: null,
  status: 'running' as const,
  verdicts: null,
  byVerdict: null,
});

const drift = (id: string, runId: string, technique: string): DriftRecord => ({
  id,
  monitorId: 'm1',
  runId,
  technique,
  previous: 'Alerted',
  current: 'Missed',
  expected: 'detected',
  validationId: 'v2',
  raisedAt: '2026-01-02T00:10:00.000Z',
  status: 'ACTIVE',
  dismissedAt: null,
});

describe.each(storeBackends)('monitor records on $name', (backend) => {
  let current: GraphStore;
  storePerTest(backend, (opened) => {
    current = opened.store;
  });
  const store = (): GraphStore => current;

  it('stores monitors, finds them by id or name (any case), refuses a taken name', async () => {
    await store().insertMonitor(monitor('m1', 'Nightly'));
    await store().insertMonitor(monitor('m2', 'apt'));
    expect(await store().findMonitor('nightly')).toEqual(monitor('m1', 'Nightly'));
    expect(await store().findMonitor('m2')).toEqual(monitor('m2', 'apt'));
    expect((await store().listMonitors()).map((m) => m.name)).toEqual(['apt', 'Nightly']);
    expect((await vigilFailure(store().insertMonitor(monitor('m3', 'NIGHTLY')))).code).toBe('INPUT_INVALID');
  });

  it('runs once per slot; completion is once, with its drift once per run × technique', async () => {
    await store().insertMonitor(monitor('m1', 'nightly'));
    expect(await store().insertMonitorRun(run('r1', 'first#0', '2026-01-01T00:00:00.000Z'))).toBe(true);
    expect(await store().insertMonitorRun(run('r1b', 'first#0', '2026-01-01T00:00:01.000Z'))).toBe(false);
    await store().setMonitorRunValidations('r1', ['v1']);
    expect((await store().listRunningMonitorRuns()).map((r) => [r.id, r.validationIds])).toEqual([
      ['r1', ['v1']],
    ]);
    const result = {
      finishedAt: '2026-01-01T00:10:00.000Z',
      verdicts: { 'T1059.004': 'Alerted' },
      byVerdict: { Alerted: 1 },
    };
    expect(await store().completeMonitorRun('r1', result, [])).toEqual([]);
    expect(await store().insertMonitorRun(run('r2', 'r1#0', '2026-01-02T00:00:00.000Z'))).toBe(true);
    const raised = [drift('d1', 'r2', 'T1059.004'), drift('d2', 'r2', 'T1059.004')];
    expect(await store().completeMonitorRun('r2', result, raised)).toEqual([raised[0]]);
    expect(await store().completeMonitorRun('r2', result, [drift('d3', 'r2', 'T1105')])).toEqual([]);
    const runs = await store().listMonitorRuns('m1', 10);
    expect(runs.map((r) => [r.id, r.status, r.byVerdict])).toEqual([
      ['r2', 'complete', { Alerted: 1 }],
      ['r1', 'complete', { Alerted: 1 }],
    ]);
    expect(runs[1]!.verdicts).toEqual({ 'T1059.004': 'Alerted' });
    expect(await store().listRunningMonitorRuns()).toEqual([]);
    expect((await store().listDrift('m1')).map((d) => d.id)).toEqual(['d1']);
    const dismissed = await store().dismissDrift('d1', '2026-01-03T00:00:00.000Z');
    expect(dismissed).toMatchObject({ status: 'DISMISSED', dismissedAt: '2026-01-03T00:00:00.000Z' });
    expect(await store().dismissDrift('nope', '2026-01-03T00:00:00.000Z')).toBeUndefined();
  });

  it('removes a monitor with its runs and drift', async () => {
    await store().insertMonitor(monitor('m1', 'nightly'));
    await store().insertMonitorRun(run('r1', 'first#0', '2026-01-01T00:00:00.000Z'));
    await store().completeMonitorRun('r1', { finishedAt: 'x', verdicts: {}, byVerdict: {} }, [
      drift('d1', 'r1', 'T1105'),
    ]);
    expect(await store().deleteMonitor('m1')).toBe(true);
    expect(await store().deleteMonitor('m1')).toBe(false);
    expect(await store().findMonitor('m1')).toBeUndefined();
    expect(await store().listMonitorRuns('m1', 10)).toEqual([]);
    expect(await store().listDrift('m1')).toEqual([]);
  });
});
