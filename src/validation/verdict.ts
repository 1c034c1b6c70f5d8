import type { Action, PassRule } from './action.ts';

/** Verdicts in priority order: the first that holds is the action's verdict. */
export const verdicts = ['Prevented', 'Alerted', 'Detected', 'Missed'] as const;
export type Verdict = (typeof verdicts)[number];

/** What correlation established about an action. */
export interface VerdictFacts {
  /** The executor reported the action blocked. */
  prevented: boolean;
  /** At least one matching alert. */
  alerted: boolean;
  /** At least one matching event (inside a matching alert or not). */
  seen: boolean;
}

/**
 * Prevented (the action reported blocked) > Alerted (a matching alert) > Detected (a matching
 * event without an alert of its own) > Missed.
 */
export function verdictOf(facts: VerdictFacts): Verdict {
  if (facts.prevented) return 'Prevented';
  if (facts.alerted) return 'Alerted';
  if (facts.seen) return 'Detected';
  return 'Missed';
}

/** The pass rules a validation applies when an action names none. */
export interface PassRules {
  /** Per technique id; a sub-technique without its own rule takes its parent's. */
  byTechnique?: Readonly<Record<string, PassRule>>;
  /** Default `either`. */
  default?: PassRule;
}

/** The action's own rule, else its technique's (then the parent technique's), else the default. */
export function passRuleFor(action: Action, rules: PassRules = {}): PassRule {
  const parent = action.technique.split('.')[0] ?? action.technique;
  return (
    action.expected ??
    rules.byTechnique?.[action.technique] ??
    rules.byTechnique?.[parent] ??
    rules.default ??
    'either'
  );
}

export type PassResult = 'passed' | 'failed' | 'inconclusive';

/**
 * Applies a pass rule to the facts ("detected" below means alerted or seen — any matching
 * evidence — whatever the verdict's priority says, so `both` can hold for a Prevented action):
 * - `either`: passes when prevented or detected (the default);
 * - `prevented`: passes only when prevented;
 * - `detected`: passes only when detected;
 * - `both`: passes only when prevented and detected.
 * An action whose executor reported `failed` (it never ran) that the rule would fail is
 * `inconclusive`: absence of evidence of something that did not happen proves nothing.
 */
export function applyPassRule(rule: PassRule, facts: VerdictFacts, outcome: Action['outcome']): PassResult {
  const detected = facts.alerted || facts.seen;
  const passes =
    rule === 'either'
      ? facts.prevented || detected
      : rule === 'prevented'
        ? facts.prevented
        : rule === 'detected'
          ? detected
          : facts.prevented && detected;
  if (passes) return 'passed';
  return outcome === 'failed' ? 'inconclusive' : 'failed';
}
