import { z } from 'zod';
import type { Driver, SqlRow } from '../../driver.ts';
import { rowSchema } from '../../rows.ts';
import type { WebhookAttemptRecord } from '../../types.ts';

const attemptRowSchema = rowSchema(() =>
  z.object({
    delivery_id: z.string(),
    attempt: z.coerce.number().int(),
    rule_id: z.string(),
    alert_id: z.string().nullable(),
    target: z.string(),
    attempted_at: z.string(),
    status_code: z.coerce.number().int().nullable(),
    outcome: z.enum(['delivered', 'retrying', 'failed']),
    error: z.string().nullable(),
  }),
);

const attemptColumns =
  'delivery_id, attempt, rule_id, alert_id, target, attempted_at, status_code, outcome, error';

function toAttemptRecord(row: SqlRow): WebhookAttemptRecord {
  const parsed = attemptRowSchema.parse(row);
  return {
    deliveryId: parsed.delivery_id,
    attempt: parsed.attempt,
    ruleId: parsed.rule_id,
    alertId: parsed.alert_id,
    target: parsed.target,
    attemptedAt: parsed.attempted_at,
    statusCode: parsed.status_code,
    outcome: parsed.outcome,
    error: parsed.error,
  };
}

/** Appends one attempt to the webhook delivery log. */
export async function recordWebhookAttempt(driver: Driver, attempt: WebhookAttemptRecord): Promise<void> {
  await driver.run(`INSERT INTO webhook_attempts (${attemptColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    attempt.deliveryId,
    attempt.attempt,
    attempt.ruleId,
    attempt.alertId,
    attempt.target,
    attempt.attemptedAt,
    attempt.statusCode,
    attempt.outcome,
    attempt.error,
  ]);
}

/** The rule's last attempts, newest first (attempt number breaks ties); default limit 20. */
export async function listWebhookAttempts(
  driver: Driver,
  ruleId: string,
  limit = 20,
): Promise<WebhookAttemptRecord[]> {
  const rows = await driver.all(
    `SELECT ${attemptColumns} FROM webhook_attempts WHERE rule_id = ?
     ORDER BY attempted_at DESC, delivery_id DESC, attempt DESC LIMIT ?`,
    [ruleId, limit],
  );
  return rows.map(toAttemptRecord);
}
