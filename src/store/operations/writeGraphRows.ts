import { z } from 'zod';
import { chunk, type Driver, maxParamsPerStatement, placeholderRows, type SqlValue } from '../driver.ts';
import { rowSchema } from '../rows.ts';
import type { GraphKind, WriteCounts } from '../types.ts';
import { addChanges } from './changes.ts';

/** How one graph table is written: its columns and how an item becomes a row. */
export interface GraphTableSpec<T extends { _key: string; _type: string }> {
  table: 'entities' | 'relationships';
  kind: GraphKind;
  /** Insert order; must include key, integration_id, content_hash, first_seen_at and updated_at. */
  columns: readonly string[];
  contentHash(item: T): string;
  /** The row's values in `columns` order, with first_seen_at = updated_at = `at`. */
  toValues(item: T, integrationId: string, contentHash: string, at: string): SqlValue[];
}

/** Columns an update leaves alone: the identity, the owner and when the row was first seen. */
const keptOnUpdate = new Set(['key', 'integration_id', 'first_seen_at']);

const existingRowSchema = rowSchema(() =>
  z.object({ key: z.string(), content_hash: z.string(), integration_id: z.string() }),
);

interface Existing {
  contentHash: string;
  integrationId: string;
}

function byKey(a: { _key: string }, b: { _key: string }): number {
  return a._key < b._key ? -1 : a._key > b._key ? 1 : 0;
}

/**
 * Upserts one integration's batch in one transaction, set-based: per slice one lookup of the
 * existing (hash, owner), one multi-row upsert of the new and changed rows, one multi-row insert
 * of the seen keys. Duplicate keys keep the last item. A key owned by another integration is
 * neither written, counted nor marked seen. The counts are added to the run's change log in the
 * same transaction. Returns created/updated counts for every type in the batch.
 */
export async function writeGraphRows<T extends { _key: string; _type: string }>(
  driver: Driver,
  spec: GraphTableSpec<T>,
  runId: string,
  integrationId: string,
  items: readonly T[],
  at: string,
): Promise<WriteCounts> {
  // In key order: the rows then land in the key indexes (and relationships' from-side index,
  // which the key leads with) page after page, not all over them, so a write dirties and reads
  // back far fewer pages when the indexes outgrow SQLite's page cache.
  const latest = [...new Map(items.map((item) => [item._key, item])).values()].sort(byKey);
  const counts: WriteCounts = {};
  for (const item of latest) counts[item._type] ??= { created: 0, updated: 0 };
  if (latest.length === 0) return counts;
  const rowsPerSlice = Math.floor(maxParamsPerStatement / spec.columns.length);
  await driver.transaction(async (tx) => {
    for (const slice of chunk(latest, rowsPerSlice)) {
      await writeSlice(tx, spec, { runId, integrationId, at }, slice, counts);
    }
    await addChanges(tx, runId, spec.kind, counts);
  });
  return counts;
}

async function writeSlice<T extends { _key: string; _type: string }>(
  tx: Driver,
  spec: GraphTableSpec<T>,
  write: { runId: string; integrationId: string; at: string },
  slice: readonly T[],
  counts: WriteCounts,
): Promise<void> {
  const existing = await lookupExisting(tx, spec.table, slice);
  const changedRows: SqlValue[][] = [];
  const seenRows: SqlValue[][] = [];
  for (const item of slice) {
    const prior = existing.get(item._key);
    if (prior !== undefined && prior.integrationId !== write.integrationId) continue;
    seenRows.push([write.runId, spec.kind, item._key, item._type]);
    const hash = spec.contentHash(item);
    if (prior?.contentHash === hash) continue;
    changedRows.push(spec.toValues(item, write.integrationId, hash, write.at));
    const typeCounts = counts[item._type];
    if (typeCounts !== undefined) typeCounts[prior === undefined ? 'created' : 'updated'] += 1;
  }
  await upsertRows(tx, spec, changedRows);
  await markSeen(tx, seenRows);
}

async function lookupExisting(
  tx: Driver,
  table: string,
  slice: readonly { _key: string }[],
): Promise<Map<string, Existing>> {
  const keys = slice.map((item) => item._key);
  const select = `SELECT key, content_hash, integration_id FROM ${table} WHERE key`;
  const rows =
    tx.dialect === 'sqlite'
      ? (await Promise.all(keys.map((key) => tx.all(`${select} = ?`, [key])))).flat()
      : await tx.all(`${select} IN (${keys.map(() => '?').join(', ')})`, keys);
  const existing = new Map<string, Existing>();
  for (const row of rows) {
    const parsed = existingRowSchema.parse(row);
    existing.set(parsed.key, { contentHash: parsed.content_hash, integrationId: parsed.integration_id });
  }
  return existing;
}

/**
 * Writes rows with one statement: on SQLite a prepared single-row statement run per row (its
 * fastest path inside a transaction — no multi-megabyte statement to compile per batch); on
 * PostgreSQL one multi-row statement (one round trip).
 */
async function insertRows(
  tx: Driver,
  head: string,
  width: number,
  tail: string,
  rows: readonly SqlValue[][],
): Promise<void> {
  if (rows.length === 0) return;
  if (tx.dialect === 'sqlite') {
    const sql = `${head} VALUES ${placeholderRows(1, width)} ${tail}`;
    for (const row of rows) await tx.run(sql, row);
    return;
  }
  await tx.run(`${head} VALUES ${placeholderRows(rows.length, width)} ${tail}`, rows.flat());
}

/**
 * Inserts new rows and rewrites changed ones. The conflict guard keeps another integration's row
 * untouched even if it appeared after the lookup (a concurrent writer).
 */
async function upsertRows<T extends { _key: string; _type: string }>(
  tx: Driver,
  spec: GraphTableSpec<T>,
  rows: readonly SqlValue[][],
): Promise<void> {
  const assignments = spec.columns
    .filter((column) => !keptOnUpdate.has(column))
    .map((column) => `${column} = excluded.${column}`)
    .join(', ');
  await insertRows(
    tx,
    `INSERT INTO ${spec.table} (${spec.columns.join(', ')})`,
    spec.columns.length,
    `ON CONFLICT (key) DO UPDATE SET ${assignments} WHERE ${spec.table}.integration_id = excluded.integration_id`,
    rows,
  );
}

async function markSeen(tx: Driver, rows: readonly SqlValue[][]): Promise<void> {
  await insertRows(
    tx,
    'INSERT INTO sync_seen (run_id, kind, key, type)',
    4,
    'ON CONFLICT (run_id, kind, key) DO NOTHING',
    rows,
  );
}
