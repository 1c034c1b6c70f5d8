import { z } from 'zod';
import { toVigilError } from '../../errors.ts';
import type { JobContext, JobKind, JobRequest, JobResult } from '../types.ts';

/** What the verification job calls: `verifyWebhookAlert` with the integration's own vendor client. */
export interface WebhookVerifyDeps {
  /**
   * Verifies one stored webhook alert through the vendor's REST API. Throws
   * ALERT_VERIFICATION_DEFERRED on a transient vendor failure, NOT_FOUND when the integration
   * (or its alert) is gone.
   */
  verify(
    integrationId: string,
    alertId: string,
    options: { signal: AbortSignal },
  ): Promise<{ status: 'verified' | 'unverified' }>;
}

const webhookVerifyData = z
  .object({ integrationId: z.string().min(1), alertId: z.string().min(1).max(128) })
  .strict();
export type WebhookVerifyData = z.infer<typeof webhookVerifyData>;

/** The kind's name (its pg-boss queue is `vigil-webhook-verify`). */
export const webhookVerifyKindName = 'webhook-verify';

/**
 * The job that verifies one webhook-received Threat Stack alert (C12), sent once per
 * (integration, alert id): `completed` with the outcome (verified, or kept unverified when the API
 * does not know it); `failed` with a retry on ALERT_VERIFICATION_DEFERRED (rate limit, 5xx,
 * network) and on a store failure; `skipped` when the integration or the alert is gone; `failed`
 * without a retry otherwise (credentials, permissions: the alert stays pending and the log says why).
 */
export function webhookVerifyJobKind(deps: WebhookVerifyDeps): JobKind<WebhookVerifyData> {
  return {
    name: webhookVerifyKindName,
    data: webhookVerifyData,
    handle: (data, context) => handleWebhookVerifyJob(data, context, deps),
  };
}

/** The job request verifying `alertId`: keyed (and grouped) by integration and alert, so a replay sends nothing new. */
export function webhookVerifyRequest(integrationId: string, alertId: string): JobRequest<WebhookVerifyData> {
  return { data: { integrationId, alertId }, key: `${integrationId}|${alertId}` };
}

const retriedCodes: ReadonlySet<string> = new Set(['ALERT_VERIFICATION_DEFERRED', 'STORE_ERROR']);

async function handleWebhookVerifyJob(
  data: WebhookVerifyData,
  context: JobContext,
  deps: WebhookVerifyDeps,
): Promise<JobResult> {
  const logger = context.logger.child({ integrationId: data.integrationId, alertId: data.alertId });
  try {
    const outcome = await deps.verify(data.integrationId, data.alertId, { signal: context.signal });
    logger.info({ verification: outcome.status }, 'webhook alert verified');
    return { status: 'completed', output: { verification: outcome.status } };
  } catch (error) {
    const { code, message } = toVigilError(error);
    if (code === 'NOT_FOUND') return { status: 'skipped', reason: 'gone' };
    const retry = retriedCodes.has(code);
    logger.warn({ code, err: message, retry }, 'webhook alert verification failed');
    return { status: 'failed', error: { code, message }, retry };
  }
}
