import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { openStore } from './index.ts';
import type { GraphStore } from './types.ts';

/** A fresh, migrated store for one test, and how to reopen and throw it away. */
export interface TestStore {
  store: GraphStore;
  /** Opens the same database again (another process, in effect); disposed with the rest. */
  reopen(): Promise<GraphStore>;
  /** Closes every store opened here and deletes the database (temp file or schema). */
  dispose(): Promise<void>;
}

export interface StoreBackend {
  name: 'sqlite' | 'postgres';
  /** False when the back end is not configured here (PostgreSQL without VIGIL_TEST_PG_URL). */
  available: boolean;
  open(): Promise<TestStore>;
}

/** The URL of the PostgreSQL used by tests, or undefined: tests on PostgreSQL are then skipped. */
export const testPostgresUrl: string | undefined = process.env.VIGIL_TEST_PG_URL || undefined;

async function openTracked(location: string, schema?: string) {
  const opened: GraphStore[] = [];
  const open = async () => {
    const store = await openStore(location, schema === undefined ? {} : { schema });
    opened.push(store);
    return store;
  };
  const closeAll = async () => {
    for (const store of opened) await store.close();
  };
  return { store: await open(), reopen: open, closeAll };
}

const sqliteBackend: StoreBackend = {
  name: 'sqlite',
  available: true,
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-store-'));
    const tracked = await openTracked(join(dir, 'vigil.db'));
    return {
      store: tracked.store,
      reopen: tracked.reopen,
      dispose: async () => {
        await tracked.closeAll();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

function postgresBackend(url: string | undefined): StoreBackend {
  return {
    name: 'postgres',
    available: url !== undefined,
    async open() {
      if (url === undefined) throw new Error('VIGIL_TEST_PG_URL is not set');
      const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
      const tracked = await openTracked(url, schema);
      return {
        store: tracked.store,
        reopen: tracked.reopen,
        dispose: async () => {
          await tracked.closeAll();
          const admin = new pg.Client({ connectionString: url });
          await admin.connect();
          try {
            await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          } finally {
            await admin.end();
          }
        },
      };
    },
  };
}

/**
 * The back ends every store test runs on (`describe.each(storeBackends)`): SQLite always, on a
 * fresh temp file per test; PostgreSQL when VIGIL_TEST_PG_URL is set, on a fresh schema per test
 * dropped afterwards. Other modules' tests may use it to run against a real store.
 */
export const storeBackends: readonly StoreBackend[] = [sqliteBackend, postgresBackend(testPostgresUrl)];

/**
 * Inside a `describe.each(storeBackends)` block: opens a fresh, migrated store before each test
 * (skipping the test when the back end is not configured here), hands it to `use`, and disposes
 * it after the test.
 */
export function storePerTest(backend: StoreBackend, use: (opened: TestStore) => void): void {
  let opened: TestStore | undefined;
  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
    use(opened);
  });
  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });
}
