import type { GraphKind, GraphStore, TypeChanges } from '../store/types.ts';

/**
 * Deletes every graph row an integration owns, recorded as a run of that integration (its change
 * log lists what was deleted per type, so `vigil runs show` has it). A run that saw nothing makes
 * delete-by-absence delete all of the integration's rows of each type, relationships first.
 */
export async function purgeIntegrationRows(
  store: GraphStore,
  integrationId: string,
  now: () => Date,
): Promise<TypeChanges[]> {
  const runId = await store.createRun(integrationId, now().toISOString());
  const changes: TypeChanges[] = [];
  const purge = async (kind: GraphKind, counts: Record<string, number>) => {
    for (const type of Object.keys(counts).sort()) {
      const deleted = await store.deleteUnseen(runId, integrationId, kind, type);
      changes.push({ kind, type, created: 0, updated: 0, deleted });
    }
  };
  await purge('relationship', await store.countRelationshipsByType(integrationId));
  await purge('entity', await store.countEntitiesByType(integrationId));
  await store.recordChanges(runId, changes);
  await store.clearSeen(runId);
  await store.finishRun(runId, 'success', now().toISOString(), { purge: true, steps: [] });
  return changes;
}
