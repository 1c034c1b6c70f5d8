import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from './index.ts';
import { sqliteLease } from './run-lock-sqlite.ts';
import { storeBackends, type TestStore } from './testing.ts';
import type { GraphStore } from './types.ts';

describe.each(storeBackends)('run locks on $name', (backend) => {
  let opened: TestStore | undefined;
  let store: GraphStore;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
    store = opened.store;
  });

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('lets one holder at a time have an integration, across connections, until it releases', async () => {
    const other = await opened!.reopen();
    const lock = await store.acquireRunLock('ts1');
    expect(lock?.signal.aborted).toBe(false);
    expect(await other.acquireRunLock('ts1')).toBeUndefined();
    expect(await store.acquireRunLock('ts1')).toBeUndefined();
    const elsewhere = await other.acquireRunLock('ts2');
    expect(elsewhere).toBeDefined();
    await lock?.release();
    await lock?.release();
    const next = await other.acquireRunLock('ts1');
    expect(next).toBeDefined();
    expect(lock?.signal.aborted).toBe(false);
    await next?.release();
    await elsewhere?.release();
  });

  it('marks a run left running aborted only when the next holder starts its run', async () => {
    const lock = await store.acquireRunLock('ts1');
    const first = await store.createRun('ts1', '2024-05-01T10:00:00.000Z');
    await lock?.release();
    const again = await store.acquireRunLock('ts1');
    expect((await store.getRun(first))?.status).toBe('running');
    await store.createRun('ts1', '2024-05-01T10:01:00.000Z');
    expect((await store.getRun(first))?.status).toBe('aborted');
    await again?.release();
  });
});

describe('SQLite run locks left by other processes', () => {
  let dir: string;
  let path: string;
  let store: GraphStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-lock-'));
    path = join(dir, 'vigil.db');
    store = await openStore(path);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function leaveLock(holder: { host: string; pid: number; expiresAt: string }): void {
    const db = new Database(path);
    try {
      db.prepare(
        'INSERT INTO sync_locks (integration_id, token, host, pid, instance, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(
        'ts1',
        'their-token',
        holder.host,
        holder.pid,
        'their-life',
        '2024-05-01T10:00:00.000Z',
        holder.expiresAt,
      );
    } finally {
      db.close();
    }
  }

  const future = new Date(Date.now() + 3_600_000).toISOString();

  it('respects a live lease of another host', async () => {
    leaveLock({ host: 'elsewhere.example', pid: 1, expiresAt: future });
    expect(await store.acquireRunLock('ts1')).toBeUndefined();
  });

  it('takes over an expired lease', async () => {
    leaveLock({ host: 'elsewhere.example', pid: 1, expiresAt: '2024-05-01T10:02:00.000Z' });
    const lock = await store.acquireRunLock('ts1');
    expect(lock).toBeDefined();
    await lock?.release();
  });

  it('takes over at once the lock of a dead process on this host', async () => {
    const exited = spawnSync(process.execPath, ['-e', '']);
    expect(exited.pid).toBeGreaterThan(0);
    leaveLock({ host: hostname(), pid: exited.pid ?? 0, expiresAt: future });
    const lock = await store.acquireRunLock('ts1');
    expect(lock).toBeDefined();
    await lock?.release();
  });

  it('takes over the lock an earlier life of this pid left (a restarted container)', async () => {
    leaveLock({ host: hostname(), pid: process.pid, expiresAt: future });
    const lock = await store.acquireRunLock('ts1');
    expect(lock).toBeDefined();
    await lock?.release();
  });

  it("aborts the holder's signal when its renewal finds the lease taken over", async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const lock = await store.acquireRunLock('ts1');
      const db = new Database(path);
      db.prepare("UPDATE sync_locks SET token = 'their-token' WHERE integration_id = 'ts1'").run();
      db.close();
      const lost = new Promise<unknown>((resolve) =>
        lock?.signal.addEventListener('abort', () => resolve(lock.signal.reason)),
      );
      vi.advanceTimersByTime(sqliteLease.renewEveryMs);
      expect(await lost).toMatchObject({ code: 'SYNC_INTERRUPTED' });
      await lock?.release();
      expect(await store.acquireRunLock('ts1')).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('respects the lock of a live process on this host', async () => {
    const parent = process.ppid;
    leaveLock({ host: hostname(), pid: parent, expiresAt: future });
    expect(await store.acquireRunLock('ts1')).toBeUndefined();
  });
});
