import type PgBoss from 'pg-boss';

/**
 * The two statements Vigil runs on pg-boss's own `job` table, because pg-boss 10 has no API for
 * them (11 needs Node 22; STACK.md pins `pg-boss@~10.4`, whose table this is written against).
 * They read and write only the columns pg-boss's own expiry reads (`name`, `id`, `state`,
 * `retry_count`, `started_on`, `expire_in`, `singleton_key`), through pg-boss's connection.
 *
 * Why a heartbeat: pg-boss expires an active job once `started_on + expire_in` has passed and
 * hands it to another worker. Without renewal a sync longer than the lease would either overlap
 * its own retry or (as `vigil worker` did) have to stop its process. Renewing `expire_in` while
 * the handler runs keeps a live holder's lease for as long as it lives; a killed worker stops
 * renewing, and its job expires one lease later, as before. The store's run lock stays the last
 * guard: should a renewal come too late, the retry meets `SYNC_IN_PROGRESS` and is skipped.
 */

/** The attempt of a job that a worker holds: pg-boss counts attempts in `retry_count`. */
export interface HeldAttempt {
  queue: string;
  id: string;
  retryCount: number;
}

/**
 * Extends the lease of a job attempt to `leaseSeconds` from now; false when the attempt no longer
 * holds the job (it expired and was retried, was cancelled, or ended).
 */
export async function renewLease(
  db: PgBoss.Db,
  schema: string,
  attempt: HeldAttempt,
  leaseSeconds: number,
): Promise<boolean> {
  const { rows } = await db.executeSql(
    `UPDATE "${schema}".job
        SET expire_in = (now() - started_on) + $4 * interval '1 second'
      WHERE name = $1 AND id = $2 AND retry_count = $3 AND state = 'active'
        AND started_on + expire_in > now()
      RETURNING id`,
    [attempt.queue, attempt.id, attempt.retryCount, leaseSeconds],
  );
  return rows.length > 0;
}

/** The singleton keys (groups) of the queue's active jobs whose lease has not run out. */
export async function activeGroups(db: PgBoss.Db, schema: string, queue: string): Promise<Set<string>> {
  const { rows } = await db.executeSql(
    `SELECT DISTINCT singleton_key FROM "${schema}".job
      WHERE name = $1 AND state = 'active' AND singleton_key IS NOT NULL
        AND started_on + expire_in > now()`,
    [queue],
  );
  return new Set(rows.map((row: { singleton_key: string }) => row.singleton_key));
}
