import { z } from 'zod';
import { type Verdict, verdicts } from '../validation/verdict.ts';

/**
 * What a monitor expects of each technique, on the verdict of one run (C14 verdicts):
 * - `prevented`: the action was blocked (Prevented);
 * - `detected` and `either`: Prevented, Alerted or Detected (anything but Missed). On a single
 *   verdict the two coincide: the pass rules they are named after differ only in how prevention
 *   without detection evidence counts, which a verdict no longer tells apart.
 */
export const expectationSchema = z.enum(['detected', 'prevented', 'either']);
export type Expectation = z.infer<typeof expectationSchema>;

/** Prevented (3) > Alerted (2) > Detected (1) > Missed (0). */
export function verdictRank(verdict: Verdict): number {
  return verdicts.length - 1 - verdicts.indexOf(verdict);
}

/** Whether `verdict` meets the expectation (see `expectationSchema`). */
export function meetsExpectation(verdict: Verdict, expect: Expectation): boolean {
  return expect === 'prevented' ? verdict === 'Prevented' : verdict !== 'Missed';
}

/** One technique's drift: what it was in the last completed run, what it is now, what was expected. */
export interface Drift {
  technique: string;
  previous: Verdict | null;
  current: Verdict;
  expected: Expectation;
  reason: 'worse-than-last-run' | 'fails-expectation';
}

/**
 * The drift of one run against the monitor's previous completed run, per technique: its verdict
 * got worse than the last run's (Prevented > Alerted > Detected > Missed). A technique that fails
 * the expectation where the last run met it always got worse (every expectation is a floor on
 * the rank); its reason says so (`fails-expectation`). A technique without a verdict in the last
 * run (the first run: the baseline, or a technique added since) never drifts. At most one drift
 * per technique, in the order of `current`.
 */
export function findDrift(
  previous: ReadonlyMap<string, Verdict>,
  current: ReadonlyMap<string, Verdict>,
  expected: Expectation,
): Drift[] {
  const drift: Drift[] = [];
  for (const [technique, verdict] of current) {
    const before = previous.get(technique);
    if (before === undefined || verdictRank(verdict) >= verdictRank(before)) continue;
    const failsNow = meetsExpectation(before, expected) && !meetsExpectation(verdict, expected);
    const reason = failsNow ? 'fails-expectation' : 'worse-than-last-run';
    drift.push({ technique, previous: before, current: verdict, expected, reason });
  }
  return drift;
}

/** Parses stored verdict text; null for anything not a verdict (an action still without one). */
export function asVerdict(text: string | null): Verdict | null {
  return (verdicts as readonly string[]).includes(text ?? '') ? (text as Verdict) : null;
}
