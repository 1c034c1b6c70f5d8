import { z } from 'zod';
import type { GraphStore, LatestVerdictFilter, LatestVerdictRecord } from '../store/types.ts';
import type { LatestVerdict } from './model.ts';

const storedVerdicts = {
  Prevented: 'prevented',
  Alerted: 'alerted',
  Detected: 'detected',
  Missed: 'missed',
} as const satisfies Record<string, LatestVerdict['verdict']>;

/** The part of a stored correlation the evidence reference is made of; anything else is ignored. */
const evidenceSchema = z
  .object({
    evidence: z
      .object({
        alerts: z.array(z.object({ alertId: z.string() }).passthrough()).default([]),
        events: z.array(z.object({ eventId: z.string() }).passthrough()).default([]),
      })
      .passthrough(),
  })
  .passthrough();

/**
 * A short reference to the evidence behind a verdict: the first matching Threat Stack alert
 * (`threatstack alert <id>`, `+N more` when several matched), else the first matching event;
 * none for a miss or a verdict without stored evidence.
 */
export function evidenceReference(correlation: unknown): string | undefined {
  const parsed = evidenceSchema.safeParse(correlation);
  if (!parsed.success) return undefined;
  const { alerts, events } = parsed.data.evidence;
  const more = (n: number) => (n > 1 ? ` (+${n - 1} more)` : '');
  if (alerts[0] !== undefined) return `threatstack alert ${alerts[0].alertId}${more(alerts.length)}`;
  if (events[0] !== undefined) return `threatstack event ${events[0].eventId}${more(events.length)}`;
  return undefined;
}

/** A stored latest verdict as the coverage model takes it (lower-case verdict); undefined for an unknown verdict. */
export function toLatestVerdict(record: LatestVerdictRecord): LatestVerdict | undefined {
  const verdict = storedVerdicts[record.verdict as keyof typeof storedVerdicts];
  if (verdict === undefined) return undefined;
  const evidence = evidenceReference(record.correlation);
  return {
    verdict,
    testedAt: record.verdictAt,
    validationId: record.validationId,
    ...(evidence === undefined ? {} : { evidence }),
  };
}

/**
 * The latest verdict per technique id, from every completed action of every validation (or of
 * one integration's, or for some technique ids only: see `LatestVerdictFilter`). "Latest" is the
 * newest verdict time — when the action's last poll ran and its verdict was recorded — not the
 * action's start, so a re-run always supersedes an earlier verdict. Techniques match exactly:
 * a verdict of T1059.004 is not one of T1059.
 */
export async function readLatestVerdicts(
  store: GraphStore,
  filter: LatestVerdictFilter = {},
): Promise<Map<string, LatestVerdict>> {
  const latest = new Map<string, LatestVerdict>();
  for (const record of await store.latestVerdicts(filter)) {
    const verdict = toLatestVerdict(record);
    if (verdict !== undefined) latest.set(record.technique, verdict);
  }
  return latest;
}
