import { alertKey } from '../connectors/threatstack/converters.ts';
import { toWebhookAlertEntity, type WebhookAlert } from '../connectors/threatstack/webhook.ts';
import type { AlertIntake } from '../store/types.ts';
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
  timer?: BatchTimer;
}

export interface WebhookIntakeDeps {
  store: Pick<AlertIntake, 'recordWebhookBatch'>;
  secrets: Pick<WebhookSecretService, 'verifySecret'>;
  now?: () => number;
  /**
   * Called after each batch's commit with the alerts to verify (`verifyWebhookAlert`, run as
   * jobs), once each: the newly accepted ones and the duplicates still pending. A failure here fails
   * every delivery of the batch (5xx); the vendor retries them (D11), and a replay, a pending
   * duplicate, is enqueued again, so a lost enqueue heals. The job runtime de-duplicates by
   * (integration, alert id).
   */
  verifyLater?: (alerts: readonly AlertToVerify[]) => Promise<void>;
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
  const writeBatch = async (deliveries: readonly Delivery[]) => {
    const results = await deps.store.recordWebhookBatch(
      deliveries.map(({ integrationId, alerts }) => ({
        integrationId,
        alerts: alerts.map(toWebhookAlertEntity),
      })),
      new Date(now()).toISOString(),
    );
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
    if (toVerify.size > 0 && deps.verifyLater !== undefined) await deps.verifyLater([...toVerify.values()]);
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
