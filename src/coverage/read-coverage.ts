import type { GraphStore } from '../store/types.ts';
import { describeThreatActor } from './actors.ts';
import { readLatestVerdicts } from './latest-verdicts.ts';
import { type ActorCoverage, buildActorCoverage, type LatestVerdict } from './model.ts';

/**
 * One actor's coverage from the graph: its techniques (own tags and its threats' tags, as
 * `actors show` lists them) × the latest verdict per technique id (`latest` when given, else read
 * from the validations: see `readLatestVerdicts`), and when its integration last synced (null if
 * never), a stable stamp for exports.
 * NOT_FOUND or INPUT_INVALID (ambiguous name) as `describeThreatActor`.
 */
export async function readActorCoverage(
  store: GraphStore,
  reference: string,
  latest?: ReadonlyMap<string, LatestVerdict>,
): Promise<{ coverage: ActorCoverage; lastSyncAt: string | null }> {
  const actor = await describeThreatActor(store, reference);
  const verdicts =
    latest ?? (await readLatestVerdicts(store, { techniques: actor.techniques.map((t) => t.id) }));
  return {
    coverage: buildActorCoverage(
      { key: actor.key, name: actor.name, id: actor.id },
      actor.techniques,
      verdicts,
    ),
    lastSyncAt: actor.lastSync?.at ?? null,
  };
}

/**
 * Several actors' coverage (by ThreatConnect id or name, as `readActorCoverage`) against one read
 * of the latest verdicts of every technique, in the order given.
 */
export async function readActorsCoverage(
  store: GraphStore,
  references: readonly string[],
): Promise<ActorCoverage[]> {
  const latest = await readLatestVerdicts(store);
  const coverages: ActorCoverage[] = [];
  for (const reference of references) {
    coverages.push((await readActorCoverage(store, reference, latest)).coverage);
  }
  return coverages;
}
