import { z } from 'zod';
import type { Entity, JsonValue } from '../../graph/types.ts';
import { graphEntities } from '../../graph/vocabulary.ts';
import { alertKey, types } from './converters.ts';

/**
 * The Threat Stack Webhook API payload (specs/threatstack-api.md §5, decision D11): an unsigned
 * POST of `{"alerts":[<alert summary>…]}`. The vendor has sent `created_at` (epoch milliseconds)
 * and `severity` both as numbers and as numeric strings, so both are accepted and normalised to
 * numbers here; unknown keys are kept (they go to the stored alert's raw data). The HTTP layer
 * and the intake share this one schema: parse once at the edge, trust the type inside.
 */

/** A number, or a string holding only a decimal integer (`"3"`, `"1459447024000"`). */
const numeric = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a number or a string of digits')
    .transform((text) => Number(text)),
]);

export const webhookAlertSchema = z.looseObject({
  id: z
    .string()
    .min(1, 'the alert id is required')
    .max(200, 'the alert id is longer than 200 characters')
    .regex(/^[\x21-\x7e]+$/, 'the alert id must be printable ASCII without spaces'),
  title: z.string().nullish(),
  created_at: numeric.pipe(z.number().int('must be whole milliseconds').nonnegative()),
  severity: numeric.pipe(z.number().int().min(1, 'must be 1, 2 or 3').max(3, 'must be 1, 2 or 3')),
  organization_id: z.string().nullish(),
  organization_Name: z.string().nullish(),
  server_or_region: z.string().nullish(),
  source: z.string().nullish(),
});

/** One alert summary as delivered, with `created_at` and `severity` normalised to numbers. */
export type WebhookAlert = z.infer<typeof webhookAlertSchema>;

export const webhookPayloadSchema = z.looseObject({
  alerts: z.array(webhookAlertSchema).min(1, 'the payload carries no alert'),
});

/** A delivery as parsed: `{alerts: WebhookAlert[]}` (the vendor sends one alert per call). */
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/**
 * The `threatstack_alert` entity of a webhook-received alert, before the REST API confirmed it:
 * the properties the sync's converter writes (`toAlertEntity`), filled from what the summary
 * says and null where it is silent, so queries see one shape; plus `verified: false`,
 * `verification: 'pending'`, `source: 'webhook'` and the summary's `serverOrRegion`. The raw
 * data is the summary as delivered (normalised).
 */
export function toWebhookAlertEntity(alert: WebhookAlert): Entity {
  return {
    _key: alertKey(alert.id),
    _type: types.alert,
    _class: graphEntities.threatstackAlert.class,
    displayName: alert.title || alert.id,
    properties: {
      id: alert.id,
      title: alert.title ?? null,
      severity: alert.severity,
      dataSource: null,
      createdOn: alert.created_at,
      dismissed: false,
      dismissedOn: null,
      dismissReason: null,
      dismissedBy: null,
      agentId: null,
      ruleId: null,
      rulesetId: null,
      open: true,
      serverOrRegion: alert.server_or_region ?? null,
      verified: false,
      verification: 'pending',
      source: 'webhook',
    },
    rawData: alert as JsonValue,
  };
}
