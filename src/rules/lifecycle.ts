import type { RuleAlertRecord } from '../store/types.ts';

/**
 * What an evaluation does to the rule's alerts, given its open episode (the alert not yet cleared,
 * ACTIVE or DISMISSED) and whether the condition fired:
 *
 * | open episode | fired | decision                                                      |
 * |--------------|-------|---------------------------------------------------------------|
 * | none         | yes   | `open`: a new ACTIVE alert; actions run                       |
 * | ACTIVE       | yes   | `refresh`: same alert, newer rows; actions run                |
 * | DISMISSED    | yes   | `silenced`: a person dismissed it; no new alert, no actions   |
 * | ACTIVE       | no    | `clear`: the alert becomes INACTIVE                           |
 * | DISMISSED    | no    | `clear`: the episode ends, the alert stays DISMISSED          |
 * | none         | no    | `none`                                                        |
 *
 * So a dismissed alert re-opens, as a new alert, only once its condition cleared and fired again.
 */
export type AlertDecision =
  | { kind: 'open' }
  | { kind: 'refresh'; alertId: string }
  | { kind: 'silenced'; alertId: string }
  | { kind: 'clear'; alertId: string }
  | { kind: 'none' };

export function decideAlert(
  openEpisode: Pick<RuleAlertRecord, 'id' | 'status'> | undefined,
  fired: boolean,
): AlertDecision {
  if (openEpisode === undefined) return fired ? { kind: 'open' } : { kind: 'none' };
  if (!fired) return { kind: 'clear', alertId: openEpisode.id };
  return openEpisode.status === 'DISMISSED'
    ? { kind: 'silenced', alertId: openEpisode.id }
    : { kind: 'refresh', alertId: openEpisode.id };
}

/** Whether a decision runs the rule's actions (webhook, log). */
export function runsActions(decision: AlertDecision): boolean {
  return decision.kind === 'open' || decision.kind === 'refresh';
}
