import { z } from 'zod';
import type { Entity } from '../../graph/types.ts';
import { entityContentHash } from '../content-hash.ts';
import { chunk, type Driver, maxParamsPerStatement, placeholderRows, type SqlValue } from '../driver.ts';
import { toJsonColumn } from '../rows.ts';
import { sanitizeEntity } from '../sanitize.ts';
import type { IntakeTransaction, WebhookDelivery, WebhookIntakeResult } from '../types.ts';
import { insertScheduledJobs } from './scheduledJobs.ts';

/** Columns of one inserted alert row. */
const rowWidth = 10;
const keyRowSchema = z.object({ key: z.string() });
const pendingRowSchema = z.object({
  key: z.string(),
  integration_id: z.string().nullable(),
  verification: z.string().nullable(),
});

interface AlertRow {
  delivery: number;
  integrationId: string;
  alert: Entity;
}

/** Stores the alert entities of one webhook delivery in one transaction (a batch of one). */
export async function recordWebhookAlerts(
  driver: Driver,
  integrationId: string,
  alerts: readonly Entity[],
  at: string,
): Promise<WebhookIntakeResult> {
  const [result] = await recordWebhookBatch(driver, [{ integrationId, alerts }], at);
  return result ?? { accepted: [], duplicates: [], stillPending: [] };
}

/**
 * Stores the alert entities of many webhook deliveries in ONE transaction (see
 * `AlertIntake.recordWebhookBatch`): each is inserted unless its key exists, whoever wrote it, so
 * a replayed delivery changes nothing and a verified or synced alert is never overwritten. Within
 * the batch the first delivery naming a key gets it; later ones count it a duplicate. A duplicate
 * of the same integration still `verification: 'pending'` is also listed in `stillPending`. Text
 * is sanitized first, as every graph write is. Multi-row statements: one INSERT … RETURNING per
 * 2 000 alerts and one SELECT of the duplicates, so the cost of a batch barely grows with its size.
 * `within` runs last in the same transaction (the verification jobs commit with their alerts).
 */
export async function recordWebhookBatch(
  driver: Driver,
  deliveries: readonly WebhookDelivery[],
  at: string,
  within?: (results: readonly WebhookIntakeResult[], tx: IntakeTransaction) => Promise<void>,
): Promise<WebhookIntakeResult[]> {
  const results: WebhookIntakeResult[] = deliveries.map(() => ({
    accepted: [],
    duplicates: [],
    stillPending: [],
  }));
  const rows: AlertRow[] = deliveries.flatMap(({ integrationId, alerts }, delivery) =>
    alerts.map((alert) => ({ delivery, integrationId, alert: sanitizeEntity(alert) })),
  );
  if (rows.length === 0) return results;
  await driver.transaction(async (tx) => {
    const inserted = await insertNew(tx, rows, at);
    const claimed = new Set<string>();
    const duplicates: AlertRow[] = [];
    for (const row of rows) {
      const key = row.alert._key;
      if (inserted.has(key) && !claimed.has(key)) {
        claimed.add(key);
        results[row.delivery]?.accepted.push(key);
      } else {
        results[row.delivery]?.duplicates.push(key);
        duplicates.push(row);
      }
    }
    const stored = await verificationOf(tx, [...new Set(duplicates.map((row) => row.alert._key))]);
    for (const row of duplicates) {
      const found = stored.get(row.alert._key);
      if (found?.integrationId === row.integrationId && found.verification === 'pending')
        results[row.delivery]?.stillPending.push(row.alert._key);
    }
    await within?.(results, intakeTransaction(tx));
  });
  return results;
}

/** What `within` may write in the batch's transaction `tx`. */
function intakeTransaction(tx: Driver): IntakeTransaction {
  return {
    dialect: tx.dialect,
    insertScheduledJobs: (jobs) => insertScheduledJobs(tx, jobs),
    ...(tx.dialect === 'postgres' ? { executeSql: (text, values) => tx.all(text, values) } : {}),
  };
}

/**
 * Inserts the rows whose key is not stored yet; returns the keys inserted. In key order, so that
 * overlapping batches (PostgreSQL) take their rows' locks alike and never deadlock.
 */
async function insertNew(tx: Driver, rows: readonly AlertRow[], at: string): Promise<Set<string>> {
  const inserted = new Set<string>();
  const ordered = [...rows].sort((a, b) =>
    a.alert._key < b.alert._key ? -1 : a.alert._key > b.alert._key ? 1 : 0,
  );
  for (const slice of chunk(ordered, Math.floor(maxParamsPerStatement / rowWidth))) {
    const params: SqlValue[] = slice.flatMap(({ integrationId, alert }) => [
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
    ]);
    const returned = await tx.all(
      `INSERT INTO entities (key, type, class, integration_id, display_name, properties, raw_data,
         content_hash, first_seen_at, updated_at)
       VALUES ${placeholderRows(slice.length, rowWidth)} ON CONFLICT (key) DO NOTHING RETURNING key`,
      params,
    );
    for (const row of returned) inserted.add(keyRowSchema.parse(row).key);
  }
  return inserted;
}

/** The owner and verification state of each stored key of `keys`. */
async function verificationOf(
  tx: Driver,
  keys: readonly string[],
): Promise<Map<string, { integrationId: string | null; verification: string | null }>> {
  const found = new Map<string, { integrationId: string | null; verification: string | null }>();
  const verification =
    tx.dialect === 'sqlite' ? "json_extract(properties, '$.verification')" : "properties->>'verification'";
  for (const slice of chunk(keys, maxParamsPerStatement)) {
    const rows = await tx.all(
      `SELECT key, integration_id, ${verification} AS verification FROM entities
       WHERE key IN (${slice.map(() => '?').join(', ')})`,
      slice,
    );
    for (const row of rows) {
      const parsed = pendingRowSchema.parse(row);
      found.set(parsed.key, { integrationId: parsed.integration_id, verification: parsed.verification });
    }
  }
  return found;
}
