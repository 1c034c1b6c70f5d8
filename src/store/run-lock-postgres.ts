import type pg from 'pg';
import { z } from 'zod';
import { rowSchema } from './rows.ts';
import { lostRunLock, type RunLocker } from './run-lock.ts';

const takenRowSchema = rowSchema(() => z.object({ taken: z.boolean() }));

/** The two-int advisory lock key of an integration, within the current schema. */
const lockKey = "hashtext(coalesce(current_schema(), '') || '.vigil.run'), hashtext($1)";

/**
 * PostgreSQL run locks: a session advisory lock held on a connection of its own. The server
 * releases it when that connection ends, so a holder that dies (even by `kill -9`) frees it. When
 * the connection fails (server restart, link cut) the lock is gone and the signal aborts.
 */
export function postgresRunLocker(connectSession: () => Promise<pg.Client>): RunLocker {
  return async (integrationId) => {
    const client = await connectSession();
    const controller = new AbortController();
    let released = false;
    const lose = (why: string) => {
      if (!released) controller.abort(lostRunLock(integrationId, why));
    };
    client.on('error', (error: Error) => lose(`its database connection failed (${error.message})`));
    client.on('end', () => lose('its database connection ended'));
    try {
      const result = await client.query(`SELECT pg_try_advisory_lock(${lockKey}) AS taken`, [integrationId]);
      if (!takenRowSchema.parse(result.rows[0]).taken) {
        released = true;
        await client.end();
        return undefined;
      }
    } catch (error) {
      released = true;
      await client.end().catch(() => undefined);
      throw error;
    }
    return {
      signal: controller.signal,
      release: async () => {
        if (released) return;
        released = true;
        // Ending the session frees the lock too; unlocking first frees it before `end` resolves.
        await client.query(`SELECT pg_advisory_unlock(${lockKey})`, [integrationId]).catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  };
}
