import { z } from 'zod';
import type { Driver } from '../../driver.ts';
import { jsonColumn, rowSchema, toJsonColumn } from '../../rows.ts';

const stateRowSchema = rowSchema(() => z.object({ state: jsonColumn(z.unknown()) }));

/** The state the rule's last evaluation stored, or undefined; the caller re-validates it. */
export async function readRuleState(driver: Driver, ruleId: string): Promise<unknown> {
  const [row] = await driver.all('SELECT state FROM rule_states WHERE rule_id = ?', [ruleId]);
  return row === undefined ? undefined : stateRowSchema.parse(row).state;
}

/** Replaces the rule's evaluation state (one statement: an upsert). */
export async function saveRuleState(
  driver: Driver,
  ruleId: string,
  evaluatedAt: string,
  state: unknown,
): Promise<void> {
  await driver.run(
    `INSERT INTO rule_states (rule_id, evaluated_at, state) VALUES (?, ?, ?)
     ON CONFLICT (rule_id) DO UPDATE SET evaluated_at = excluded.evaluated_at, state = excluded.state`,
    [ruleId, evaluatedAt, toJsonColumn(state)],
  );
}
