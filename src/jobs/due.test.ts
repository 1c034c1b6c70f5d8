import { describe, expect, it } from 'vitest';
import { testIntegration } from '../../test/helpers/integrations.ts';
import type { RunStatus } from '../store/types.ts';
import {
  decideSync,
  defaultStaleRunningMs,
  dueSlot,
  findDueIntegrations,
  type LatestRun,
  staleRunningAfter,
} from './due.ts';

const now = Date.UTC(2026, 10, 25, 12, 0, 0);
const hour = 3_600_000;
const at = (msBeforeNow: number) => new Date(now - msBeforeNow).toISOString();
const run = (status: RunStatus, msBeforeNow: number, id = 'r1'): LatestRun => ({
  id,
  status,
  startedAt: at(msBeforeNow),
});

describe('decideSync', () => {
  const cases: Array<{
    name: string;
    latest: LatestRun | undefined;
    staleMs?: number;
    expected: ReturnType<typeof decideSync>;
  }> = [
    {
      name: 'never synced: due at once',
      latest: undefined,
      expected: { due: true, reason: 'never-synced', dueSince: 0, after: null },
    },
    {
      name: 'succeeded less than an interval ago: waits for the interval',
      latest: run('success', hour - 1),
      expected: { due: false, reason: 'waiting', dueAt: now + 1 },
    },
    {
      name: 'succeeded exactly one interval ago: due',
      latest: run('success', hour),
      expected: { due: true, reason: 'interval-elapsed', dueSince: now, after: 'r1' },
    },
    {
      name: 'succeeded two intervals ago: due (once, not twice)',
      latest: run('success', 2 * hour),
      expected: { due: true, reason: 'interval-elapsed', dueSince: now - hour, after: 'r1' },
    },
    {
      name: 'partial counts like success',
      latest: run('partial', 30 * 60_000),
      expected: { due: false, reason: 'waiting', dueAt: now + 30 * 60_000 },
    },
    {
      name: 'failed: the interval is its attempt, no hammering',
      latest: run('failure', 59 * 60_000),
      expected: { due: false, reason: 'waiting', dueAt: now + 60_000 },
    },
    {
      name: 'failed an interval ago: due',
      latest: run('failure', hour + 5),
      expected: { due: true, reason: 'interval-elapsed', dueSince: now - 5, after: 'r1' },
    },
    {
      name: 'aborted (its process died): due at once, even within the interval',
      latest: run('aborted', 10_000),
      expected: { due: true, reason: 'previous-run-interrupted', dueSince: now - 10_000, after: 'r1' },
    },
    {
      name: 'running: not due, even after its interval',
      latest: run('running', 3 * hour - 1),
      staleMs: 3 * hour,
      expected: { due: false, reason: 'running', dueAt: now + 1 },
    },
    {
      name: 'running longer than the default stale time: taken as interrupted',
      latest: run('running', defaultStaleRunningMs),
      expected: { due: true, reason: 'previous-run-interrupted', dueSince: now, after: 'r1' },
    },
    {
      name: 'running, with a stale time of 0 (a queue worker retrying a dead attempt): due',
      latest: run('running', 5_000),
      staleMs: 0,
      expected: { due: true, reason: 'previous-run-interrupted', dueSince: now - 5_000, after: 'r1' },
    },
  ];

  it.each(cases)('$name', ({ latest, staleMs, expected }) => {
    const policy = staleMs === undefined ? undefined : { staleRunningAfterMs: staleMs };
    expect(decideSync(hour, latest, now, policy)).toEqual(expected);
  });

  it('uses the interval it is given (a 10 s interval)', () => {
    expect(decideSync(10_000, run('success', 9_999), now).due).toBe(false);
    expect(decideSync(10_000, run('success', 10_000), now).due).toBe(true);
  });
});

describe('findDueIntegrations', () => {
  it('returns the due ones, never-synced first, then the most overdue, then by name', async () => {
    const latest: Record<string, LatestRun | undefined> = {
      'id-fresh': run('success', 60_000),
      'id-late': run('success', 3 * hour),
      'id-later': run('success', 5 * hour),
      'id-b-new': undefined,
      'id-a-new': undefined,
      'id-busy': run('running', 10 * hour - 1),
    };
    const all = ['fresh', 'late', 'later', 'b-new', 'a-new', 'busy'].map((n) =>
      testIntegration(n, 3600, { at: at(10 * hour) }),
    );
    const due = await findDueIntegrations(all, async (id) => latest[id], now, {
      staleRunningAfterMs: 10 * hour,
    });
    expect(due.map((d) => d.integration.name)).toEqual(['a-new', 'b-new', 'later', 'late']);
  });

  it("reads each integration's own interval", async () => {
    const all = [
      testIntegration('hourly', 3600, { at: at(10 * hour) }),
      testIntegration('daily', 86_400, { at: at(10 * hour) }),
    ];
    const due = await findDueIntegrations(all, async () => run('success', 2 * hour), now);
    expect(due.map((d) => d.integration.name)).toEqual(['hourly']);
  });
});

describe('staleRunningAfter (the one stale-run rule of both back ends)', () => {
  it.each([
    { name: 'a first attempt waits two leases', leaseMs: hour, attempt: 0, expected: 2 * hour },
    { name: 'a short lease, first attempt', leaseMs: 10_000, attempt: 0, expected: 20_000 },
    { name: "a retry takes the run for its dead attempt's at once", leaseMs: hour, attempt: 1, expected: 0 },
    { name: 'a later retry too', leaseMs: 10_000, attempt: 4, expected: 0 },
  ])('$name', ({ leaseMs, attempt, expected }) => {
    expect(staleRunningAfter(leaseMs, attempt)).toBe(expected);
  });

  it('with the default lease, a run is stale after two hours, as before', () => {
    expect(defaultStaleRunningMs).toBe(2 * hour);
  });

  it('feeds decideSync: a running run seen by a retry is due, by a first attempt it waits', () => {
    const running = run('running', 5_000);
    const first = decideSync(hour, running, now, { staleRunningAfterMs: staleRunningAfter(30_000, 0) });
    const retry = decideSync(hour, running, now, { staleRunningAfterMs: staleRunningAfter(30_000, 1) });
    expect(first).toEqual({ due: false, reason: 'running', dueAt: now + 55_000 });
    expect(retry).toEqual({
      due: true,
      reason: 'previous-run-interrupted',
      dueSince: now - 5_000,
      after: 'r1',
    });
  });
});

describe('dueSlot', () => {
  it('names each due slot by the run it follows and the intervals since', () => {
    const integration = testIntegration('tc-one', 60, { id: 'i1', at: '2026-11-25T11:00:00.000Z' });
    const due = {
      integration,
      decision: {
        due: true as const,
        reason: 'interval-elapsed' as const,
        dueSince: now - 61_000,
        after: 'r-old',
      },
    };
    expect(dueSlot(due, now)).toBe('r-old#1');
    expect(dueSlot({ integration, decision: { ...due.decision, dueSince: 0, after: null } }, now)).toBe(
      'first#60',
    );
  });
});
