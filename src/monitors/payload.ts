import { escapeSlackText } from '../rules/payload.ts';
import type { DriftRecord } from '../store/types.ts';

/**
 * The JSON a monitor's webhook receives for one drift alert: Slack incoming webhooks read `text`
 * (escaped for Slack), generic receivers the structured fields.
 */
export type DriftPayload = { text: string; monitor: string; driftId: string } & Pick<
  DriftRecord,
  'technique' | 'previous' | 'current' | 'expected' | 'validationId' | 'raisedAt'
>;

export function buildDriftPayload(monitor: string, drift: DriftRecord): DriftPayload {
  const before = drift.previous ?? 'untested';
  return {
    text: `Vigil monitor "${escapeSlackText(monitor)}" drift: ${escapeSlackText(drift.technique)} went from ${before} to ${drift.current} (expected ${drift.expected}).`,
    monitor,
    driftId: drift.id,
    technique: drift.technique,
    previous: drift.previous,
    current: drift.current,
    expected: drift.expected,
    validationId: drift.validationId,
    raisedAt: drift.raisedAt,
  };
}
