import { z } from 'zod';
import { formatInterval, parseInterval } from '../rules/model.ts';
import type { DriftRecord, MonitorRecord, MonitorRunRecord } from '../store/types.ts';
import { type Expectation, expectationSchema } from './drift.ts';

/** A monitor as given by a person (CLI flags, an API body): an actor or techniques, not both. */
export const monitorInputSchema = z
  .object({
    name: z.string().trim().min(1).max(128),
    integration: z.string().min(1).max(128),
    actor: z.string().min(1).max(256).optional(),
    techniques: z.array(z.string().min(1).max(32)).min(1).max(1000).optional(),
    host: z.string().min(1).max(255),
    every: z.string().min(1).max(16),
    expect: expectationSchema,
    actions: z.array(z.string().min(1).max(2048)).max(10).optional(),
  })
  .strict()
  .meta({ id: 'MonitorInput' });
export type MonitorInput = z.infer<typeof monitorInputSchema>;

/** `MonitorSummary` of CONTRACTS-API.md: a monitor as lists and the API show it. */
export interface MonitorSummary {
  id: string;
  name: string;
  integration: { id: string; name: string };
  actor: { key: string; name: string } | null;
  techniques: string[];
  host: string;
  every: string;
  expect: Expectation;
  lastRunAt: string | null;
  nextRunAt: string | null;
  openDrift: number;
  warning: string | null;
  /** Its actions, webhooks by scheme and host only (a path may hold a token). */
  actions: string[];
}

/** `MonitorRun` of CONTRACTS-API.md (`validationId`: the first of its validations). */
export interface MonitorRunView {
  runId: string;
  validationId: string | null;
  validationIds: string[];
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'complete';
  byVerdict: Record<string, number>;
}

/** `DriftAlert` of CONTRACTS-API.md. */
export type DriftAlertView = Pick<
  DriftRecord,
  'id' | 'technique' | 'previous' | 'current' | 'expected' | 'validationId' | 'raisedAt' | 'status'
>;

export { formatInterval, parseInterval as parseEvery };

/**
 * When the next run is due: at once (its creation) before the first, one interval after the last
 * one started once it is complete, and not before the running one completes (null).
 */
export function nextRunAtOf(monitor: MonitorRecord, latest: MonitorRunRecord | undefined): string | null {
  if (latest === undefined) return monitor.createdAt;
  if (latest.status === 'running') return null;
  return new Date(Date.parse(latest.startedAt) + monitor.everyMs).toISOString();
}

/**
 * The warning of a monitor whose interval is shorter than its integration's query time plus delay:
 * the last poll of a run comes that long after its actions, so a run could not finish before the
 * next is due (the next then waits for it).
 */
export function intervalWarning(
  everyMs: number,
  window: { queryTimeMs: number; delayMs: number },
): string | null {
  const needed = window.queryTimeMs + window.delayMs;
  if (everyMs >= needed) return null;
  return `Runs every ${formatInterval(everyMs)}, but a run needs the integration's query time plus delay (${formatInterval(needed)}) to finish: each run will wait for the previous one.`;
}

export function runView(run: MonitorRunRecord): MonitorRunView {
  return {
    runId: run.id,
    validationId: run.validationIds[0] ?? null,
    validationIds: run.validationIds,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    status: run.status,
    byVerdict: run.byVerdict ?? {},
  };
}

export function driftView(drift: DriftRecord): DriftAlertView {
  const { id, technique, previous, current, expected, validationId, raisedAt, status } = drift;
  return { id, technique, previous, current, expected, validationId, raisedAt, status };
}
