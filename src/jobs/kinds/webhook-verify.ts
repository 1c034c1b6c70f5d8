import { z } from 'zod';
import type { AlertToVerify } from '../../alerts/intake.ts';
import type { VerificationTally } from '../../alerts/verify.ts';
import { toVigilError } from '../../errors.ts';
import { nodeCrypto } from '../../lazy-require.ts';
import type { JobContext, JobKind, JobRequest, JobResult } from '../types.ts';

/** What the verification job calls: `verifyWebhookAlerts` with the integration's own vendor client. */
export interface WebhookVerifyDeps {
  /**
   * Verifies the stored webhook alerts `alertIds` of one integration through the vendor's REST
   * API, in order, with one client. Throws ALERT_VERIFICATION_DEFERRED on a transient vendor
   * failure (the alerts verified before it stay verified), NOT_FOUND when the integration is gone.
   */
  verify(
    integrationId: string,
    alertIds: readonly string[],
    options: { signal: AbortSignal },
  ): Promise<VerificationTally>;
}

/** The most alerts one job verifies: a batch of deliveries naming more is split. */
export const maxAlertsPerVerifyJob = 100;

const alertId = z.string().min(1).max(128);
const webhookVerifyData = z.union([
  z
    .object({
      integrationId: z.string().min(1),
      alertIds: z.array(alertId).min(1).max(maxAlertsPerVerifyJob),
    })
    .strict(),
  // A job sent by a version that verified one alert per job, read back after an upgrade.
  z
    .object({ integrationId: z.string().min(1), alertId })
    .strict()
    .transform(({ integrationId, alertId }) => ({ integrationId, alertIds: [alertId] })),
]);
export type WebhookVerifyData = z.output<typeof webhookVerifyData>;

/** The kind's name (its pg-boss queue is `vigil-webhook-verify`). */
export const webhookVerifyKindName = 'webhook-verify';

/**
 * The job that verifies the webhook-received Threat Stack alerts of one batch of deliveries (C12),
 * up to `maxAlertsPerVerifyJob` of one integration: `completed` with the tally (verified, kept
 * unverified when the API does not know them, settled already); `failed` with a retry on
 * ALERT_VERIFICATION_DEFERRED (rate limit, 5xx, network: the retry skips what was verified) and on a
 * store failure; `skipped` when the integration is gone; `failed` without a retry otherwise
 * (credentials, permissions: the alerts stay pending and the log says why).
 */
export function webhookVerifyJobKind(deps: WebhookVerifyDeps): JobKind<WebhookVerifyData> {
  return {
    name: webhookVerifyKindName,
    data: webhookVerifyData,
    handle: (data, context) => handleWebhookVerifyJob(data, context, deps),
  };
}

/**
 * The jobs verifying the alerts of one intake batch: one per integration, split past
 * `maxAlertsPerVerifyJob`, in the order given; each keyed by its integration and alert ids, so
 * that sending the same ones again sends nothing new.
 */
export function webhookVerifyRequests(alerts: readonly AlertToVerify[]): JobRequest<WebhookVerifyData>[] {
  const byIntegration = new Map<string, string[]>();
  for (const { integrationId, alertId } of alerts) {
    const ids = byIntegration.get(integrationId);
    if (ids === undefined) byIntegration.set(integrationId, [alertId]);
    else ids.push(alertId);
  }
  const requests: JobRequest<WebhookVerifyData>[] = [];
  for (const [integrationId, alertIds] of byIntegration) {
    for (let start = 0; start < alertIds.length; start += maxAlertsPerVerifyJob) {
      const ids = alertIds.slice(start, start + maxAlertsPerVerifyJob);
      const digest = nodeCrypto().createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 32);
      requests.push({
        data: { integrationId, alertIds: ids },
        key: `${integrationId}|${ids.length}|${digest}`,
      });
    }
  }
  return requests;
}

const retriedCodes: ReadonlySet<string> = new Set(['ALERT_VERIFICATION_DEFERRED', 'STORE_ERROR']);

async function handleWebhookVerifyJob(
  data: WebhookVerifyData,
  context: JobContext,
  deps: WebhookVerifyDeps,
): Promise<JobResult> {
  const logger = context.logger.child({ integrationId: data.integrationId, alerts: data.alertIds.length });
  try {
    const tally = await deps.verify(data.integrationId, data.alertIds, { signal: context.signal });
    logger.info(tally, 'webhook alerts verified');
    return { status: 'completed', output: { ...tally } };
  } catch (error) {
    const { code, message } = toVigilError(error);
    if (code === 'NOT_FOUND') return { status: 'skipped', reason: 'gone' };
    const retry = retriedCodes.has(code);
    logger.warn({ code, err: message, retry }, 'webhook alert verification failed');
    return { status: 'failed', error: { code, message }, retry };
  }
}
