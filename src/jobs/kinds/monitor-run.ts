import { z } from 'zod';
import { toVigilError } from '../../errors.ts';
import type { JobContext, JobKind, JobRequest, JobResult } from '../types.ts';

/** What one completion did (the application's `FinishedRun`, as much as the job reports). */
export interface CompletedMonitorRun {
  runId: string;
  monitor: string;
  byVerdict: Record<string, number>;
  drift: ReadonlyArray<{ technique: string }>;
  deliveries: ReadonlyArray<{ outcome: string }>;
}

/** What the monitor-run job needs of the application (`vigil.monitors.jobs()`). */
export interface MonitorJobDeps {
  /** The monitors due at `now`, each with the due slot it fills (`src/jobs/due.ts`). */
  due(now: number): Promise<Array<{ monitorId: string; slot: string }>>;
  /** Whether the monitor is still due to fill `slot` at `now` (false when removed or served). */
  isDue(monitorId: string, slot: string, now: number): Promise<boolean>;
  /** Starts the run of a slot; undefined when the slot already has one or the monitor is gone. */
  start(monitorId: string, slot: string): Promise<{ runId: string; validationIds: string[] } | undefined>;
  /** The running runs whose verdicts are all in. */
  readyToComplete(): Promise<string[]>;
  /** Completes a run: drift compared, stored, delivered; undefined when there was nothing to do. */
  complete(runId: string): Promise<CompletedMonitorRun | undefined>;
}

const monitorRunData = z.discriminatedUnion('step', [
  z.object({ step: z.literal('start'), monitorId: z.string().min(1), slot: z.string().min(1) }).strict(),
  z.object({ step: z.literal('complete'), runId: z.string().min(1) }).strict(),
]);
export type MonitorRunData = z.infer<typeof monitorRunData>;

/** The kind's name (its pg-boss queue is `vigil-monitor-run`). */
export const monitorRunKindName = 'monitor-run';

/** `start|<monitor>|<slot>` grouped by monitor; `complete|<run>` grouped by run. */
export function monitorRunJob(data: MonitorRunData): JobRequest<MonitorRunData> {
  if (data.step === 'start')
    return { data, key: `start|${data.monitorId}|${data.slot}`, group: data.monitorId };
  return { data, key: `complete|${data.runId}`, group: `complete|${data.runId}` };
}

/**
 * Monitor runs as jobs of the one runtime (issue 14). On every tick the planner sends:
 * - a `start` job per monitor due, keyed by its due slot (the sync's rule, `src/jobs/due.ts`), so
 *   each slot is started once across workers and restarts (the store also refuses a second run of
 *   a slot); grouped by monitor, one monitor never starts twice at once;
 * - a `complete` job per running run whose validations have every verdict (the validation polls,
 *   another kind, bring them in), keyed by the run: the completion compares the verdicts, stores
 *   the drift alerts with the run (once) and delivers them.
 * A start whose slot was served meanwhile is `skipped`; a failure is retried.
 */
export function monitorRunJobKind(deps: MonitorJobDeps): JobKind<MonitorRunData> {
  return {
    name: monitorRunKindName,
    data: monitorRunData,
    async planDue(now, held) {
      const starts = (await deps.due(now))
        .filter(({ monitorId }) => !held.has(monitorId))
        .map(({ monitorId, slot }) => monitorRunJob({ step: 'start', monitorId, slot }));
      const completions = (await deps.readyToComplete()).map((runId) =>
        monitorRunJob({ step: 'complete', runId }),
      );
      return [...starts, ...completions];
    },
    handle: (data, context) => handleMonitorRunJob(data, context, deps),
  };
}

/** The handler of one monitor-run job (see `monitorRunJobKind`). */
export async function handleMonitorRunJob(
  data: MonitorRunData,
  context: JobContext,
  deps: MonitorJobDeps,
): Promise<JobResult> {
  const logger = context.logger.child({ ...data });
  try {
    if (data.step === 'start') {
      if (!(await deps.isDue(data.monitorId, data.slot, context.now())))
        return { status: 'skipped', reason: 'not-due' };
      const started = await deps.start(data.monitorId, data.slot);
      if (started === undefined) return { status: 'skipped', reason: 'slot-taken' };
      logger.info({ ...started }, 'monitor run started');
      return { status: 'completed', output: { ...started } };
    }
    const done = await deps.complete(data.runId);
    if (done === undefined) return { status: 'skipped', reason: 'not-ready-or-complete' };
    const drift = done.drift.map((d) => d.technique);
    const deliveries = done.deliveries.map((d) => d.outcome);
    logger.info(
      { monitor: done.monitor, byVerdict: done.byVerdict, drift, deliveries },
      'monitor run complete',
    );
    return {
      status: 'completed',
      output: { monitor: done.monitor, byVerdict: done.byVerdict, drift, deliveries },
    };
  } catch (error) {
    const { code, message } = toVigilError(error);
    logger.error({ code, err: message }, 'monitor run failed');
    return {
      status: 'failed',
      error: { code, message },
      retry: code !== 'NOT_FOUND' && code !== 'INPUT_INVALID',
    };
  }
}
