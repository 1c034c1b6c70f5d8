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
