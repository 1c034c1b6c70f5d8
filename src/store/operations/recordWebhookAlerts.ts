import { z } from 'zod';
import type { Entity } from '../../graph/types.ts';
import { entityContentHash } from '../content-hash.ts';
import { chunk, type Driver, maxParamsPerStatement, placeholderRows, type SqlValue } from '../driver.ts';
import { rowSchema, toJsonColumn } from '../rows.ts';
import { sanitizeEntity } from '../sanitize.ts';
import type { IntakeTransaction, WebhookDelivery, WebhookIntakeResult } from '../types.ts';
import { insertScheduledJobs } from './scheduledJobs.ts';

/** Columns of one inserted alert row. */
const rowWidth = 10;
const keyRowSchema = rowSchema(() => z.object({ key: z.string() }));
const storedRow = () =>
  z.object({
    key: z.string(),
    integration_id: z.string().nullable(),
    verification: z.string().nullable(),
  });
const storedRowSchema = rowSchema(storedRow);

const insertedOrStoredRowSchema = rowSchema(() => storedRow().extend({ inserted: z.coerce.number() }));

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
 * 2 000 alerts and one SELECT of the duplicates (on PostgreSQL both in one statement: one round
 * trip fewer), so the cost of a batch barely grows with its size.
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
    const { inserted, before } = await insertNew(tx, rows, at);
    const claimed = new Map<string, AlertRow>();
    const duplicates: AlertRow[] = [];
    for (const row of rows) {
      const key = row.alert._key;
      if (inserted.has(key) && !claimed.has(key)) {
        claimed.set(key, row);
        results[row.delivery]?.accepted.push(key);
      } else {
        results[row.delivery]?.duplicates.push(key);
        duplicates.push(row);
      }
    }
    const duplicateKeys = [...new Set(duplicates.map((row) => row.alert._key))];
    // `before` lacks what this batch inserted: those rows are as the batch wrote them.
    const stored = before ?? (await verificationOf(tx, duplicateKeys));
    const stateOf = (key: string): StoredState | undefined => {
      const found = stored.get(key);
      if (found !== undefined || before === undefined) return found;
      const mine = claimed.get(key);
      const verification = mine?.alert.properties.verification;
      return (
        mine && {
          integrationId: mine.integrationId,
          verification: typeof verification === 'string' ? verification : null,
        }
      );
    };
    for (const row of duplicates) {
      const found = stateOf(row.alert._key);
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

/** The owner and verification state of a stored alert. */
type StoredState = { integrationId: string | null; verification: string | null };

/**
 * Inserts the rows whose key is not stored yet; returns the keys inserted and, on PostgreSQL,
 * `before`: the state of the batch's keys stored before (read in the same statement, whose
 * snapshot precedes its insert). In key order, so that overlapping batches (PostgreSQL) take
 * their rows' locks alike and never deadlock.
 */
async function insertNew(
  tx: Driver,
  rows: readonly AlertRow[],
  at: string,
): Promise<{ inserted: Set<string>; before?: Map<string, StoredState> }> {
  const inserted = new Set<string>();
  const before = new Map<string, StoredState>();
  const postgres = tx.dialect === 'postgres';
  const ordered = [...rows].sort((a, b) =>
    a.alert._key < b.alert._key ? -1 : a.alert._key > b.alert._key ? 1 : 0,
  );
  // PostgreSQL: each row's key once more, for the SELECT of the rows stored before.
  const width = postgres ? rowWidth + 1 : rowWidth;
  for (const slice of chunk(ordered, Math.floor(maxParamsPerStatement / width))) {
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
    const insert = `INSERT INTO entities (key, type, class, integration_id, display_name, properties, raw_data,
         content_hash, first_seen_at, updated_at)
       VALUES ${placeholderRows(slice.length, rowWidth)} ON CONFLICT (key) DO NOTHING RETURNING key`;
    if (!postgres) {
      for (const row of await tx.all(insert, params)) inserted.add(keyRowSchema.parse(row).key);
      continue;
    }
    const returned = await tx.all(
      `WITH ins AS (${insert})
       SELECT key, 1 AS inserted, NULL AS integration_id, NULL AS verification FROM ins
       UNION ALL
       SELECT key, 0 AS inserted, integration_id, properties->>'verification' AS verification FROM entities
       WHERE key IN (${slice.map(() => '?').join(', ')})`,
      [...params, ...slice.map(({ alert }) => alert._key)],
    );
    for (const row of returned) {
      const parsed = insertedOrStoredRowSchema.parse(row);
      if (parsed.inserted === 1) inserted.add(parsed.key);
      else
        before.set(parsed.key, { integrationId: parsed.integration_id, verification: parsed.verification });
    }
  }
  return postgres ? { inserted, before } : { inserted };
}

/** The owner and verification state of each stored key of `keys`. */
async function verificationOf(tx: Driver, keys: readonly string[]): Promise<Map<string, StoredState>> {
  const found = new Map<string, StoredState>();
  const verification =
    tx.dialect === 'sqlite' ? "json_extract(properties, '$.verification')" : "properties->>'verification'";
  for (const slice of chunk(keys, maxParamsPerStatement)) {
    const rows = await tx.all(
      `SELECT key, integration_id, ${verification} AS verification FROM entities
       WHERE key IN (${slice.map(() => '?').join(', ')})`,
      slice,
    );
    for (const row of rows) {
      const parsed = storedRowSchema.parse(row);
      found.set(parsed.key, { integrationId: parsed.integration_id, verification: parsed.verification });
    }
  }
  return found;
}
