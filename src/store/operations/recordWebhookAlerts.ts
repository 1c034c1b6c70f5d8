import { z } from 'zod';
import type { Entity } from '../../graph/types.ts';
import { entityContentHash } from '../content-hash.ts';
import type { Driver } from '../driver.ts';
import { toJsonColumn } from '../rows.ts';
import { sanitizeEntity } from '../sanitize.ts';
import type { WebhookIntakeResult } from '../types.ts';

/**
 * Stores the alert entities of one webhook delivery in one transaction (see
 * `AlertIntake.recordWebhookAlerts`): each is inserted unless its key exists, whoever wrote it, so
 * a replayed delivery changes nothing and a verified or synced alert is never overwritten. A
 * duplicate of this integration still `verification: 'pending'` is also listed in `stillPending`.
 * Text is sanitized first, as every graph write is. The vendor sends one alert per call, so a row
 * at a time costs nothing here and keeps one statement shape for both engines.
 */
export async function recordWebhookAlerts(
  driver: Driver,
  integrationId: string,
  alerts: readonly Entity[],
  at: string,
): Promise<WebhookIntakeResult> {
  const result: WebhookIntakeResult = { accepted: [], duplicates: [], stillPending: [] };
  if (alerts.length === 0) return result;
  await driver.transaction(async (tx) => {
    for (const alert of alerts.map(sanitizeEntity)) {
      const inserted = await tx.run(
        `INSERT INTO entities (key, type, class, integration_id, display_name, properties, raw_data,
           content_hash, first_seen_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
        [
          alert._key,
          alert._type,
          alert._class,
          integrationId,
          alert.displayName,
          toJsonColumn(alert.properties),
          toJsonColumn(alert.rawData),
          entityContentHash(alert),
          at,
          at,
        ],
      );
      if (inserted > 0) {
        result.accepted.push(alert._key);
        continue;
      }
      result.duplicates.push(alert._key);
      if (await isPending(tx, integrationId, alert._key)) result.stillPending.push(alert._key);
    }
  });
  return result;
}

const verificationRowSchema = z.object({ verification: z.string().nullable() });

/** Whether the stored alert `key` of this integration still awaits its verification. */
async function isPending(tx: Driver, integrationId: string, key: string): Promise<boolean> {
  const verification =
    tx.dialect === 'sqlite' ? "json_extract(properties, '$.verification')" : "properties->>'verification'";
  const [row] = await tx.all(
    `SELECT ${verification} AS verification FROM entities WHERE key = ? AND integration_id = ?`,
    [key, integrationId],
  );
  return row !== undefined && verificationRowSchema.parse(row).verification === 'pending';
}
