import { alertKey } from '../connectors/threatstack/converters.ts';
import { toWebhookAlertEntity, type WebhookAlert } from '../connectors/threatstack/webhook.ts';
import type { AlertIntake } from '../store/types.ts';
import type { WebhookSecretService } from './webhook-secret.ts';

/**
 * What the webhook route (`POST /webhooks/threatstack/:integrationId/:secret`) stands on. The
 * route parses the body with `webhookPayloadSchema` and answers 2xx only once `accept` resolved.
 */
export interface WebhookIntakePort {
  /** True when `secret` is the current webhook secret of the Threat Stack integration `integrationId`. */
  verifySecret(integrationId: string, secret: string): Promise<boolean>;
  /**
   * Stores every alert of one delivery durably (one transaction) before resolving, idempotently by
   * vendor alert id: `accepted` new alerts, `duplicates` already stored (never overwritten).
   */
  accept(
    integrationId: string,
    alerts: readonly WebhookAlert[],
  ): Promise<{ accepted: number; duplicates: number }>;
}

export interface WebhookIntakeDeps {
  store: AlertIntake;
  secrets: Pick<WebhookSecretService, 'verifySecret'>;
  now?: () => number;
  /**
   * Called after the commit with the vendor ids of the alerts to verify (`verifyWebhookAlert`, run
   * as jobs): the newly accepted ones and the duplicates still pending. A failure here fails the
   * delivery; the vendor retries it (D11), and the replay, a pending duplicate, is enqueued again,
   * so a lost enqueue heals. The job runtime should therefore de-duplicate by (integration, alert id).
   */
  verifyLater?: (integrationId: string, alertIds: readonly string[]) => Promise<void>;
}

/**
 * Threat Stack webhook intake (C12): each alert becomes the graph's `threatstack_alert` entity at
 * once, flagged `verified: false`, `verification: 'pending'`, `source: 'webhook'`, until its
 * verification job confirms it through the REST API (webhook calls are unsigned, spec §5).
 */
export function webhookIntake(deps: WebhookIntakeDeps): WebhookIntakePort {
  const now = deps.now ?? Date.now;
  return {
    verifySecret: (integrationId, secret) => deps.secrets.verifySecret(integrationId, secret),
    async accept(integrationId, alerts) {
      const result = await deps.store.recordWebhookAlerts(
        integrationId,
        alerts.map(toWebhookAlertEntity),
        new Date(now()).toISOString(),
      );
      const toVerify = [...result.accepted, ...result.stillPending];
      if (toVerify.length > 0 && deps.verifyLater !== undefined) {
        const idOfKey = new Map(alerts.map((alert) => [alertKey(alert.id), alert.id]));
        await deps.verifyLater(
          integrationId,
          toVerify.flatMap((key) => idOfKey.get(key) ?? []),
        );
      }
      return { accepted: result.accepted.length, duplicates: result.duplicates.length };
    },
  };
}
