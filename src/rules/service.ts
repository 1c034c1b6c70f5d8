import { VigilError } from '../errors.ts';
import type { RuleAlertRecord, RuleAlertStatus, RuleRecords, WebhookAttemptRecord } from '../store/types.ts';
import { evaluateRule, evaluationStateSchema, type RuleEvaluation, type RunQuery } from './evaluate.ts';
import { type AlertDecision, decideAlert, runsActions } from './lifecycle.ts';
import { parseRule } from './model.ts';
import { type AlertPayload, buildAlertPayload } from './payload.ts';
import { isRuleDue, selectRulesForSync, type TypesReadBy } from './select.ts';
import { fromRuleRecord, type StoredRule, toRuleRecord } from './stored.ts';
import { deliverWebhook, type WebhookDelivery, type WebhookDeps, type WebhookPolicy } from './webhook.ts';

/**
 * What the rule service needs. `runQuery` and `typesReadBy` are the query engine's (wired at
 * merge); `webhook` is the delivery's time, chance and warnings (its log is the store's).
 */
export interface RuleServiceDeps {
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
  decision: AlertDecision['kind'];
  alertId: string | null;
  deliveries: WebhookDelivery[];
}

/** A rule with what `rules show` prints beside it. */
export interface RuleDetails {
  rule: StoredRule;
  lastEvaluatedAt: string | undefined;
  openAlert: RuleAlertRecord | undefined;
  deliveries: WebhookAttemptRecord[];
}

export type RuleService = ReturnType<typeof createRuleService>;

/**
 * The alert-rule use cases every surface calls (CLI, HTTP API, the job runtime's rule jobs).
 * An evaluation runs the rule's queries, moves its alert along the lifecycle (src/rules/lifecycle.ts),
 * stores the new state, then runs the actions when the alert opened or fired again. Webhook
 * failures end as outcomes in the delivery log, never as errors.
 */
export function createRuleService(deps: RuleServiceDeps) {
  const { store } = deps;

  async function find(reference: string): Promise<StoredRule> {
    const record = await store.findRule(reference);
    if (record === undefined) {
      throw new VigilError('NOT_FOUND', `No rule is named '${reference}'.`, {
        hint: 'List rules with `vigil rules list`.',
      });
    }
    return fromRuleRecord(record);
  }

  async function lastState(ruleId: string) {
    const parsed = evaluationStateSchema.safeParse(await store.readRuleState(ruleId));
    return parsed.success ? parsed.data : undefined;
  }

  async function applyDecision(rule: StoredRule, evaluation: RuleEvaluation, decision: AlertDecision) {
    const at = evaluation.state.evaluatedAt;
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
        rowCount: evaluation.rowCount,
        rows: evaluation.rows,
      });
      return id;
    }
    if (decision.kind === 'refresh') {
      await store.refreshRuleAlert(decision.alertId, at, evaluation.rowCount, evaluation.rows);
    }
    if (decision.kind === 'clear') await store.clearRuleAlert(decision.alertId, at);
    return decision.kind === 'none' ? null : decision.alertId;
  }

  async function runActions(rule: StoredRule, payload: AlertPayload): Promise<WebhookDelivery[]> {
    const deliveries: WebhookDelivery[] = [];
    for (const action of rule.actions) {
      if (action.kind === 'log') deps.logAlert(payload);
      else {
        const context = { deliveryId: deps.newId(), ruleId: rule.id, alertId: payload.alertId };
        const webhookDeps = {
          ...deps.webhook,
          record: (attempt: WebhookAttemptRecord) => store.recordWebhookAttempt(attempt),
        };
        deliveries.push(await deliverWebhook(action.url, payload, context, webhookDeps, deps.webhookPolicy));
      }
    }
    return deliveries;
  }

  async function evaluateStored(rule: StoredRule): Promise<RuleRunReport> {
    const evaluation = await evaluateRule(rule, deps.runQuery, await lastState(rule.id), deps.now());
    const decision = decideAlert(await store.findOpenRuleAlert(rule.id), evaluation.fired);
    const alertId = await applyDecision(rule, evaluation, decision);
    await store.saveRuleState(rule.id, evaluation.state.evaluatedAt, evaluation.state);
    const deliveries = runsActions(decision)
      ? await runActions(rule, buildAlertPayload(rule, evaluation, alertId))
      : [];
    const { fired, rowCount } = evaluation;
    return { rule: rule.name, fired, rowCount, decision: decision.kind, alertId, deliveries };
  }

  return {
    /** Parses and saves a new rule; INPUT_INVALID when it is not valid or its name is taken. */
    async addRule(input: unknown): Promise<StoredRule> {
      const rule = parseRule(input);
      const record = toRuleRecord(rule, deps.newId(), deps.now().toISOString());
      await store.insertRule(record);
      return fromRuleRecord(record);
    },
    async listRules(): Promise<StoredRule[]> {
      return (await store.listRules()).map(fromRuleRecord);
    },
    /** The rule, when it last ran, its open alert and its last webhook attempts; NOT_FOUND if none. */
    async showRule(reference: string): Promise<RuleDetails> {
      const rule = await find(reference);
      return {
        rule,
        lastEvaluatedAt: (await lastState(rule.id))?.evaluatedAt,
        openAlert: await store.findOpenRuleAlert(rule.id),
        deliveries: await store.listWebhookAttempts(rule.id),
      };
    },
    /** Deletes a rule (its alerts and delivery log stay, as history); NOT_FOUND if none. */
    async removeRule(reference: string): Promise<void> {
      await store.deleteRule((await find(reference)).id);
    },
    /** Evaluates one rule now (`rules run`), enabled or not. A failing query rejects. */
    async evaluateRule(reference: string): Promise<RuleRunReport> {
      return evaluateStored(await find(reference));
    },
    /**
     * The ids of the enabled rules reading a type the sync wrote: each becomes one rule job of the
     * job runtime (which calls `evaluateRule(id)`), so a slow webhook or a failing query of one rule
     * never holds up the sync or the other rules.
     */
    async rulesToEvaluateAfterSync(writtenTypes: Iterable<string>): Promise<string[]> {
      const rules = (await store.listRules()).map(fromRuleRecord);
      return selectRulesForSync(rules, writtenTypes, deps.typesReadBy).map((rule) => rule.id);
    },
    /** The ids of the enabled rules whose interval has passed since their last evaluation. */
    async dueRules(): Promise<string[]> {
      const due: string[] = [];
      for (const record of await store.listRules()) {
        const rule = fromRuleRecord(record);
        if (isRuleDue(rule, (await lastState(rule.id))?.evaluatedAt, deps.now())) due.push(rule.id);
      }
      return due;
    },
    listAlerts(filter: { rule?: string; status?: RuleAlertStatus; limit?: number } = {}) {
      return filter.rule === undefined
        ? store.listRuleAlerts(filter)
        : find(filter.rule).then((rule) => store.listRuleAlerts({ ...filter, ruleId: rule.id }));
    },
    /** Dismisses an alert as `by`; NOT_FOUND when no alert has this id. */
    dismissAlert(id: string, by: string): Promise<RuleAlertRecord> {
      return store.dismissRuleAlert(id, deps.now().toISOString(), by);
    },
  };
}
