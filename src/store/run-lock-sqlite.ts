import { hostname } from 'node:os';
import { z } from 'zod';
import { nodeCrypto } from '../lazy-require.ts';
import type { Driver } from './driver.ts';
import { rowSchema } from './rows.ts';
import { lostRunLock, type RunLocker } from './run-lock.ts';
import type { RunLock } from './types.ts';

/** How long a SQLite run lock lasts unless renewed, and how often its holder renews it. */
export const sqliteLease = { durationMs: 2 * 60_000, renewEveryMs: 20_000 } as const;

/**
 * This process's life: a process restarted with the same pid on the same host (pid 1 in a
 * container) is told apart from the one that left a lock before it was killed.
 */
let processInstance: string | undefined;
function thisProcessInstance(): string {
  processInstance ??= nodeCrypto().randomUUID();
  return processInstance;
}

const lockRowSchema = rowSchema(() =>
  z.object({
    host: z.string(),
    pid: z.number().int(),
    instance: z.string(),
    expires_at: z.string(),
  }),
);

/** Whether a process with this id runs on this host (EPERM: it runs, as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/** Expired, or held on this host by a process that is gone (dead pid, or our pid in an earlier life). */
function isStale(row: ReturnType<typeof lockRowSchema.parse>, nowMs: number): boolean {
  if (Date.parse(row.expires_at) <= nowMs) return true;
  if (row.host !== hostname()) return false;
  return row.pid === process.pid ? row.instance !== thisProcessInstance() : !processAlive(row.pid);
}

/**
 * SQLite run locks: a `sync_locks` row per integration naming its holder (host, pid, process
 * life, a random token) and a lease its holder renews every 20 s. A row is taken over when its
 * lease expired or its holder is a gone process on this host, so a sync right after a `kill -9`
 * starts at once.
 * The check and the take-over are one immediate transaction, so two processes cannot both win.
 */
export function sqliteRunLocker(driver: Driver, now: () => number = Date.now): RunLocker {
  return async (integrationId) => {
    const token = nodeCrypto().randomUUID();
    const taken = await driver.transaction(async (tx) => {
      const [row] = await tx.all(
        'SELECT host, pid, instance, expires_at FROM sync_locks WHERE integration_id = ?',
        [integrationId],
      );
      if (row !== undefined && !isStale(lockRowSchema.parse(row), now())) return false;
      const at = now();
      await tx.run(
        `INSERT INTO sync_locks (integration_id, token, host, pid, instance, acquired_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (integration_id) DO UPDATE SET token = excluded.token, host = excluded.host,
           pid = excluded.pid, instance = excluded.instance, acquired_at = excluded.acquired_at,
           expires_at = excluded.expires_at`,
        [
          integrationId,
          token,
          hostname(),
          process.pid,
          thisProcessInstance(),
          iso(at),
          iso(at + sqliteLease.durationMs),
        ],
      );
      return true;
    });
    return taken ? leasedLock(driver, integrationId, token, now) : undefined;
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The held lock: a timer renews the lease; a renewal that finds the row no longer ours (the
 * lease expired while this process was stalled and another took over) aborts the signal. A
 * renewal that fails outright is retried at the next tick: the lease outlives several of them.
 */
function leasedLock(driver: Driver, integrationId: string, token: string, now: () => number): RunLock {
  const controller = new AbortController();
  const owned = 'WHERE integration_id = ? AND token = ?';
  const renew = async () => {
    const changed = await driver.run(`UPDATE sync_locks SET expires_at = ? ${owned}`, [
      iso(now() + sqliteLease.durationMs),
      integrationId,
      token,
    ]);
    if (changed === 0) {
      clearInterval(timer);
      controller.abort(lostRunLock(integrationId, 'another process took over its expired lease'));
    }
  };
  const timer = setInterval(() => {
    renew().catch(() => undefined);
  }, sqliteLease.renewEveryMs);
  timer.unref();
  let released = false;
  return {
    signal: controller.signal,
    release: async () => {
      clearInterval(timer);
      if (released) return;
      released = true;
      await driver.run(`DELETE FROM sync_locks ${owned}`, [integrationId, token]);
    },
  };
}
