import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Driver } from './driver.ts';
import { openSqliteDriver } from './sqlite-driver.ts';

describe('SQLite driver page cache', () => {
  let dir: string;
  let driver: Driver;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-driver-'));
    driver = openSqliteDriver(join(dir, 'test.db'));
  });
  afterEach(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cacheSize = async () => (await driver.all('PRAGMA cache_size'))[0]?.cache_size;

  it('runs a large read with a 64 MiB cache and returns to 8 MiB after it, even when it fails', async () => {
    expect(await cacheSize()).toBe(-8192);
    expect(await driver.all('PRAGMA cache_size', [], { largeRead: true })).toEqual([{ cache_size: -65536 }]);
    expect(await cacheSize()).toBe(-8192);
    await expect(driver.all('SELECT * FROM missing_table', [], { largeRead: true })).rejects.toThrow(
      /no such table/,
    );
    expect(await cacheSize()).toBe(-8192);
  });
});

describe('SQLite background checkpoints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-checkpoint-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies the WAL back in a worker thread, while the writer goes on, until the driver closes', async () => {
    const file = join(dir, 'test.db');
    const driver = openSqliteDriver(file);
    const checkpointer = driver.checkpointInBackground?.();
    expect(checkpointer).toBeDefined();
    expect(driver.checkpointInBackground?.()).toBe(checkpointer);
    await driver.run('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    await driver.transaction(async (tx) => {
      for (let id = 0; id < 500; id += 1)
        await tx.run('INSERT INTO t (id, body) VALUES (?, ?)', [id, 'x'.repeat(2000)]);
    });
    const [busy, log, checkpointed] = (await checkpointer?.checkpointNow()) ?? [];
    expect(busy).toBe(0);
    expect(log).toBeGreaterThan(200);
    expect(checkpointed).toBe(log);
    // The writer is not held up by the worker's connection, and what it wrote reads back.
    await driver.run('INSERT INTO t (id, body) VALUES (?, ?)', [500, 'y']);
    expect(await driver.all('SELECT count(*) AS n FROM t')).toEqual([{ n: 501 }]);
    await driver.close();
    await expect(checkpointer?.checkpointNow()).rejects.toThrow();
    const reopened = openSqliteDriver(file);
    expect(await reopened.all('SELECT count(*) AS n FROM t')).toEqual([{ n: 501 }]);
    await reopened.close();
  });
});
