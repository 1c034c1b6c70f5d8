import { z } from 'zod';
import type { Driver, SqlRow } from '../driver.ts';
import { jsonColumn, rowSchema, toJsonColumn } from '../rows.ts';
import type { StepRecord, StepStatus } from '../types.ts';

const stepStatuses = ['success', 'failure', 'partial', 'skipped'] as const satisfies readonly StepStatus[];

const stepRowSchema = rowSchema(() =>
  z.object({
    run_id: z.string(),
    step_id: z.string(),
    status: z.enum(stepStatuses),
    started_at: z.string(),
    finished_at: z.string(),
    types: jsonColumn(z.array(z.string())),
    error: jsonColumn(z.object({ code: z.string(), message: z.string() })).nullable(),
  }),
);

function toStepRecord(row: SqlRow): StepRecord {
  const parsed = stepRowSchema.parse(row);
  return {
    runId: parsed.run_id,
    stepId: parsed.step_id,
    status: parsed.status,
    startedAt: parsed.started_at,
    finishedAt: parsed.finished_at,
    types: parsed.types,
    error: parsed.error,
  };
}

/** Records a step's outcome; recording the same (run, step) again replaces it. */
export async function recordStep(driver: Driver, step: StepRecord): Promise<void> {
  const error =
    step.error === null ? null : toJsonColumn({ code: step.error.code, message: step.error.message });
  await driver.run(
    `INSERT INTO sync_steps (run_id, step_id, status, started_at, finished_at, types, error)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id, step_id) DO UPDATE SET status = excluded.status, started_at = excluded.started_at,
       finished_at = excluded.finished_at, types = excluded.types, error = excluded.error`,
    [step.runId, step.stepId, step.status, step.startedAt, step.finishedAt, toJsonColumn(step.types), error],
  );
}

/** The run's steps in the order they started (ties by step id). */
export async function listSteps(driver: Driver, runId: string): Promise<StepRecord[]> {
  const rows = await driver.all(
    `SELECT run_id, step_id, status, started_at, finished_at, types, error
     FROM sync_steps WHERE run_id = ? ORDER BY started_at, step_id`,
    [runId],
  );
  return rows.map(toStepRecord);
}
