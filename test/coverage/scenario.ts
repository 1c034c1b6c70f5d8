import { readFileSync } from 'node:fs';
import type { ActorTechnique } from '../../src/coverage/actors.ts';
import { type ActorCoverage, buildActorCoverage, type LatestVerdict } from '../../src/coverage/model.ts';

interface ActorFixture {
  actor: ActorCoverage['actor'];
  techniques: ActorTechnique[];
}

/** The 20-technique actor of `test/fixtures/coverage/actor-20-techniques.json`. */
export const copperLynx: ActorFixture = JSON.parse(
  readFileSync(new URL('../fixtures/coverage/actor-20-techniques.json', import.meta.url), 'utf8'),
);

/** Fixture order: the first 12 techniques are the ones Threat Stack's rules cover in the scenario. */
export const alertedIds = copperLynx.techniques.slice(0, 12).map((t) => t.id);
export const missedIds = copperLynx.techniques.slice(12).map((t) => t.id);

/** A latest verdict as validation would record it; the evidence links to the alert when there is one. */
export function latest(id: string, verdict: LatestVerdict['verdict'], minute = 0): LatestVerdict {
  const testedAt = `2026-11-30T10:${String(minute).padStart(2, '0')}:00.000Z`;
  return verdict === 'missed'
    ? { verdict, testedAt, validationId: 'val-7' }
    : { verdict, testedAt, validationId: 'val-7', evidence: `https://vigil.example/alerts/${id}` };
}

/** Copper Lynx with verdicts given per technique id (absent → untested). */
export function copperLynxWith(verdicts: Record<string, LatestVerdict['verdict']>): ActorCoverage {
  const map = new Map(
    Object.entries(verdicts).map(([id, verdict], index) => [id, latest(id, verdict, index)]),
  );
  return buildActorCoverage(copperLynx.actor, copperLynx.techniques, map);
}

/** The proof scenario: 12 alerted, 8 missed. */
export function twelveAlertedEightMissed(): ActorCoverage {
  return copperLynxWith({
    ...Object.fromEntries(alertedIds.map((id) => [id, 'alerted' as const])),
    ...Object.fromEntries(missedIds.map((id) => [id, 'missed' as const])),
  });
}

/** Every verdict present: prevented, alerted, detected, missed and untested (4 of each). */
export function everyVerdict(): ActorCoverage {
  const cycle = ['prevented', 'alerted', 'detected', 'missed'] as const;
  const ids = copperLynx.techniques.map((t) => t.id);
  return copperLynxWith(Object.fromEntries(ids.slice(0, 16).map((id, i) => [id, cycle[i % 4]!])));
}
