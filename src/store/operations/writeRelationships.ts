import type { Relationship } from '../../graph/types.ts';
import { relationshipContentHash } from '../content-hash.ts';
import type { Driver } from '../driver.ts';
import { toJsonColumn } from '../rows.ts';
import { sanitizeRelationship } from '../sanitize.ts';
import type { WriteCounts } from '../types.ts';
import { type GraphTableSpec, writeGraphRows } from './writeGraphRows.ts';

const relationshipTable: GraphTableSpec<Relationship> = {
  table: 'relationships',
  kind: 'relationship',
  columns: [
    'key',
    'type',
    'class',
    'from_key',
    'to_key',
    'from_type',
    'to_type',
    'integration_id',
    'properties',
    'content_hash',
    'first_seen_at',
    'updated_at',
  ],
  contentHash: relationshipContentHash,
  toValues: (relationship, integrationId, contentHash, at) => [
    relationship._key,
    relationship._type,
    relationship._class,
    relationship.fromKey,
    relationship.toKey,
    relationship.fromType,
    relationship.toType,
    integrationId,
    toJsonColumn(relationship.properties),
    contentHash,
    at,
    at,
  ],
};

/**
 * Upserts one integration's relationships for a run, with the same rules as `writeEntities`.
 * A mapped relationship's target need not exist: nothing here checks the ends.
 */
export function writeRelationships(
  driver: Driver,
  runId: string,
  integrationId: string,
  relationships: readonly Relationship[],
  at: string,
): Promise<WriteCounts> {
  return writeGraphRows(
    driver,
    relationshipTable,
    runId,
    integrationId,
    relationships.map(sanitizeRelationship),
    at,
  );
}
