import { z } from 'zod';
import { VigilError } from '../../errors.ts';
import type { Driver, SqlRow, SqlValue } from '../driver.ts';
import { jsonColumn, rowSchema, toJsonColumn } from '../rows.ts';
import type { RunRecord, RunStatus } from '../types.ts';

const runStatuses = [
  'running',
  'success',
  'partial',
  'failure',
  'aborted',
  'interrupted',
] as const satisfies readonly RunStatus[];

const runRowSchema = rowSchema(() =>
  z.object({
    id: z.string(),
    integration_id: z.string(),
    status: z.enum(runStatuses),
    started_at: z.string(),
    finished_at: z.string().nullable(),
    summary: jsonColumn(z.unknown()).nullable(),
  }),
);

const runColumns = 'id, integration_id, status, started_at, finished_at, summary';

function toRunRecord(row: SqlRow): RunRecord {
  const parsed = runRowSchema.parse(row);
  return {
    id: parsed.id,
    integrationId: parsed.integration_id,
    status: parsed.status,
    startedAt: parsed.started_at,
    finishedAt: parsed.finished_at,
    summary: parsed.summary,
  };
}

/**
 * Records a new `running` run with the given id. Earlier runs of the integration still
 * `running` belong to a process that died: they become `aborted` (finished_at stays unknown)
 * and their seen-key bookkeeping is dropped; the rows they wrote stay.
 */
export async function createRun(
  driver: Driver,
  id: string,
  integrationId: string,
  startedAt: string,
): Promise<string> {
  await driver.transaction(async (tx) => {
    await tx.run(
      "DELETE FROM sync_seen WHERE run_id IN (SELECT id FROM sync_runs WHERE integration_id = ? AND status = 'running')",
      [integrationId],
    );
    await tx.run("UPDATE sync_runs SET status = 'aborted' WHERE integration_id = ? AND status = 'running'", [
      integrationId,
    ]);
    await tx.run(
      "INSERT INTO sync_runs (id, integration_id, status, started_at) VALUES (?, ?, 'running', ?)",
      [id, integrationId, startedAt],
    );
  });
  return id;
}

/** Closes a run with its final status and JSON summary; `NOT_FOUND` when no such run exists. */
export async function finishRun(
  driver: Driver,
  runId: string,
  status: RunStatus,
  finishedAt: string,
  summary: unknown,
): Promise<void> {
  const changed = await driver.run(
    'UPDATE sync_runs SET status = ?, finished_at = ?, summary = ? WHERE id = ?',
    [status, finishedAt, toJsonColumn(summary), runId],
  );
  if (changed === 0) throw new VigilError('NOT_FOUND', `Sync run ${runId} does not exist`);
}

/** One run, or undefined. */
export async function getRun(driver: Driver, runId: string): Promise<RunRecord | undefined> {
  const [row] = await driver.all(`SELECT ${runColumns} FROM sync_runs WHERE id = ?`, [runId]);
  return row === undefined ? undefined : toRunRecord(row);
}

/**
 * Runs newest first (by start time, then by insertion), optionally of one integration, at most
 * `limit` of them (all when omitted).
 */
export async function listRuns(driver: Driver, integrationId?: string, limit?: number): Promise<RunRecord[]> {
  const insertionOrder = driver.dialect === 'postgres' ? 'seq' : 'rowid';
  const params: SqlValue[] = [];
  let sql = `SELECT ${runColumns} FROM sync_runs`;
  if (integrationId !== undefined) {
    sql += ' WHERE integration_id = ?';
    params.push(integrationId);
  }
  sql += ` ORDER BY started_at DESC, ${insertionOrder} DESC`;
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit < 0) {
      throw new VigilError('INPUT_INVALID', `A run list limit must be a whole number ≥ 0, not ${limit}`);
    }
    sql += ' LIMIT ?';
    params.push(limit);
  }
  const rows = await driver.all(sql, params);
  return rows.map(toRunRecord);
}
