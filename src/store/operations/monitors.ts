import { z } from 'zod';
import { VigilError } from '../../errors.ts';
import type { Driver, SqlRow } from '../driver.ts';
import { jsonColumn, rowSchema, toJsonColumn } from '../rows.ts';
import type { DriftRecord, MonitorRecord, MonitorRunRecord } from '../types.ts';

const monitorColumns =
  'id, name, integration_id, actor_key, actor_name, techniques, host, every_ms, expect, actions, created_at';

const monitorRowSchema = rowSchema(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    integration_id: z.string(),
    actor_key: z.string().nullable(),
    actor_name: z.string().nullable(),
    techniques: jsonColumn(z.array(z.string())),
    host: z.string(),
    every_ms: z.coerce.number().int(),
    expect: z.string(),
    actions: jsonColumn(z.array(z.string())),
    created_at: z.string(),
  }),
);

function toMonitorRecord(row: SqlRow): MonitorRecord {
  const r = monitorRowSchema.parse(row);
  return {
    id: r.id,
    name: r.name,
    integrationId: r.integration_id,
    actor: r.actor_key === null ? null : { key: r.actor_key, name: r.actor_name ?? r.actor_key },
    techniques: r.techniques,
    host: r.host,
    everyMs: r.every_ms,
    expect: r.expect,
    actions: r.actions,
    createdAt: r.created_at,
  };
}

const runColumns =
  'id, monitor_id, slot, validation_ids, started_at, finished_at, status, verdicts, by_verdict';

const runRowSchema = rowSchema(() =>
  z.object({
    id: z.string(),
    monitor_id: z.string(),
    slot: z.string(),
    validation_ids: jsonColumn(z.array(z.string())),
    started_at: z.string(),
    finished_at: z.string().nullable(),
    status: z.enum(['running', 'complete']),
    verdicts: z.union([z.null(), jsonColumn(z.record(z.string(), z.string()))]),
    by_verdict: z.union([z.null(), jsonColumn(z.record(z.string(), z.number()))]),
  }),
);

function toRunRecord(row: SqlRow): MonitorRunRecord {
  const r = runRowSchema.parse(row);
  return {
    id: r.id,
    monitorId: r.monitor_id,
    slot: r.slot,
    validationIds: r.validation_ids,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    verdicts: r.verdicts,
    byVerdict: r.by_verdict,
  };
}

const driftColumns =
  'id, monitor_id, run_id, technique, previous, current, expected, validation_id, raised_at, status, dismissed_at';

const driftRowSchema = rowSchema(() =>
  z.object({
    id: z.string(),
    monitor_id: z.string(),
    run_id: z.string(),
    technique: z.string(),
    previous: z.string().nullable(),
    current: z.string(),
    expected: z.string(),
    validation_id: z.string(),
    raised_at: z.string(),
    status: z.enum(['ACTIVE', 'DISMISSED']),
    dismissed_at: z.string().nullable(),
  }),
);

function toDriftRecord(row: SqlRow): DriftRecord {
  const r = driftRowSchema.parse(row);
  return {
    id: r.id,
    monitorId: r.monitor_id,
    runId: r.run_id,
    technique: r.technique,
    previous: r.previous,
    current: r.current,
    expected: r.expected,
    validationId: r.validation_id,
    raisedAt: r.raised_at,
    status: r.status,
    dismissedAt: r.dismissed_at,
  };
}

/**
 * Stores a new monitor. INPUT_INVALID when its name (in any case) is taken; the check and the insert
 * are one statement, so two processes adding the same name cannot both succeed.
 */
