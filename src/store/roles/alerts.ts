import type { Entity, JsonValue, Relationship } from '../../graph/types.ts';
import type { ScheduledJobRow } from './jobs.ts';

/*
 * The roles of Threat Stack alert intake: webhook alerts stored durably and verified, and the
 * per-integration webhook secrets.
 */

/** What a webhook delivery stored: the keys it added and the keys that were already there. */
export interface WebhookIntakeResult {
  accepted: string[];
  duplicates: string[];
  /** The duplicates whose verification is still pending (a replay may re-enqueue it). */
  stillPending: string[];
}

/**
 * The transaction of a webhook batch, offered to what must commit with its alerts (their
 * verification jobs), so that one commit makes both durable.
 */
export interface IntakeTransaction {
  readonly dialect: 'sqlite' | 'postgres';
  /** Records scheduled jobs (the in-process queue's ledger) in this transaction, as `insertScheduledJobs`. */
  insertScheduledJobs(jobs: readonly ScheduledJobRow[]): Promise<Set<string>>;
  /**
   * Runs one statement written with `$1…$n` placeholders and no `?` outside quotes (a job queue's
   * own SQL: pg-boss's insert) in this transaction, and returns its rows. PostgreSQL only.
   */
  readonly executeSql?: (
    text: string,
    values: readonly (string | number | null)[],
  ) => Promise<Record<string, unknown>[]>;
}

/** One webhook delivery's alert entities, for `recordWebhookBatch`. */
export interface WebhookDelivery {
  integrationId: string;
  alerts: readonly Entity[];
}

/** The REST truth about one alert, as its verification writes it. */
export interface AlertVerification {
  /** The alert entity, replacing the stored one (its first-seen time stays). */
  entity: Entity;
  /** Relationships to upsert with it (`threatstack_agent HAS threatstack_alert`). */
  relationships: Relationship[];
  /** The events behind the alert (D7 shape), replacing any stored; omitted to leave them as they are. */
  events?: JsonValue[];
}

/** The events stored for an alert and when they were fetched. */
export interface StoredAlertEvents {
  events: JsonValue[];
  fetchedAt: string;
}

/**
 * Threat Stack alerts received by webhook (C12). The stored alert is the graph's
 * `threatstack_alert` entity itself, owned by the integration, so queries and rules see it at once.
 */
export interface AlertIntake {
  /**
   * Stores each alert entity of one delivery in one transaction, before returning, idempotently by
   * key: a key already stored (received before, synced, or earlier in the same batch) is a
   * duplicate and is left exactly as it is, so webhook data never overwrites a verified alert.
   */
  recordWebhookAlerts(integrationId: string, alerts: Entity[], at: string): Promise<WebhookIntakeResult>;
  /**
   * Stores the alerts of many deliveries in ONE transaction (the webhook intake's group commit):
   * all or nothing, one result per delivery in order, with the same rules as `recordWebhookAlerts`;
   * a key named by an earlier delivery of the batch is a duplicate for the later ones. `within`,
   * when given, runs in the same transaction once the results are known (its failure rolls the
   * batch back), for the writes that must commit with the alerts.
   */
  recordWebhookBatch(
    deliveries: readonly WebhookDelivery[],
    at: string,
    within?: (results: readonly WebhookIntakeResult[], tx: IntakeTransaction) => Promise<void>,
  ): Promise<WebhookIntakeResult[]>;
  /**
   * Writes what the vendor's API says about an alert, in one transaction: the entity and its
   * relationships are upserted (rows another integration owns are left alone), and its events
   * replaced when given. Text is sanitized as every graph write is.
   */
  recordAlertVerification(integrationId: string, verification: AlertVerification, at: string): Promise<void>;
  /** The stored events of an alert entity, or undefined when none were fetched. */
  getAlertEvents(alertKey: string): Promise<StoredAlertEvents | undefined>;
}

/** The per-integration secret of the webhook URL, stored sealed (never plaintext). */
export interface WebhookSecrets {
  /** The sealed secret of an integration's webhook and when it was made, or undefined. */
  getWebhookSecret(integrationId: string): Promise<{ sealed: string; createdAt: string } | undefined>;
  /** As `getWebhookSecret`, but only when `integrationId` is exactly the id of a Threat Stack integration (one read). */
  getThreatStackWebhookSecret(
    integrationId: string,
  ): Promise<{ sealed: string; createdAt: string } | undefined>;
  /**
   * Stores the sealed secret of an integration's webhook: `create` only when it has none (the first
   * of concurrent creators wins), `replace` over any (rotation). Returns whether it was stored.
   */
  putWebhookSecret(
    integrationId: string,
    sealed: string,
    createdAt: string,
    mode: 'create' | 'replace',
  ): Promise<boolean>;
}
