import { VigilError } from '../errors.ts';
import type { RuleAlertRecord, RuleAlertStatus, RuleRecords, WebhookAttemptRecord } from '../store/types.ts';
import { evaluationStateSchema } from './evaluate.ts';
import { parseRule } from './model.ts';
import { fromRuleRecord, type StoredRule, toRuleRecord } from './stored.ts';

/** What the rule service needs: the store's rule records, a clock and ids. */
export interface RuleServiceDeps {
  store: RuleRecords;
  now(): Date;
  newId(): string;
  /** Throws (QUERY_INVALID) for a query that does not parse; the query engine's parser. */
  checkQuery?(text: string): void | Promise<void>;
}

/** A rule with what `rules show` prints beside it. */
export interface RuleDetails {
  rule: StoredRule;
  lastEvaluatedAt: string | undefined;
  openAlert: RuleAlertRecord | undefined;
  deliveries: WebhookAttemptRecord[];
}

export type RuleService = ReturnType<typeof createRuleService>;

/** The rule with this id or name (any case); NOT_FOUND when there is none. */
export async function findStoredRule(store: RuleRecords, reference: string): Promise<StoredRule> {
  const record = await store.findRule(reference);
  if (record === undefined) {
    throw new VigilError('NOT_FOUND', `No rule is named '${reference}'.`, {
      hint: 'List rules with `vigil rules list`.',
    });
  }
  return fromRuleRecord(record);
}

/** When the rule was last evaluated, from its stored state (a state this Vigil cannot read counts as none). */
export async function lastEvaluationOf(store: RuleRecords, ruleId: string) {
  const parsed = evaluationStateSchema.safeParse(await store.readRuleState(ruleId));
  return parsed.success ? parsed.data : undefined;
}

/**
 * The alert-rule use cases every surface calls (CLI, HTTP API): managing rules and their alerts.
 * Evaluating rules needs the query engine and lives in `evaluator.ts`.
 */
export function createRuleService(deps: RuleServiceDeps) {
  const { store } = deps;
  return {
    /**
     * Parses and saves a new rule; INPUT_INVALID when it is not valid or its name is taken,
     * QUERY_INVALID when a query does not parse.
     */
    async addRule(input: unknown): Promise<StoredRule> {
      const rule = parseRule(input);
      for (const query of rule.queries) await deps.checkQuery?.(query.text);
      const record = toRuleRecord(rule, deps.newId(), deps.now().toISOString());
      await store.insertRule(record);
      return fromRuleRecord(record);
    },
    async listRules(): Promise<StoredRule[]> {
      return (await store.listRules()).map(fromRuleRecord);
    },
    /** The rule, when it last ran, its open alert and its last webhook attempts; NOT_FOUND if none. */
    async showRule(reference: string): Promise<RuleDetails> {
      const rule = await findStoredRule(store, reference);
      return {
        rule,
        lastEvaluatedAt: (await lastEvaluationOf(store, rule.id))?.evaluatedAt,
        openAlert: await store.findOpenRuleAlert(rule.id),
        deliveries: await store.listWebhookAttempts(rule.id),
      };
    },
    /** Deletes a rule (its alerts and delivery log stay, as history); NOT_FOUND if none. */
    async removeRule(reference: string): Promise<void> {
      await store.deleteRule((await findStoredRule(store, reference)).id);
    },
    /** Alerts newest first, optionally of one rule (id or name) and/or status. */
    async listAlerts(
      filter: { rule?: string; status?: RuleAlertStatus; limit?: number } = {},
    ): Promise<RuleAlertRecord[]> {
      const { rule, ...rest } = filter;
      if (rule === undefined) return store.listRuleAlerts(rest);
      return store.listRuleAlerts({ ...rest, ruleId: (await findStoredRule(store, rule)).id });
    },
    /** Dismisses an alert as `by`; NOT_FOUND when no alert has this id. */
    dismissAlert(id: string, by: string): Promise<RuleAlertRecord> {
      return store.dismissRuleAlert(id, deps.now().toISOString(), by);
    },
  };
}
