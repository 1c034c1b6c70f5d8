import type { Entity } from '../../graph/types.ts';
import { entityContentHash } from '../content-hash.ts';
import type { Driver } from '../driver.ts';
import { toJsonColumn } from '../rows.ts';
import { sanitizeEntity } from '../sanitize.ts';
import type { WebhookIntakeResult } from '../types.ts';

/**
 * Stores the alert entities of one webhook delivery in one transaction (see
 * `AlertIntake.recordWebhookAlerts`): each is inserted unless its key exists, whoever wrote it, so
 * a replayed delivery changes nothing and a verified or synced alert is never overwritten. Text is
 * sanitized first, as every graph write is. The vendor sends one alert per call, so a row at a
 * time costs nothing here and keeps one statement shape for both engines.
 */
export async function recordWebhookAlerts(
  driver: Driver,
  integrationId: string,
  alerts: readonly Entity[],
  at: string,
): Promise<WebhookIntakeResult> {
  const result: WebhookIntakeResult = { accepted: [], duplicates: [] };
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
      (inserted > 0 ? result.accepted : result.duplicates).push(alert._key);
    }
  });
  return result;
}
