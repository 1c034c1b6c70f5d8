import { z } from 'zod';
import type { Driver } from '../driver.ts';
import { jsonColumn, rowSchema, toJsonColumn } from '../rows.ts';
import type {
  NextPollRecord,
  PendingPollRecord,
  ValidationActionRecord,
  ValidationRecord,
  ValidationSummary,
} from '../types.ts';

const validationColumns = 'id, integration_id, name, created_at, status, pass_rules, settings';

const validationRowSchema = rowSchema(() =>
  z
    .object({
      id: z.string(),
      integration_id: z.string(),
      name: z.string(),
      created_at: z.string(),
      status: z.enum(['running', 'complete']),
      pass_rules: jsonColumn(z.unknown()),
      settings: jsonColumn(z.unknown()),
    })
    .transform(
      (row): ValidationRecord => ({
        id: row.id,
        integrationId: row.integration_id,
        name: row.name,
        createdAt: row.created_at,
        status: row.status,
        passRules: row.pass_rules,
        settings: row.settings,
      }),
    ),
);

const summaryRowSchema = rowSchema(() =>
  z.object({ actions: z.coerce.number().int(), verdicts: z.coerce.number().int() }).passthrough(),
);

const nullableJson = () => z.union([z.null(), jsonColumn(z.unknown())]);

const actionRowSchema = rowSchema(() =>
  z
    .object({
      validation_id: z.string(),
      action_id: z.string(),
      position: z.coerce.number().int(),
      technique: z.string(),
      action: jsonColumn(z.unknown()),
      done_polls: jsonColumn(z.array(z.number().int())),
      next_poll_index: z.coerce.number().int().nullable(),
      next_poll_at: z.string().nullable(),
      pool: jsonColumn(z.unknown()),
      verdict: z.string().nullable(),
      correlation: nullableJson(),
      suspicious: nullableJson(),
      correlated_at: z.string().nullable(),
    })
    .transform(
      (row): ValidationActionRecord => ({
        validationId: row.validation_id,
        actionId: row.action_id,
        position: row.position,
        technique: row.technique,
        action: row.action,
        donePolls: row.done_polls,
        nextPoll: nextPollOf(row.next_poll_index, row.next_poll_at),
        pool: row.pool,
        verdict: row.verdict,
        correlation: row.correlation,
        suspicious: row.suspicious,
        correlatedAt: row.correlated_at,
      }),
    ),
);

function nextPollOf(index: number | null, at: string | null): NextPollRecord | null {
  return index === null || at === null ? null : { index, at };
}

const actionColumns =
  'validation_id, action_id, position, technique, action, done_polls, next_poll_index, next_poll_at, pool, verdict, correlation, suspicious, correlated_at';

/** Inserts a validation and its actions (see `ValidationRecords.insertValidation`). */
export async function insertValidation(
  driver: Driver,
  record: ValidationRecord,
  actions: ReadonlyArray<{ actionId: string; technique: string; action: unknown; nextPoll: NextPollRecord }>,
): Promise<void> {
  await driver.transaction(async (tx) => {
    await tx.run(`INSERT INTO validations (${validationColumns}) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      record.id,
      record.integrationId,
      record.name,
      record.createdAt,
      record.status,
      toJsonColumn(record.passRules),
      toJsonColumn(record.settings),
    ]);
    for (const [position, action] of actions.entries()) {
      await tx.run(
        `INSERT INTO validation_actions (validation_id, action_id, position, technique, action, done_polls,
           next_poll_index, next_poll_at, pool)
         VALUES (?, ?, ?, ?, ?, '[]', ?, ?, ?)`,
        [
          record.id,
          action.actionId,
          position,
          action.technique,
          toJsonColumn(action.action),
          action.nextPoll.index,
          action.nextPoll.at,
          toJsonColumn({ alerts: [], events: [] }),
        ],
      );
    }
  });
}

/** The newest validations first, with their action and verdict counts. */
export async function listValidations(driver: Driver, limit: number): Promise<ValidationSummary[]> {
  const rows = await driver.all(
    `SELECT v.id, v.integration_id, v.name, v.created_at, v.status, v.pass_rules, v.settings,
       (SELECT count(*) FROM validation_actions a WHERE a.validation_id = v.id) AS actions,
       (SELECT count(*) FROM validation_actions a WHERE a.validation_id = v.id AND a.verdict IS NOT NULL) AS verdicts
     FROM validations v ORDER BY v.created_at DESC, v.id DESC LIMIT ?`,
    [limit],
  );
  return rows.map((row) => {
    const counts = summaryRowSchema.parse(row);
    return { ...validationRowSchema.parse(row), actions: counts.actions, verdicts: counts.verdicts };
  });
}

export async function getValidation(driver: Driver, id: string): Promise<ValidationRecord | undefined> {
  const [row] = await driver.all(`SELECT ${validationColumns} FROM validations WHERE id = ?`, [id]);
  return row === undefined ? undefined : validationRowSchema.parse(row);
}

export async function listValidationActions(
  driver: Driver,
  validationId: string,
): Promise<ValidationActionRecord[]> {
  const rows = await driver.all(
    `SELECT ${actionColumns} FROM validation_actions WHERE validation_id = ? ORDER BY position`,
    [validationId],
  );
  return rows.map((row) => actionRowSchema.parse(row));
}

export async function getValidationAction(
  driver: Driver,
  validationId: string,
  actionId: string,
): Promise<ValidationActionRecord | undefined> {
  const [row] = await driver.all(
    `SELECT ${actionColumns} FROM validation_actions WHERE validation_id = ? AND action_id = ?`,
    [validationId, actionId],
  );
  return row === undefined ? undefined : actionRowSchema.parse(row);
}

const pendingRowSchema = rowSchema(() =>
  z
    .object({
      validation_id: z.string(),
      action_id: z.string(),
      next_poll_index: z.coerce.number().int(),
      next_poll_at: z.string(),
    })
    .transform(
      (row): PendingPollRecord => ({
        validationId: row.validation_id,
        actionId: row.action_id,
        index: row.next_poll_index,
        at: row.next_poll_at,
      }),
    ),
);

/** The next poll of every action without a verdict, earliest first. */
export async function listPendingPolls(driver: Driver): Promise<PendingPollRecord[]> {
  const rows = await driver.all(
    `SELECT validation_id, action_id, next_poll_index, next_poll_at FROM validation_actions
     WHERE verdict IS NULL AND next_poll_at IS NOT NULL ORDER BY next_poll_at, validation_id, position`,
  );
  return rows.map((row) => pendingRowSchema.parse(row));
}
