import type { GraphStore } from '../store/types.ts';
import { describeThreatActor } from './actors.ts';
import { type ActorCoverage, buildActorCoverage, type LatestVerdict } from './model.ts';

/**
 * One actor's coverage from the graph: its techniques (own tags and its threats' tags, as
 * `actors show` lists them) × `latest` verdicts per technique id (none given: all untested), and
 * when its integration last synced (null if never), a stable stamp for exports.
 * NOT_FOUND or INPUT_INVALID (ambiguous name) as `describeThreatActor`.
 */
export async function readActorCoverage(
  store: GraphStore,
  reference: string,
  latest: ReadonlyMap<string, LatestVerdict> = new Map(),
): Promise<{ coverage: ActorCoverage; lastSyncAt: string | null }> {
  const actor = await describeThreatActor(store, reference);
  return {
    coverage: buildActorCoverage(
      { key: actor.key, name: actor.name, id: actor.id },
      actor.techniques,
      latest,
    ),
    lastSyncAt: actor.lastSync?.at ?? null,
  };
}
