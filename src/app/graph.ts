import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StoredEntity, StoredRelationship } from '../graph/types.ts';
import { isPostgresLocation, openStore } from '../store/index.ts';
import type { GraphReader, GraphStore, RunLog } from '../store/types.ts';
import type { VigilSettings } from './settings.ts';

/** Lookups on the graph itself: what `vigil graph`, the entity routes and readiness call. */
export interface GraphService {
  /** Entity and relationship counts by `_type`. */
  stats(): Promise<{ entities: Record<string, number>; relationships: Record<string, number> }>;
  /** One entity by `_key` with the relationships touching it, or undefined. */
  entity(key: string): Promise<{ entity: StoredEntity; relationships: StoredRelationship[] } | undefined>;
  /** Entities of a `_type`, by display name, a page at a time. */
  entitiesOfType(type: string, page: { limit: number; offset: number }): Promise<StoredEntity[]>;
  /** Answers when the database does (readiness). */
  ping(): Promise<void>;
  /** For a long-running process: SQLite's WAL checkpoints off the event loop (`GraphStore.checkpointInBackground`). */
  checkpointInBackground(): void;
}

export function graphServiceOf(
  store: GraphReader & Pick<RunLog, 'listRuns'> & Pick<GraphStore, 'checkpointInBackground'>,
): GraphService {
  return {
    stats: async () => ({
      entities: await store.countEntitiesByType(),
      relationships: await store.countRelationshipsByType(),
    }),
    entity: async (key) => {
      const entity = await store.getEntity(key);
      return entity === undefined ? undefined : { entity, relationships: await store.relationshipsOf(key) };
    },
    entitiesOfType: (type, page) => store.listEntities({ type, ...page }),
    ping: async () => {
      await store.listRuns(undefined, 1);
    },
    checkpointInBackground: () => store.checkpointInBackground(),
  };
}

/**
 * Opens (and migrates) the store of these settings, creating a SQLite file's directory (owner
 * only) first. The caller closes it.
 */
export async function openStoreOf(settings: VigilSettings): Promise<GraphStore> {
  if (!isPostgresLocation(settings.database))
    mkdirSync(dirname(settings.database), { recursive: true, mode: 0o700 });
  return openStore(settings.database, settings.pgSchema === undefined ? {} : { schema: settings.pgSchema });
}

/**
 * Runs `work` with the graph of these settings and closes the store whatever happens: the store
 * alone, without the services, the secret key or the registry of a whole Vigil (`openVigil`), so
 * a small reading command such as `vigil graph stats` starts fast (issue 11).
 */
export async function withGraph<T>(
  settings: VigilSettings,
  work: (graph: GraphService) => Promise<T>,
): Promise<T> {
  const store = await openStoreOf(settings);
  try {
    return await work(graphServiceOf(store));
  } finally {
    await store.close();
  }
}
