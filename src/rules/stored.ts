import type { RuleRecord } from '../store/types.ts';
import { parseCondition } from './condition.ts';
import { formatAction, parseAction, type Rule } from './model.ts';

/** A rule as saved: the parsed rule with its id and times. */
export interface StoredRule extends Rule {
  id: string;
  createdAt: string;
  updatedAt: string;
}

/** The store's record of a parsed rule (condition as written, actions in their text form). */
export function toRuleRecord(rule: Rule, id: string, at: string): RuleRecord {
  return {
    id,
    name: rule.name,
    queries: rule.queries,
    condition: rule.conditionText,
    actions: rule.actions.map(formatAction),
    intervalMs: rule.intervalMs ?? null,
    enabled: rule.enabled,
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * A stored record parsed back into a rule. The record was valid when saved, so a failure here
 * (INPUT_INVALID) means the database was edited by hand or by a newer Vigil.
 */
export function fromRuleRecord(record: RuleRecord): StoredRule {
  return {
    id: record.id,
    name: record.name,
    queries: record.queries,
    condition: parseCondition(record.condition),
    conditionText: record.condition,
    actions: record.actions.map(parseAction),
    intervalMs: record.intervalMs ?? undefined,
    enabled: record.enabled,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