export async function insertMonitor(driver: Driver, record: MonitorRecord): Promise<void> {
  const [taken] = await driver.all('SELECT id FROM monitors WHERE lower(name) = lower(?)', [record.name]);
  const inserted =
    taken === undefined
      ? await driver.run(
          `INSERT INTO monitors (${monitorColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          [
            record.id,
            record.name,
            record.integrationId,
            record.actor?.key ?? null,
            record.actor?.name ?? null,
            toJsonColumn(record.techniques),
            record.host,
            record.everyMs,
            record.expect,
            toJsonColumn(record.actions),
            record.createdAt,
          ],
        )
      : 0;
  if (inserted === 0) {
    throw new VigilError('INPUT_INVALID', `A monitor named '${record.name}' already exists.`, {
      hint: 'Choose another --name, or remove the existing monitor first with `vigil monitors remove`.',
    });
  }
}

export async function listMonitors(driver: Driver): Promise<MonitorRecord[]> {
  const rows = await driver.all(`SELECT ${monitorColumns} FROM monitors ORDER BY lower(name), id`);
  return rows.map(toMonitorRecord);
}

/** The monitor whose id is `reference`, else whose name is `reference` (any case). */
export async function findMonitor(driver: Driver, reference: string): Promise<MonitorRecord | undefined> {
  const [row] = await driver.all(
    `SELECT ${monitorColumns} FROM monitors WHERE id = ? OR lower(name) = lower(?)
     ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END LIMIT 1`,
    [reference, reference, reference],
  );
  return row === undefined ? undefined : toMonitorRecord(row);
}

/** Deletes a monitor, its runs and its drift alerts in one transaction (its validations stay). */
export async function deleteMonitor(driver: Driver, id: string): Promise<boolean> {
  return driver.transaction(async (tx) => {
    await tx.run('DELETE FROM monitor_drift WHERE monitor_id = ?', [id]);
    await tx.run('DELETE FROM monitor_runs WHERE monitor_id = ?', [id]);
    return (await tx.run('DELETE FROM monitors WHERE id = ?', [id])) > 0;
  });
}

/** Records a run about to start; false when its (monitor, slot) already has one. */
export async function insertMonitorRun(
  driver: Driver,
  record: Omit<MonitorRunRecord, 'validationIds'>,
): Promise<boolean> {
  const inserted = await driver.run(
    `INSERT INTO monitor_runs (${runColumns}) VALUES (?, ?, ?, '[]', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      record.id,
      record.monitorId,
      record.slot,
      record.startedAt,
      record.finishedAt,
      record.status,
      record.verdicts === null ? null : toJsonColumn(record.verdicts),
      record.byVerdict === null ? null : toJsonColumn(record.byVerdict),
    ],
  );
  return inserted > 0;
}

export async function setMonitorRunValidations(
  driver: Driver,
  runId: string,
  validationIds: readonly string[],
): Promise<void> {
  await driver.run('UPDATE monitor_runs SET validation_ids = ? WHERE id = ?', [
    toJsonColumn(validationIds),
    runId,
  ]);
}

export async function listMonitorRuns(
  driver: Driver,
  monitorId: string,
  limit: number,
): Promise<MonitorRunRecord[]> {
  const rows = await driver.all(
    `SELECT ${runColumns} FROM monitor_runs WHERE monitor_id = ? ORDER BY started_at DESC, id DESC LIMIT ?`,
    [monitorId, limit],
  );
  return rows.map(toRunRecord);
}

export async function listRunningMonitorRuns(driver: Driver): Promise<MonitorRunRecord[]> {
  const rows = await driver.all(
    `SELECT ${runColumns} FROM monitor_runs WHERE status = 'running' ORDER BY started_at, id`,
  );
  return rows.map(toRunRecord);
}

/** Completes a running run with its drift alerts (see `MonitorRecords.completeMonitorRun`). */
export async function completeMonitorRun(
  driver: Driver,
  runId: string,
  result: { finishedAt: string; verdicts: Record<string, string>; byVerdict: Record<string, number> },
  drift: readonly DriftRecord[],
): Promise<DriftRecord[]> {
  return driver.transaction(async (tx) => {
    const completed = await tx.run(
      `UPDATE monitor_runs SET status = 'complete', finished_at = ?, verdicts = ?, by_verdict = ?
       WHERE id = ? AND status = 'running'`,
      [result.finishedAt, toJsonColumn(result.verdicts), toJsonColumn(result.byVerdict), runId],
    );
    if (completed === 0) return [];
    const raised: DriftRecord[] = [];
    for (const d of drift) {
      const inserted = await tx.run(
        `INSERT INTO monitor_drift (${driftColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          d.id,
          d.monitorId,
          d.runId,
          d.technique,
          d.previous,
          d.current,
          d.expected,
          d.validationId,
          d.raisedAt,
          d.status,
          d.dismissedAt,
        ],
      );
      if (inserted > 0) raised.push(d);
    }
    return raised;
  });
}

export async function listDrift(driver: Driver, monitorId: string): Promise<DriftRecord[]> {
  const rows = await driver.all(
    `SELECT ${driftColumns} FROM monitor_drift WHERE monitor_id = ? ORDER BY raised_at DESC, technique`,
    [monitorId],
  );
  return rows.map(toDriftRecord);
}

export async function dismissDrift(
  driver: Driver,
  id: string,
  dismissedAt: string,
): Promise<DriftRecord | undefined> {
  await driver.run(
    `UPDATE monitor_drift SET status = 'DISMISSED', dismissed_at = ? WHERE id = ? AND status = 'ACTIVE'`,
    [dismissedAt, id],
  );
  const [row] = await driver.all(`SELECT ${driftColumns} FROM monitor_drift WHERE id = ?`, [id]);
  return row === undefined ? undefined : toDriftRecord(row);
}
