import { VigilError } from '../../errors.ts';
import type { VigilMetrics } from '../metrics.ts';
import type { WebhookIntakePort } from '../ports.ts';
import { errorResponses, type RoutePlugin } from '../route-module.ts';
import { webhookDeliverySchema, webhookPathSchema, webhookReceiptSchema } from '../webhooks/schema.ts';

/** The largest delivery accepted: one alert summary is well under 1 KiB. */
export const webhookBodyLimit = 256 * 1024;

/**
 * `POST /webhooks/threatstack/:integrationId/:secret`: Threat Stack's unsigned deliveries (D11).
 * The secret path segment is the credential, checked through the port before the body is read
 * (401 alike for an unknown integration and a wrong secret); then the body must be JSON (415),
 * at most 256 KiB (413) and `{"alerts":[…]}` (400 with the reason); the port stores the alerts
 * and the answer (202) counts the new and the duplicate ones, sent only once they are committed
 * (503 with Retry-After when the intake's queue is full). Every delivery refused with a 4xx
 * counts as `rejected` in `vigil_webhook_alerts_total` (a 5xx is the server's failure, not a rejection).
 */
export function webhookRoutes(intake: WebhookIntakePort, metrics: VigilMetrics): RoutePlugin {
  return async (app) => {
    app.post(
      '/webhooks/threatstack/:integrationId/:secret',
      {
        config: { access: 'public' },
        bodyLimit: webhookBodyLimit,
        schema: {
          summary: 'Threat Stack Webhook API delivery (the secret path segment authenticates it)',
          security: [],
          params: webhookPathSchema,
          body: webhookDeliverySchema,
          response: {
            202: webhookReceiptSchema,
            ...errorResponses([400, 401, 413, 415, 503], { isPublic: true }),
          },
        },
        onRequest: async (request) => {
          const path = webhookPathSchema.safeParse(request.params);
          const verified =
            path.success && (await intake.verifySecret(path.data.integrationId, path.data.secret));
          if (!verified) {
            throw new VigilError('UNAUTHENTICATED', 'Unknown integration or wrong webhook secret.', {
              hint: 'Paste the URL printed by `vigil integrations webhook NAME` into Threat Stack.',
            });
          }
        },
        onResponse: async (_request, reply) => {
          if (reply.statusCode >= 400 && reply.statusCode < 500)
            metrics.webhookAlerts.inc({ result: 'rejected' });
        },
      },
      async (request, reply) => {
        const receipt = await intake.accept(request.params.integrationId, request.body.alerts);
        metrics.webhookAlerts.inc({ result: 'accepted' }, receipt.accepted);
        metrics.webhookAlerts.inc({ result: 'duplicate' }, receipt.duplicates);
        return reply.code(202).send(receipt);
      },
    );
  };
}
