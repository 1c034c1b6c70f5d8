import { z } from 'zod';
import { chunk, type Driver, maxParamsPerStatement, placeholderRows } from '../driver.ts';
import { rowSchema } from '../rows.ts';
import type { GraphKind, TypeChanges, WriteCounts } from '../types.ts';

const changeRowSchema = rowSchema(() =>
  z.object({
    kind: z.enum(['entity', 'relationship']),
    type: z.string(),
    created: z.number().int(),
    updated: z.number().int(),
    deleted: z.number().int(),
  }),
);

const changeColumns = 6;

/**
 * Records the run's change log: one row per (kind, type), replacing what was recorded for that
 * pair before (so recording twice is harmless). Duplicates in `changes` keep the last.
 */
export async function recordChanges(
  driver: Driver,
  runId: string,
  changes: readonly TypeChanges[],
): Promise<void> {
  const latest = [
    ...new Map(changes.map((change) => [`${change.kind}\u0000${change.type}`, change])).values(),
  ];
  if (latest.length === 0) return;
  await driver.transaction(async (tx) => {
    for (const slice of chunk(latest, Math.floor(maxParamsPerStatement / changeColumns))) {
      await tx.run(
        `INSERT INTO sync_changes (run_id, kind, type, created, updated, deleted)
         VALUES ${placeholderRows(slice.length, changeColumns)}
         ON CONFLICT (run_id, kind, type) DO UPDATE SET created = excluded.created,
           updated = excluded.updated, deleted = excluded.deleted`,
        slice.flatMap((change) => [
          runId,
          change.kind,
          change.type,
          change.created,
          change.updated,
          change.deleted,
        ]),
      );
    }
  });
}

/**
 * Adds one write's created/updated counts to the run's change log (a row per type, started at
 * zero). Called inside the write's transaction, so the log never disagrees with the graph.
 */
export async function addChanges(
  tx: Driver,
  runId: string,
  kind: GraphKind,
  counts: WriteCounts,
): Promise<void> {
  for (const [type, { created, updated }] of Object.entries(counts)) {
    await tx.run(
      `INSERT INTO sync_changes (run_id, kind, type, created, updated, deleted) VALUES (?, ?, ?, ?, ?, 0)
       ON CONFLICT (run_id, kind, type) DO UPDATE SET created = sync_changes.created + excluded.created,
         updated = sync_changes.updated + excluded.updated`,
      [runId, kind, type, created, updated],
    );
  }
}

/** The run's change log, ordered by kind then type. */
export async function listChanges(driver: Driver, runId: string): Promise<TypeChanges[]> {
  const rows = await driver.all(
    'SELECT kind, type, created, updated, deleted FROM sync_changes WHERE run_id = ? ORDER BY kind, type',
    [runId],
  );
  return rows.map((row) => changeRowSchema.parse(row));
}
