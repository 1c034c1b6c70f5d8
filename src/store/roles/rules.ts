/* The role of alert rules: rule definitions, evaluation state, rule alerts and the webhook delivery log. */

/**
 * An alert rule as stored. The store keeps the rule's text as given (`condition`, `actions`) and
 * knows nothing of their meaning: `src/rules` parses them when it reads a rule back.
 */
export interface RuleRecord {
  id: string;
  name: string;
  queries: { label: string; text: string }[];
  condition: string;
  actions: string[];
  intervalMs: number | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/**
 * ACTIVE while the rule's condition holds; INACTIVE once it cleared; DISMISSED when a person
 * dismissed it (it stays DISMISSED when the condition clears).
 */
export type RuleAlertStatus = 'ACTIVE' | 'INACTIVE' | 'DISMISSED';

/**
 * One episode of a rule's condition holding: opened when it fires, refreshed while it keeps
 * firing, ended (`clearedAt`) when it clears. At most one episode per rule is open (not cleared).
 * Episodes are never deleted (history), not even with their rule.
 */
export interface RuleAlertRecord {
  id: string;
  ruleId: string;
  ruleName: string;
  status: RuleAlertStatus;
  openedAt: string;
  lastFiredAt: string;
  clearedAt: string | null;
  dismissedAt: string | null;
  dismissedBy: string | null;
  /** How many rows the last firing was about, and the first of them (JSON, re-validated by readers). */
  rowCount: number;
  rows: unknown;
}

/** One attempt to deliver a webhook. `target` is the URL's scheme and host only (never its path). */
export interface WebhookAttemptRecord {
  deliveryId: string;
  attempt: number;
  ruleId: string;
  alertId: string | null;
  target: string;
  attemptedAt: string;
  /** The HTTP status answered, or null when none came (timeout, refused connection). */
  statusCode: number | null;
  outcome: 'delivered' | 'retrying' | 'failed';
  error: string | null;
}

/** Alert rules: their definitions, evaluation state, alert episodes and webhook delivery log. */
export interface RuleRecords {
  /** Stores a new rule; INPUT_INVALID when its name (in any case) or id is taken. */
  insertRule(record: RuleRecord): Promise<void>;
  /** The rule with this id, else with this name (case-insensitive), or undefined. */
  findRule(reference: string): Promise<RuleRecord | undefined>;
  /** Every rule, ordered by name. */
  listRules(): Promise<RuleRecord[]>;
  /** Deletes a rule and its evaluation state; false when there was none. Its alerts and deliveries stay. */
  deleteRule(id: string): Promise<boolean>;
  /** The state the rule's last evaluation stored (JSON, re-validated by the reader), or undefined. */
  readRuleState(ruleId: string): Promise<unknown>;
  /** Replaces the rule's evaluation state. */
  saveRuleState(ruleId: string, evaluatedAt: string, state: unknown): Promise<void>;
  /** The rule's open episode (not cleared), or undefined. */
  findOpenRuleAlert(ruleId: string): Promise<RuleAlertRecord | undefined>;
  /** Opens an episode; INPUT_INVALID when the rule already has an open one. */
  openRuleAlert(record: RuleAlertRecord): Promise<void>;
  /** Records another firing of an open episode (time, rows); its status is unchanged. */
  refreshRuleAlert(id: string, firedAt: string, rowCount: number, rows: unknown): Promise<void>;
  /** Ends an open episode: ACTIVE becomes INACTIVE, DISMISSED stays DISMISSED. */
  clearRuleAlert(id: string, clearedAt: string): Promise<void>;
  /** Marks an alert DISMISSED by `by` (already dismissed: unchanged); NOT_FOUND when it does not exist. */
  dismissRuleAlert(id: string, dismissedAt: string, by: string): Promise<RuleAlertRecord>;
  getRuleAlert(id: string): Promise<RuleAlertRecord | undefined>;
  /** Alerts, newest first, optionally of one rule and/or status; default limit 100. */
  listRuleAlerts(filter: {
    ruleId?: string;
    status?: RuleAlertStatus;
    limit?: number;
  }): Promise<RuleAlertRecord[]>;
  /** Appends one attempt to the delivery log. */
  recordWebhookAttempt(attempt: WebhookAttemptRecord): Promise<void>;
  /** The rule's last attempts, newest first; default limit 20. */
  listWebhookAttempts(ruleId: string, limit?: number): Promise<WebhookAttemptRecord[]>;
}
