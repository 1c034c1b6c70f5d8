import { z } from 'zod';
import type { JsonValue } from '../../graph/types.ts';
import { entityContentHash, relationshipContentHash } from '../content-hash.ts';
import type { Driver } from '../driver.ts';
import { jsonColumn, rowSchema, toJsonColumn } from '../rows.ts';
import { sanitizeEntity, sanitizeRelationship } from '../sanitize.ts';
import type { AlertVerification, StoredAlertEvents } from '../types.ts';

/**
 * Writes the REST truth about one alert in one transaction (see
 * `AlertIntake.recordAlertVerification`): the entity and its relationships are upserted keeping
 * their first-seen time, and never over a row another integration owns; the events, when given,
 * replace the stored ones.
 */
export async function recordAlertVerification(
  driver: Driver,
  integrationId: string,
  verification: AlertVerification,
  at: string,
): Promise<void> {
  const entity = sanitizeEntity(verification.entity);
  await driver.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO entities (key, type, class, integration_id, display_name, properties, raw_data,
         content_hash, first_seen_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET type = excluded.type, class = excluded.class,
         display_name = excluded.display_name, properties = excluded.properties,
         raw_data = excluded.raw_data, content_hash = excluded.content_hash, updated_at = excluded.updated_at
       WHERE entities.integration_id = excluded.integration_id`,
      [
        entity._key,
        entity._type,
        entity._class,
        integrationId,
        entity.displayName,
        toJsonColumn(entity.properties),
        toJsonColumn(entity.rawData),
        entityContentHash(entity),
        at,
        at,
      ],
    );
    for (const relationship of verification.relationships.map(sanitizeRelationship)) {
      await tx.run(
        `INSERT INTO relationships (key, type, class, from_key, to_key, from_type, to_type, integration_id,
           properties, content_hash, first_seen_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET properties = excluded.properties,
           content_hash = excluded.content_hash, updated_at = excluded.updated_at
         WHERE relationships.integration_id = excluded.integration_id`,
        [
          relationship._key,
          relationship._type,
          relationship._class,
          relationship.fromKey,
          relationship.toKey,
          relationship.fromType,
          relationship.toType,
          integrationId,
          toJsonColumn(relationship.properties),
          relationshipContentHash(relationship),
          at,
          at,
        ],
      );
    }
    if (verification.events !== undefined) {
      await tx.run(
        `INSERT INTO threatstack_alert_events (alert_key, integration_id, events, fetched_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (alert_key) DO UPDATE SET integration_id = excluded.integration_id,
           events = excluded.events, fetched_at = excluded.fetched_at`,
        [entity._key, integrationId, toJsonColumn(sanitizedEvents(verification)), at],
      );
    }
  });
}

/** The events sanitized exactly as the alert's raw data is (they are vendor JSON too). */
function sanitizedEvents(verification: AlertVerification): JsonValue {
  return sanitizeEntity({ ...verification.entity, rawData: verification.events ?? [] }).rawData ?? [];
}

const eventsRowSchema = rowSchema(() =>
  z.object({
    events: jsonColumn(z.array(z.custom<JsonValue>(() => true))),
    fetched_at: z.string(),
  }),
);

/** The stored events of an alert entity, or undefined. */
export async function getAlertEvents(
  driver: Driver,
  alertKey: string,
): Promise<StoredAlertEvents | undefined> {
  const [row] = await driver.all(
    'SELECT events, fetched_at FROM threatstack_alert_events WHERE alert_key = ?',
    [alertKey],
  );
  if (row === undefined) return undefined;
  const parsed = eventsRowSchema.parse(row);
  return { events: parsed.events, fetchedAt: parsed.fetched_at };
}
