import { z } from 'zod';

/** Epoch milliseconds as the vendor sends them: a number, or the same digits quoted (spec §5). */
const epochMillis = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)], {
    error: 'expected epoch milliseconds (a number or a numeric string)',
  })
  .pipe(z.number().int().min(0).max(8_640_000_000_000_000, 'beyond the last representable date'));

/** Severity 1, 2 or 3, as a number or quoted (spec §5). */
const severity = z.union(
  [
    z.union([z.literal(1), z.literal(2), z.literal(3)]),
    z.enum(['1', '2', '3']).transform((value) => Number(value) as 1 | 2 | 3),
  ],
  { error: 'expected 1, 2 or 3 (a number or a numeric string)' },
);

/** One alert summary as Threat Stack's Webhook API posts it (spec §5); unknown fields are ignored. */
const vendorAlertSchema = z
  .object({
    id: z.string().min(1).max(128).describe('Threat Stack alert id (24 hex in practice; opaque)'),
    title: z.string().max(4096),
    created_at: epochMillis.describe(
      'creation time, milliseconds since the epoch (number or numeric string)',
    ),
    severity: severity.describe('1, 2 or 3 (number or numeric string)'),
    organization_id: z.string().optional(),
    organization_Name: z.string().optional(),
    server_or_region: z.string().optional(),
    source: z.string().optional(),
  })
  .transform((alert) => ({
    id: alert.id,
    title: alert.title,
    createdAt: new Date(alert.created_at).toISOString(),
    severity: alert.severity,
    organizationId: alert.organization_id ?? null,
    organizationName: alert.organization_Name ?? null,
    serverOrRegion: alert.server_or_region ?? null,
    source: alert.source ?? null,
  }));

/** A webhook alert normalised: ISO-8601 `createdAt`, numeric severity, absent fields as null. */
export type ThreatStackWebhookAlert = z.output<typeof vendorAlertSchema>;

/** Alerts per delivery we accept: the vendor sends one (D11); receivers must still loop. */
export const maxAlertsPerDelivery = 1000;

/** The body of a Threat Stack webhook delivery: `{"alerts":[…]}`. */
export const webhookDeliverySchema = z.object({
  alerts: z.array(vendorAlertSchema).min(1).max(maxAlertsPerDelivery),
});

/** The path of a delivery: the integration and its webhook secret (the credential, D11). */
export const webhookPathSchema = z.object({
  integrationId: z.string().min(1).max(128),
  secret: z.string().min(1).max(256),
});

/** What the intake answers (202): how many alerts were new and how many it already had. */
export const webhookReceiptSchema = z.object({
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
});
