import type { Driver } from '../driver.ts';
import type { GraphKind } from '../types.ts';

const tableOf: Record<GraphKind, string> = { entity: 'entities', relationship: 'relationships' };

/**
 * Delete-by-absence: removes the integration's rows of `type` whose key the run did not mark
 * seen, in one statement, and returns how many. Rows of other integrations and other types are
 * never touched. The caller decides when this is safe (the type's step fully succeeded). A run
 * that is no longer `running` deletes nothing: a run that lost its lock may have had its seen set
 * cleared by the next holder, and the check and the delete are one statement (one snapshot).
 * Written as a set difference (EXCEPT) rather than NOT EXISTS: PostgreSQL's planner, with the
 * stale statistics of freshly written tables, turns NOT EXISTS into a quadratic nested loop.
 */
export function deleteUnseen(
  driver: Driver,
  runId: string,
  integrationId: string,
  kind: GraphKind,
  type: string,
): Promise<number> {
  const table = tableOf[kind];
  return driver.run(
    `DELETE FROM ${table} WHERE key IN (
       SELECT key FROM ${table} WHERE integration_id = ? AND type = ?
         AND EXISTS (SELECT 1 FROM sync_runs WHERE id = ? AND status = 'running')
       EXCEPT SELECT key FROM sync_seen WHERE run_id = ? AND kind = ?)`,
    [integrationId, type, runId, runId, kind],
  );
}

/** Drops the run's seen-key bookkeeping; a no-op when there is none. */
export async function clearSeen(driver: Driver, runId: string): Promise<void> {
  await driver.run('DELETE FROM sync_seen WHERE run_id = ?', [runId]);
}
