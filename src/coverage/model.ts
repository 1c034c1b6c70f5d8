import { orderTactics } from '../attack/tactics.ts';
import type { JsonValue } from '../graph/types.ts';
import type { ActorTechnique, TechniqueSource } from './actors.ts';

/**
 * What detection validation concluded about a technique, best first: the action was blocked
 * (`prevented`), raised an alert (`alerted`), left events but no alert (`detected`), left nothing
 * (`missed`); `untested` when no validation has run it yet.
 */
export type Verdict = 'prevented' | 'alerted' | 'detected' | 'missed' | 'untested';

/** Every verdict, best first; the order of legends, totals and exports. */
export const verdicts: readonly Verdict[] = ['prevented', 'alerted', 'detected', 'missed', 'untested'];

/** The latest verdict of one technique, as the validation store hands it over. */
export interface LatestVerdict {
  verdict: Exclude<Verdict, 'untested'>;
  /** ISO 8601 instant the validation observed the verdict */
  testedAt: string;
  validationId: string;
  /** a link (`https://…`) or a short reference such as an alert id */
  evidence?: string;
}

/** One technique of an actor with its latest verdict. */
export interface CoverageTechnique {
  /** `T1059` or `T1059.004` */
  id: string;
  /** null when the ATT&CK catalogue does not know the id */
  name: string | null;
  /** kill-chain phase short names in matrix order; empty when unknown */
  tactics: string[];
  sources: TechniqueSource[];
  verdict: Verdict;
  testedAt?: string;
  validationId?: string;
  evidence?: string;
}

/** A threat actor's techniques × their latest verdicts: the input of every coverage output. */
export interface ActorCoverage {
  actor: { key: string; name: string; id: JsonValue };
  /** sorted by technique id, one entry per id */
  techniques: CoverageTechnique[];
}

/**
 * Joins an actor's techniques (as `describeThreatActor` lists them) with the latest verdict per
 * technique id; a technique without one is `untested`. Output is sorted by id, tactics in matrix order.
 */
export function buildActorCoverage(
  actor: ActorCoverage['actor'],
  techniques: readonly ActorTechnique[],
  latest: ReadonlyMap<string, LatestVerdict>,
): ActorCoverage {
  const covered = techniques.map((technique): CoverageTechnique => {
    const base = {
      id: technique.id,
      name: technique.name,
      tactics: orderTactics(technique.tactics),
      sources: technique.sources,
    };
    const found = latest.get(technique.id);
    return found === undefined ? { ...base, verdict: 'untested' } : { ...base, ...found };
  });
  covered.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { actor, techniques: covered };
}

/** A count of techniques per verdict. */
export type VerdictCounts = Record<Verdict, number>;

function countVerdicts(techniques: readonly CoverageTechnique[]): VerdictCounts {
  const counts: VerdictCounts = { prevented: 0, alerted: 0, detected: 0, missed: 0, untested: 0 };
  for (const technique of techniques) counts[technique.verdict] += 1;
  return counts;
}

/** Totals of one actor: per verdict, and per tactic (tactic null: techniques with no known tactic). */
export interface CoverageTotals {
  techniques: number;
  byVerdict: VerdictCounts;
  byTactic: Array<{ tactic: string | null; techniques: number; byVerdict: VerdictCounts }>;
}

/**
 * Counts an actor's techniques per verdict and per tactic. A technique in several tactics counts
 * once in each of them (so per-tactic counts may add up to more than `techniques`). Tactics come in
 * matrix order, only those with techniques; the null tactic, if any, last.
 */
export function rollUpCoverage(coverage: ActorCoverage): CoverageTotals {
  const perTactic = new Map<string | null, CoverageTechnique[]>();
  for (const technique of coverage.techniques) {
    const tactics = technique.tactics.length > 0 ? technique.tactics : [null];
    for (const tactic of tactics) perTactic.set(tactic, [...(perTactic.get(tactic) ?? []), technique]);
  }
  const known = orderTactics([...perTactic.keys()].filter((tactic) => tactic !== null));
  const order: Array<string | null> = perTactic.has(null) ? [...known, null] : known;
  return {
    techniques: coverage.techniques.length,
    byVerdict: countVerdicts(coverage.techniques),
    byTactic: order.map((tactic) => {
      const members = perTactic.get(tactic) ?? [];
      return { tactic, techniques: members.length, byVerdict: countVerdicts(members) };
    }),
  };
}

/** One actor in one line. `detected` counts every verdict that saw the action (prevented, alerted, detected). */
export interface ActorCoverageLine {
  actor: ActorCoverage['actor'];
  techniques: number;
  tested: number;
  detected: number;
  missed: number;
  /** missed ÷ techniques (0 for an actor without techniques) */
  missedShare: number;
}

/** The one-line summary of an actor's coverage. */
export function summarizeActorCoverage(coverage: ActorCoverage): ActorCoverageLine {
  const { byVerdict, techniques } = rollUpCoverage(coverage);
  return {
    actor: coverage.actor,
    techniques,
    tested: techniques - byVerdict.untested,
    detected: byVerdict.prevented + byVerdict.alerted + byVerdict.detected,
    missed: byVerdict.missed,
    missedShare: techniques === 0 ? 0 : byVerdict.missed / techniques,
  };
}

/**
 * One line per actor, the worst covered first: by the share of the actor's techniques proven
 * missed, descending (over all its techniques, not only the tested ones, so that one failed test
 * of a barely tested actor does not top the list), then by untested techniques descending, then
 * by name. Returns a new array.
 */
export function rankActorsByShareMissed(lines: readonly ActorCoverageLine[]): ActorCoverageLine[] {
  return [...lines].sort(
    (a, b) =>
      b.missedShare - a.missedShare ||
      b.techniques - b.tested - (a.techniques - a.tested) ||
      a.actor.name.localeCompare(b.actor.name),
  );
}
