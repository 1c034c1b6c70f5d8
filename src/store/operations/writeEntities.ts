import type { Entity } from '../../graph/types.ts';
import { entityContentHash } from '../content-hash.ts';
import type { Driver } from '../driver.ts';
import { toJsonColumn } from '../rows.ts';
import { sanitizeEntity } from '../sanitize.ts';
import type { WriteCounts } from '../types.ts';
import { type GraphTableSpec, writeGraphRows } from './writeGraphRows.ts';

const entityTable: GraphTableSpec<Entity> = {
  table: 'entities',
  kind: 'entity',
  columns: [
    'key',
    'type',
    'class',
    'integration_id',
    'display_name',
    'properties',
    'raw_data',
    'content_hash',
    'first_seen_at',
    'updated_at',
  ],
  contentHash: entityContentHash,
  toValues: (entity, integrationId, contentHash, at) => [
    entity._key,
    entity._type,
    entity._class,
    integrationId,
    entity.displayName,
    toJsonColumn(entity.properties),
    toJsonColumn(entity.rawData),
    contentHash,
    at,
    at,
  ],
};

/**
 * Upserts one integration's entities for a run (see `GraphStore.writeEntities`): new keys are
 * created, changed content is rewritten keeping `first_seen_at`, unchanged rows are not written,
 * other integrations' keys are skipped; every written or unchanged key is marked seen. Text is
 * sanitized first (see `sanitizeEntity`), so the hash and the row are of what is stored.
 */
export function writeEntities(
  driver: Driver,
  runId: string,
  integrationId: string,
  entities: readonly Entity[],
  at: string,
): Promise<WriteCounts> {
  return writeGraphRows(driver, entityTable, runId, integrationId, entities.map(sanitizeEntity), at);
}
