import { alertKey } from '../connectors/threatstack/converters.ts';
import { toWebhookAlertEntity, type WebhookAlert } from '../connectors/threatstack/webhook.ts';
import type { AlertIntake, IntakeTransaction, WebhookIntakeResult } from '../store/types.ts';
import { type BatchTimer, intakeBatcher } from './intake-batcher.ts';
import type { WebhookSecretService } from './webhook-secret.ts';

/**
 * What the webhook route (`POST /webhooks/threatstack/:integrationId/:secret`) stands on. The
 * route parses the body with `webhookPayloadSchema` and answers 2xx only once `accept` resolved.
 */
export interface WebhookIntakePort {
  /** True when `secret` is the current webhook secret of the Threat Stack integration `integrationId`. */
  verifySecret(integrationId: string, secret: string): Promise<boolean>;
  /**
   * Stores every alert of one delivery durably before resolving (in one transaction with the
   * deliveries that arrived with it), idempotently by vendor alert id: `accepted` new alerts,
   * `duplicates` already stored or named earlier in the batch (never overwritten). INTAKE_BUSY
   * (503) when too many alerts wait to be stored; the batch's error when its write failed.
   */
  accept(
    integrationId: string,
    alerts: readonly WebhookAlert[],
  ): Promise<{ accepted: number; duplicates: number }>;
  /** Alerts waiting for their batch now (not counting the batch being written). */
  readonly queuedAlerts: number;
  /** Refuses new deliveries and stores the queued ones (shutdown). */
  close(): Promise<void>;
}

/** One alert to verify through the REST API. */
export interface AlertToVerify {
  integrationId: string;
  alertId: string;
}

/** The group commit's knobs (see `intakeBatcher`). */
export interface IntakeBatching {
  maxDelayMs?: number;
  maxBatchAlerts?: number;
  maxQueuedAlerts?: number;
  maxConcurrentBatches?: number;
  timer?: BatchTimer;
}

export interface WebhookIntakeDeps {
  store: Pick<AlertIntake, 'recordWebhookBatch'>;
  secrets: Pick<WebhookSecretService, 'verifySecret'>;
  now?: () => number;
  /**
   * Called in each batch's transaction, once its alerts are written, with the alerts to verify
   * (`verifyWebhookAlerts`, run as jobs), once each: the newly accepted ones and the duplicates
   * still pending. Jobs written through `tx` commit with the alerts (one commit per batch); a
   * failure here rolls the batch back and fails every delivery of it (5xx), which the vendor
   * retries (D11); a replay of a pending duplicate is enqueued again, so a lost enqueue heals (a
   * verification finding an alert no longer pending settles it without asking the API).
   */
  verifyLater?: (alerts: readonly AlertToVerify[], tx: IntakeTransaction) => Promise<void>;
  batching?: IntakeBatching;
}

interface Delivery {
  integrationId: string;
  alerts: readonly WebhookAlert[];
}

/**
 * Threat Stack webhook intake (C12): each alert becomes the graph's `threatstack_alert` entity at
 * once, flagged `verified: false`, `verification: 'pending'`, `source: 'webhook'`, until its
 * verification job confirms it through the REST API (webhook calls are unsigned, spec §5).
 * Concurrent deliveries share one commit and one bulk job insert (`intakeBatcher`).
 */
export function webhookIntake(deps: WebhookIntakeDeps): WebhookIntakePort {
  const now = deps.now ?? Date.now;
  const verifyLater = deps.verifyLater;
  const writeBatch = async (deliveries: readonly Delivery[]) => {
    const results = await deps.store.recordWebhookBatch(
      deliveries.map(({ integrationId, alerts }) => ({
        integrationId,
        alerts: alerts.map(toWebhookAlertEntity),
      })),
      new Date(now()).toISOString(),
      verifyLater === undefined
        ? undefined
        : async (written, tx) => {
            const toVerify = alertsToVerify(deliveries, written);
            if (toVerify.length > 0) await verifyLater(toVerify, tx);
          },
    );
    return results.map((result) => ({
      accepted: result.accepted.length,
      duplicates: result.duplicates.length,
    }));
  };
  const batcher = intakeBatcher({
    write: writeBatch,
    weight: (delivery: Delivery) => delivery.alerts.length,
    ...deps.batching,
  });
  return {
    verifySecret: (integrationId, secret) => deps.secrets.verifySecret(integrationId, secret),
    accept: (integrationId, alerts) => batcher.submit({ integrationId, alerts }),
    get queuedAlerts() {
      return batcher.queuedAlerts;
    },
    close: () => batcher.close(),
  };
}

/** The alerts of a batch to verify, once each: those newly accepted and the duplicates still pending. */
function alertsToVerify(
  deliveries: readonly Delivery[],
  results: readonly WebhookIntakeResult[],
): AlertToVerify[] {
  const toVerify = new Map<string, AlertToVerify>();
  deliveries.forEach(({ integrationId, alerts }, index) => {
    const result = results[index];
    if (result === undefined) return;
    const idOfKey = new Map(alerts.map((alert) => [alertKey(alert.id), alert.id]));
    for (const key of [...result.accepted, ...result.stillPending]) {
      const alertId = idOfKey.get(key);
      if (alertId !== undefined) toVerify.set(`${integrationId}\n${alertId}`, { integrationId, alertId });
    }
  });
  // In one order, so that overlapping batches take their job rows' locks alike (no deadlock).
  return [...toVerify.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, alert]) => alert);
}
