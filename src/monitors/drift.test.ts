import { describe, expect, it } from 'vitest';
import type { Verdict } from '../validation/verdict.ts';
import { findDrift, meetsExpectation, verdictRank } from './drift.ts';
import { intervalWarning } from './model.ts';

const map = (entries: Record<string, Verdict>) => new Map(Object.entries(entries));

describe('drift between two runs of a monitor', () => {
  it('ranks Prevented > Alerted > Detected > Missed', () => {
    expect(['Missed', 'Detected', 'Alerted', 'Prevented'].map((v) => verdictRank(v as Verdict))).toEqual([
      0, 1, 2, 3,
    ]);
  });

  it.each([
    ['prevented', 'Prevented', true],
    ['prevented', 'Alerted', false],
    ['detected', 'Detected', true],
    ['detected', 'Prevented', true],
    ['detected', 'Missed', false],
    ['either', 'Alerted', true],
    ['either', 'Missed', false],
  ] as const)('expect %s, verdict %s → meets: %s', (expect_, verdict, meets) => {
    expect(meetsExpectation(verdict, expect_)).toBe(meets);
  });

  it('raises one drift per technique that got worse, none for the same, better or untested ones', () => {
    const previous = map({ A: 'Alerted', B: 'Alerted', C: 'Missed', D: 'Prevented', E: 'Detected' });
    const current = map({
      A: 'Missed',
      B: 'Alerted',
      C: 'Detected',
      D: 'Alerted',
      E: 'Detected',
      F: 'Missed',
    });
    expect(findDrift(previous, current, 'detected')).toEqual([
      {
        technique: 'A',
        previous: 'Alerted',
        current: 'Missed',
        expected: 'detected',
        reason: 'fails-expectation',
      },
      {
        technique: 'D',
        previous: 'Prevented',
        current: 'Alerted',
        expected: 'detected',
        reason: 'worse-than-last-run',
      },
    ]);
  });

  it('calls a drop below `prevented` a failed expectation', () => {
    const drift = findDrift(map({ A: 'Prevented' }), map({ A: 'Alerted' }), 'prevented');
    expect(drift.map((d) => d.reason)).toEqual(['fails-expectation']);
  });

  it('the first run is a baseline: nothing drifts, whatever the expectation', () => {
    expect(findDrift(new Map(), map({ A: 'Missed', B: 'Missed' }), 'prevented')).toEqual([]);
  });
});

describe('the interval warning', () => {
  const window = { queryTimeMs: 5 * 60_000, delayMs: 10 * 60_000 };
  it('warns when a run needs longer than the interval (query time + delay)', () => {
    expect(intervalWarning(10 * 60_000, window)).toContain('15m');
  });
  it('is silent when the interval leaves the run time to finish', () => {
    expect(intervalWarning(15 * 60_000, window)).toBeNull();
    expect(intervalWarning(86_400_000, window)).toBeNull();
  });
});
