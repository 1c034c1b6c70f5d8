import { z } from 'zod';
import type { StoredEntity, StoredRelationship } from '../../graph/types.ts';
import type { Driver, SqlValue } from '../driver.ts';
import { rowSchema, toStoredEntity, toStoredRelationship } from '../rows.ts';
import type { GraphKind } from '../types.ts';

const countRowSchema = rowSchema(() => z.object({ type: z.string(), n: z.number().int() }));

const entityColumns =
  'key, type, class, integration_id, display_name, properties, raw_data, content_hash, first_seen_at, updated_at';
const relationshipColumns =
  'key, type, class, from_key, to_key, from_type, to_type, integration_id, properties, content_hash, first_seen_at, updated_at';

/** Rows per `_type` of entities or relationships, of one integration or of all. */
export async function countByType(
  driver: Driver,
  kind: GraphKind,
  integrationId?: string,
): Promise<Record<string, number>> {
  const table = kind === 'entity' ? 'entities' : 'relationships';
  const params: SqlValue[] = integrationId === undefined ? [] : [integrationId];
  const where = integrationId === undefined ? '' : ' WHERE integration_id = ?';
  const rows = await driver.all(
    `SELECT type, COUNT(*) AS n FROM ${table}${where} GROUP BY type ORDER BY type`,
    params,
  );
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const parsed = countRowSchema.parse(row);
    counts[parsed.type] = parsed.n;
  }
  return counts;
}

/** One entity by key with its parsed properties and raw data, or undefined. */
export async function getEntity(driver: Driver, key: string): Promise<StoredEntity | undefined> {
  const [row] = await driver.all(`SELECT ${entityColumns} FROM entities WHERE key = ?`, [key]);
  return row === undefined ? undefined : toStoredEntity(row);
}

/**
 * Entities of one `_type` ordered by display name (case-insensitive) then key, optionally only those whose display
 * name equals `displayName` (case-insensitive), a page at a time.
 */
export async function listEntities(
  driver: Driver,
  filter: { type: string; displayName?: string; limit?: number; offset?: number },
): Promise<StoredEntity[]> {
  const params: SqlValue[] = [filter.type];
  let where = 'type = ?';
  if (filter.displayName !== undefined) {
    where += ' AND LOWER(display_name) = LOWER(?)';
    params.push(filter.displayName);
  }
  params.push(filter.limit ?? 1000, filter.offset ?? 0);
  const rows = await driver.all(
    `SELECT ${entityColumns} FROM entities WHERE ${where} ORDER BY LOWER(display_name), key LIMIT ? OFFSET ?`,
    params,
  );
  return rows.map(toStoredEntity);
}

/** One relationship by key, or undefined. */
export async function getRelationship(driver: Driver, key: string): Promise<StoredRelationship | undefined> {
  const [row] = await driver.all(`SELECT ${relationshipColumns} FROM relationships WHERE key = ?`, [key]);
  return row === undefined ? undefined : toStoredRelationship(row);
}

/** Relationships from or to `key` (each once, ordered by key), whoever owns them. */
export async function relationshipsOf(driver: Driver, key: string): Promise<StoredRelationship[]> {
  const rows = await driver.all(
    `SELECT ${relationshipColumns} FROM relationships WHERE from_key = ? OR to_key = ? ORDER BY key`,
    [key, key],
  );
  return rows.map(toStoredRelationship);
}
