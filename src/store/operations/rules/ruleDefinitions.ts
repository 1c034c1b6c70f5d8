import { z } from 'zod';
import { VigilError } from '../../../errors.ts';
import type { Driver, SqlRow } from '../../driver.ts';
import { jsonColumn, rowSchema, toJsonColumn } from '../../rows.ts';
import type { RuleRecord } from '../../types.ts';

const ruleRowSchema = rowSchema(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    queries: jsonColumn(z.array(z.object({ label: z.string(), text: z.string() }))),
    condition: z.string(),
    actions: jsonColumn(z.array(z.string())),
    interval_ms: z.coerce.number().int().nullable(),
    enabled: z.coerce.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  }),
);

const ruleColumns = 'id, name, queries, condition, actions, interval_ms, enabled, created_at, updated_at';

function toRuleRecord(row: SqlRow): RuleRecord {
  const parsed = ruleRowSchema.parse(row);
  return {
    id: parsed.id,
    name: parsed.name,
    queries: parsed.queries,
    condition: parsed.condition,
    actions: parsed.actions,
    intervalMs: parsed.interval_ms,
    enabled: parsed.enabled === 1,
    createdAt: parsed.created_at,
    updatedAt: parsed.updated_at,
  };
}

/**
 * Stores a new rule. INPUT_INVALID when its name (in any case) or id is taken; the check and the
 * insert are one statement, so two processes adding the same name cannot both succeed.
 */
export async function insertRule(driver: Driver, record: RuleRecord): Promise<void> {
  const inserted = await driver.run(
    `INSERT INTO rules (${ruleColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      record.id,
      record.name,
      toJsonColumn(record.queries),
      record.condition,
      toJsonColumn(record.actions),
      record.intervalMs,
      record.enabled ? 1 : 0,
      record.createdAt,
      record.updatedAt,
    ],
  );
  if (inserted === 0) {
    throw new VigilError('INPUT_INVALID', `A rule named '${record.name}' already exists.`, {
      hint: 'Choose another --name, or remove the existing rule first with `vigil rules remove`.',
    });
  }
}

/** The rule whose id is `reference`, else whose name is `reference` (any case), or undefined. */
export async function findRule(driver: Driver, reference: string): Promise<RuleRecord | undefined> {
  const [row] = await driver.all(
    `SELECT ${ruleColumns} FROM rules WHERE id = ? OR lower(name) = lower(?)
     ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END LIMIT 1`,
    [reference, reference, reference],
  );
  return row === undefined ? undefined : toRuleRecord(row);
}

/** Every rule, ordered by name. */
export async function listRules(driver: Driver): Promise<RuleRecord[]> {
  const rows = await driver.all(`SELECT ${ruleColumns} FROM rules ORDER BY lower(name), id`);
  return rows.map(toRuleRecord);
}

/** Deletes a rule and its evaluation state in one transaction; false when there was none. */
export async function deleteRule(driver: Driver, id: string): Promise<boolean> {
  return driver.transaction(async (tx) => {
    await tx.run('DELETE FROM rule_states WHERE rule_id = ?', [id]);
    return (await tx.run('DELETE FROM rules WHERE id = ?', [id])) > 0;
  });
}
