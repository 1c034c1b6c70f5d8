import { z } from 'zod';
import { VigilError } from '../../../errors.ts';
import type { Driver, SqlRow, SqlValue } from '../../driver.ts';
import { jsonColumn, rowSchema, toJsonColumn } from '../../rows.ts';
import type { RuleAlertRecord, RuleAlertStatus } from '../../types.ts';

const alertRowSchema = rowSchema(() =>
  z.object({
    id: z.string(),
    rule_id: z.string(),
    rule_name: z.string(),
    status: z.enum(['ACTIVE', 'INACTIVE', 'DISMISSED']),
    opened_at: z.string(),
    last_fired_at: z.string(),
    cleared_at: z.string().nullable(),
    dismissed_at: z.string().nullable(),
    dismissed_by: z.string().nullable(),
    row_count: z.coerce.number().int(),
    rows: jsonColumn(z.unknown()),
  }),
);

const alertColumns =
  'id, rule_id, rule_name, status, opened_at, last_fired_at, cleared_at, dismissed_at, dismissed_by, row_count, rows';

function toAlertRecord(row: SqlRow): RuleAlertRecord {
  const parsed = alertRowSchema.parse(row);
  return {
    id: parsed.id,
    ruleId: parsed.rule_id,
    ruleName: parsed.rule_name,
    status: parsed.status,
    openedAt: parsed.opened_at,
    lastFiredAt: parsed.last_fired_at,
    clearedAt: parsed.cleared_at,
    dismissedAt: parsed.dismissed_at,
    dismissedBy: parsed.dismissed_by,
    rowCount: parsed.row_count,
    rows: parsed.rows,
  };
}

/**
 * Opens an episode. INPUT_INVALID when the rule already has an open one (the partial unique index
 * decides, so two evaluators racing on one rule cannot both open an episode) or the id is taken.
 */
export async function openRuleAlert(driver: Driver, record: RuleAlertRecord): Promise<void> {
  const inserted = await driver.run(
    `INSERT INTO rule_alerts (${alertColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      record.id,
      record.ruleId,
      record.ruleName,
      record.status,
      record.openedAt,
      record.lastFiredAt,
      record.clearedAt,
      record.dismissedAt,
      record.dismissedBy,
      record.rowCount,
      toJsonColumn(record.rows),
    ],
  );
  if (inserted === 0) {
    throw new VigilError('INPUT_INVALID', `Rule '${record.ruleName}' already has an open alert.`);
  }
}

/** The rule's open episode (not cleared), or undefined. */
export async function findOpenRuleAlert(
  driver: Driver,
  ruleId: string,
): Promise<RuleAlertRecord | undefined> {
  const [row] = await driver.all(
    `SELECT ${alertColumns} FROM rule_alerts WHERE rule_id = ? AND cleared_at IS NULL`,
    [ruleId],
  );
  return row === undefined ? undefined : toAlertRecord(row);
}

/** Records another firing of an open episode; a cleared episode is left as it was. */
export async function refreshRuleAlert(
  driver: Driver,
  id: string,
  firedAt: string,
  rowCount: number,
  rows: unknown,
): Promise<void> {
  await driver.run(
    'UPDATE rule_alerts SET last_fired_at = ?, row_count = ?, rows = ? WHERE id = ? AND cleared_at IS NULL',
    [firedAt, rowCount, toJsonColumn(rows), id],
  );
}

/** Ends an open episode: ACTIVE becomes INACTIVE, DISMISSED stays DISMISSED. */
export async function clearRuleAlert(driver: Driver, id: string, clearedAt: string): Promise<void> {
  await driver.run(
    `UPDATE rule_alerts SET cleared_at = ?, status = CASE WHEN status = 'ACTIVE' THEN 'INACTIVE' ELSE status END
     WHERE id = ? AND cleared_at IS NULL`,
    [clearedAt, id],
  );
}

/**
 * Marks an alert DISMISSED by `by`, whether its episode is open or ended; an alert already
 * dismissed keeps its first dismissal. NOT_FOUND when no alert has this id.
 */
export async function dismissRuleAlert(
  driver: Driver,
  id: string,
  dismissedAt: string,
  by: string,
): Promise<RuleAlertRecord> {
  await driver.run(
    "UPDATE rule_alerts SET status = 'DISMISSED', dismissed_at = ?, dismissed_by = ? WHERE id = ? AND status <> 'DISMISSED'",
    [dismissedAt, by, id],
  );
  const alert = await getRuleAlert(driver, id);
  if (alert === undefined) {
    throw new VigilError('NOT_FOUND', `Rule alert ${id} does not exist.`, {
      hint: 'List alerts with `vigil rule-alerts list`.',
    });
  }
  return alert;
}

export async function getRuleAlert(driver: Driver, id: string): Promise<RuleAlertRecord | undefined> {
  const [row] = await driver.all(`SELECT ${alertColumns} FROM rule_alerts WHERE id = ?`, [id]);
  return row === undefined ? undefined : toAlertRecord(row);
}

/** Alerts, newest first, optionally of one rule and/or one status; default limit 100. */
export async function listRuleAlerts(
  driver: Driver,
  filter: { ruleId?: string; status?: RuleAlertStatus; limit?: number },
): Promise<RuleAlertRecord[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.ruleId !== undefined) {
    where.push('rule_id = ?');
    params.push(filter.ruleId);
  }
  if (filter.status !== undefined) {
    where.push('status = ?');
    params.push(filter.status);
  }
  const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  const rows = await driver.all(
    `SELECT ${alertColumns} FROM rule_alerts ${clause} ORDER BY opened_at DESC, id DESC LIMIT ?`,
    [...params, filter.limit ?? 100],
  );
  return rows.map(toAlertRecord);
}
