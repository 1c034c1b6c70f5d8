import type { RuleRecords, WebhookAttemptRecord } from '../store/types.ts';
import { type EvaluatedRow, evaluateRule, type RuleEvaluation, type RunQuery } from './evaluate.ts';
import { type AlertDecision, decideAlert, runsActions } from './lifecycle.ts';
import { type AlertPayload, buildAlertPayload } from './payload.ts';
import { isRuleDue, selectRulesForSync, type TypesReadBy } from './select.ts';
import { findStoredRule, lastEvaluationOf } from './service.ts';
import { fromRuleRecord, type StoredRule } from './stored.ts';
import { deliverWebhook, type WebhookDelivery, type WebhookDeps, type WebhookPolicy } from './webhook.ts';

/**
 * What evaluating rules needs. `runQuery` and `typesReadBy` are the query engine's (wired in
 * src/app/rules.ts); `webhook` is a delivery's time, chance and warnings (its log is the store's).
 */
export interface RuleEvaluatorDeps {
  store: RuleRecords;
  runQuery: RunQuery;
  typesReadBy: TypesReadBy;
  now(): Date;
  newId(): string;
  webhook: Omit<WebhookDeps, 'record'>;
  webhookPolicy?: WebhookPolicy;
  /** The `log` action: one line per firing. */
  logAlert(payload: AlertPayload): void;
}

/** What one evaluation of a rule did. */
export interface RuleRunReport {
  rule: string;
  fired: boolean;
  rowCount: number;
  /** The rows the evaluation is about (for `new`: the new ones), at most the payload's first N. */
  rows: EvaluatedRow[];
  decision: AlertDecision['kind'];
  alertId: string | null;
  deliveries: WebhookDelivery[];
}

/** A rule due on its interval, and when it was last evaluated (null: never). */
export interface DueRule {
  ruleId: string;
  lastEvaluatedAt: string | null;
}

export type RuleEvaluator = ReturnType<typeof createRuleEvaluator>;

/**
 * Evaluates stored rules: runs the rule's queries, moves its alert along the lifecycle
 * (lifecycle.ts), stores the new state, then runs the actions when the alert opened or fired
 * again. Webhook failures end as outcomes in the delivery log, never as errors. The job runtime
 * calls `evaluateRule(id)` once per rule job; `rulesToEvaluateAfterSync` and `dueRules` say which.
 */
export function createRuleEvaluator(deps: RuleEvaluatorDeps) {
  const { store } = deps;

  async function applyDecision(rule: StoredRule, evaluation: RuleEvaluation, decision: AlertDecision) {
    const at = evaluation.state.evaluatedAt;
    const { rowCount, rows } = evaluation;
    if (decision.kind === 'open') {
      const id = deps.newId();
      await store.openRuleAlert({
        id,
        ruleId: rule.id,
        ruleName: rule.name,
        status: 'ACTIVE',
        openedAt: at,
        lastFiredAt: at,
        clearedAt: null,
        dismissedAt: null,
        dismissedBy: null,
        rowCount,
        rows,
      });
      return id;
    }
    if (decision.kind === 'refresh') await store.refreshRuleAlert(decision.alertId, at, rowCount, rows);
    if (decision.kind === 'clear') await store.clearRuleAlert(decision.alertId, at);
    return decision.kind === 'none' ? null : decision.alertId;
  }

  async function runActions(rule: StoredRule, payload: AlertPayload): Promise<WebhookDelivery[]> {
    const record = (attempt: WebhookAttemptRecord) => store.recordWebhookAttempt(attempt);
    const deliveries: WebhookDelivery[] = [];
    for (const action of rule.actions) {
      if (action.kind === 'log') {
        deps.logAlert(payload);
        continue;
      }
      const context = { deliveryId: deps.newId(), ruleId: rule.id, alertId: payload.alertId };
      deliveries.push(
        await deliverWebhook(action.url, payload, context, { ...deps.webhook, record }, deps.webhookPolicy),
      );
    }
    return deliveries;
  }

  return {
    /** Evaluates one rule (id or name) now, enabled or not; a failing query rejects, changing nothing. */
    async evaluateRule(reference: string): Promise<RuleRunReport> {
      const rule = await findStoredRule(store, reference);
      const previous = await lastEvaluationOf(store, rule.id);
      const evaluation = await evaluateRule(rule, deps.runQuery, previous, deps.now());
      const decision = decideAlert(await store.findOpenRuleAlert(rule.id), evaluation.fired);
      const alertId = await applyDecision(rule, evaluation, decision);
      await store.saveRuleState(rule.id, evaluation.state.evaluatedAt, evaluation.state);
      const deliveries = runsActions(decision)
        ? await runActions(rule, buildAlertPayload(rule, evaluation, alertId))
        : [];
      const { fired, rowCount, rows } = evaluation;
      return { rule: rule.name, fired, rowCount, rows, decision: decision.kind, alertId, deliveries };
    },
    /**
     * The ids of the enabled rules reading a type the sync wrote: each becomes one rule job, so a
     * slow webhook or a failing query of one rule never holds up the sync or the other rules.
     */
    async rulesToEvaluateAfterSync(writtenTypes: Iterable<string>): Promise<string[]> {
      const rules = (await store.listRules()).map(fromRuleRecord);
      return selectRulesForSync(rules, writtenTypes, deps.typesReadBy).map((rule) => rule.id);
    },
    /**
     * The enabled rules whose interval has passed since their last evaluation, with when that was
     * (null: never), which names the due slot every planner sees alike.
     */
    async dueRules(): Promise<DueRule[]> {
      const due: DueRule[] = [];
      for (const record of await store.listRules()) {
        const rule = fromRuleRecord(record);
        const last = (await lastEvaluationOf(store, rule.id))?.evaluatedAt;
        if (isRuleDue(rule, last, deps.now())) due.push({ ruleId: rule.id, lastEvaluatedAt: last ?? null });
      }
      return due;
    },
    /** Whether the rule (id) is due on its interval now; false when it is gone or has none. */
    async isDue(ruleId: string): Promise<boolean> {
      const record = await store.findRule(ruleId);
      if (record === undefined) return false;
      return isRuleDue(
        fromRuleRecord(record),
        (await lastEvaluationOf(store, ruleId))?.evaluatedAt,
        deps.now(),
      );
    },
  };
}
