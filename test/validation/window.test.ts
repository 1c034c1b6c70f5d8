import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  nextPoll,
  pollCount,
  pollSchedule,
  searchedSpan,
  toOurTime,
  type WindowSettings,
  windowSettingsFrom,
} from '../../src/validation/window.ts';

const T = Date.parse('2026-11-25T12:00:00.000Z');
const at = (hms: string) => `2026-11-25T${hms}.000Z`;
const documented = windowSettingsFrom({
  queryTimeMinutes: 5,
  delayTimeMinutes: 0,
  queryIntervalSeconds: 30,
  eventTimeAdjustmentSeconds: 0,
});
const iso = (d: Date) => d.toISOString();

describe('the documented test vector (Q = 5 min, I = 30 s, T = 12:00:00)', () => {
  it('with D = 0: 11 polls sliding from 11:55:00–12:00:00 to 12:00:00–12:05:00, each run at its end', () => {
    const polls = pollSchedule(T, documented);
    expect(polls).toHaveLength(11);
    expect(pollCount(documented)).toBe(11);
    expect([iso(polls[0]!.from), iso(polls[0]!.until), iso(polls[0]!.runAt)]).toEqual([
      at('11:55:00'),
      at('12:00:00'),
      at('12:00:00'),
    ]);
    expect([iso(polls[1]!.from), iso(polls[1]!.until)]).toEqual([at('11:55:30'), at('12:00:30')]);
    expect([iso(polls[10]!.from), iso(polls[10]!.until), iso(polls[10]!.runAt)]).toEqual([
      at('12:00:00'),
      at('12:05:00'),
      at('12:05:00'),
    ]);
    expect(polls.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('with D = 10 min: the same windows, the first run at 12:10:00 and the last at 12:15:00', () => {
    const delayed = pollSchedule(T, { ...documented, delayMs: 10 * 60_000 });
    const plain = pollSchedule(T, documented);
    expect(delayed.map((p) => [iso(p.from), iso(p.until)])).toEqual(
      plain.map((p) => [iso(p.from), iso(p.until)]),
    );
    expect(iso(delayed[0]!.runAt)).toBe(at('12:10:00'));
    expect(iso(delayed[10]!.runAt)).toBe(at('12:15:00'));
  });

  it('covers T ± Q together', () => {
    expect(searchedSpan(T, documented)).toEqual({
      fromMs: Date.parse(at('11:55:00')),
      untilMs: Date.parse(at('12:05:00')),
    });
  });
});

describe('event time adjustment and clock skew', () => {
  it('requests [a − E, b − E] from the vendor and keeps our windows and run times unchanged', () => {
    const adjusted: WindowSettings = { ...documented, eventTimeAdjustmentMs: 120_000 };
    const polls = pollSchedule(T, adjusted);
    expect([iso(polls[0]!.from), iso(polls[0]!.until), iso(polls[0]!.runAt)]).toEqual([
      at('11:55:00'),
      at('12:00:00'),
      at('12:00:00'),
    ]);
    expect([iso(polls[0]!.vendorFrom), iso(polls[0]!.vendorUntil)]).toEqual([at('11:53:00'), at('11:58:00')]);
    expect([iso(polls[10]!.vendorFrom), iso(polls[10]!.vendorUntil)]).toEqual([
      at('11:58:00'),
      at('12:03:00'),
    ]);
  });

  it('a negative E (vendor clock ahead of ours) shifts the vendor windows later', () => {
    const polls = pollSchedule(T, { ...documented, eventTimeAdjustmentMs: -45_000 });
    expect([iso(polls[0]!.vendorFrom), iso(polls[0]!.vendorUntil)]).toEqual([at('11:55:45'), at('12:00:45')]);
  });

  it('a vendor 2 min behind stamps our 12:00:10 as 11:58:10; with E = +120 s it lands in our window again', () => {
    const skewMs = -120_000;
    const vendorStamp = new Date(Date.parse(at('12:00:10')) + skewMs).toISOString();
    const corrected: WindowSettings = { ...documented, eventTimeAdjustmentMs: -skewMs };
    expect(new Date(toOurTime(vendorStamp, corrected)).toISOString()).toBe(at('12:00:10'));
    const poll = pollSchedule(T, corrected)[1]!;
    expect(vendorStamp >= iso(poll.vendorFrom) && vendorStamp <= iso(poll.vendorUntil)).toBe(true);
    // A skew larger than Q pushes an uncorrected stamp out of every window; E brings it back.
    const farSkewStamp = new Date(Date.parse(at('12:00:10')) - 6 * 60_000).toISOString();
    const span = searchedSpan(T, documented);
    expect(toOurTime(farSkewStamp, documented) < span.fromMs).toBe(true);
    expect(toOurTime(farSkewStamp, { ...documented, eventTimeAdjustmentMs: 6 * 60_000 })).toBe(
      Date.parse(at('12:00:10')),
    );
  });
});

describe('schedules that do not divide evenly, and bad settings', () => {
  it('⌊Q / I⌋ + 1 polls; the last window ends at T + ⌊Q / I⌋·I', () => {
    const settings: WindowSettings = {
      queryTimeMs: 100_000,
      queryIntervalMs: 30_000,
      delayMs: 0,
      eventTimeAdjustmentMs: 0,
    };
    const polls = pollSchedule(T, settings);
    expect(polls).toHaveLength(4);
    expect(iso(polls[3]!.until)).toBe(at('12:01:30'));
    expect(searchedSpan(T, settings).untilMs).toBe(Date.parse(at('12:01:30')));
  });

  it('rejects a zero interval', () => {
    expect(() => pollCount({ ...documented, queryIntervalMs: 0 })).toThrow(RangeError);
  });
});

describe('nextPoll (restart-safe: from persisted progress only)', () => {
  const delayed: WindowSettings = { ...documented, delayMs: 10 * 60_000 };

  it('is waiting for poll 0 until its run time, then due', () => {
    const before = nextPoll(T, delayed, [], Date.parse(at('12:09:59')));
    expect(before).toMatchObject({ kind: 'waiting', dueInMs: 1000 });
    const due = nextPoll(T, delayed, [], Date.parse(at('12:10:00')));
    expect(due.kind).toBe('due');
    if (due.kind === 'due') expect(due.poll.index).toBe(0);
  });

  it('resumes at the lowest poll not done, whatever order the done ones were recorded in', () => {
    const next = nextPoll(T, delayed, [2, 0, 1, 4], Date.parse(at('12:20:00')));
    expect(next.kind).toBe('due');
    if (next.kind === 'due') expect(next.poll.index).toBe(3);
  });

  it('is complete once every poll is done and ignores indexes outside the schedule', () => {
    const all = Array.from({ length: 11 }, (_, k) => k);
    expect(nextPoll(T, delayed, all, T)).toEqual({ kind: 'complete' });
    const next = nextPoll(T, delayed, [...all.slice(0, 10), 11, -1], T);
    expect(next.kind === 'waiting' && next.poll.index).toBe(10);
  });

  it('after a pause longer than the schedule, the first undone poll is due (polls are never skipped)', () => {
    const next = nextPoll(T, delayed, [0], Date.parse('2026-11-26T00:00:00.000Z'));
    expect(next.kind === 'due' && next.poll.index).toBe(1);
  });
});

describe('properties of every schedule', () => {
  const settingsArb = fc.record({
    queryTimeMs: fc.integer({ min: 0, max: 1440 }).map((m) => m * 60_000),
    queryIntervalMs: fc.integer({ min: 60, max: 3600 }).map((s) => s * 1000),
    delayMs: fc.integer({ min: 0, max: 1440 }).map((m) => m * 60_000),
    eventTimeAdjustmentMs: fc.integer({ min: -86_400, max: 86_400 }).map((s) => s * 1000),
  });

  it('windows are Q long, slide by I from [T − Q, T], run D after their end, and are shifted by −E for the vendor', () => {
    fc.assert(
      fc.property(settingsArb, fc.integer({ min: 0, max: 2 ** 41 }), (settings, start) => {
        const polls = pollSchedule(start, settings);
        expect(polls).toHaveLength(Math.floor(settings.queryTimeMs / settings.queryIntervalMs) + 1);
        expect(polls[0]!.from.getTime()).toBe(start - settings.queryTimeMs);
        expect(polls[0]!.until.getTime()).toBe(start);
        const wrong = polls.filter(
          (poll, k) =>
            poll.until.getTime() - poll.from.getTime() !== settings.queryTimeMs ||
            poll.until.getTime() !== start + k * settings.queryIntervalMs ||
            poll.runAt.getTime() - poll.until.getTime() !== settings.delayMs ||
            poll.from.getTime() - poll.vendorFrom.getTime() !== settings.eventTimeAdjustmentMs ||
            poll.until.getTime() - poll.vendorUntil.getTime() !== settings.eventTimeAdjustmentMs,
        );
        expect(wrong).toEqual([]);
        expect(polls.at(-1)!.until.getTime() - start).toBeLessThanOrEqual(settings.queryTimeMs);
      }),
      { numRuns: 100 },
    );
  });
});
