import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../test/helpers/fault-proxy.ts';
import { openStore } from './index.ts';
import { testPostgresUrl } from './testing.ts';
import type { GraphStore } from './types.ts';

const at = '2024-05-01T10:00:00.000Z';

/** The store through a loopback proxy that can cut or freeze its link to PostgreSQL. */
describe.skipIf(testPostgresUrl === undefined)('PostgreSQL store over a failing link', () => {
  const url = new URL(testPostgresUrl ?? 'postgres://unset');
  const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
  let proxy: FaultProxy;
  let store: GraphStore;

  beforeEach(async () => {
    proxy = await startFaultProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    store = await openStore(proxied.toString(), { schema, queryTimeoutMs: 1_000 });
  });

  afterEach(async () => {
    proxy.restore();
    await store.close();
    await proxy.close();
    const admin = new pg.Client({ connectionString: testPostgresUrl });
    await admin.connect();
    try {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await admin.end();
    }
  });

  it('fails the operation in flight with STORE_ERROR when the link is cut, loses the run lock, and recovers', async () => {
    const lock = await store.acquireRunLock('ts1');
    expect(lock?.signal.aborted).toBe(false);
    proxy.freeze();
    const inFlight = store.createRun('ts1', at);
    proxy.cut();
    proxy.restore();
    await expect(inFlight).rejects.toMatchObject({ code: 'STORE_ERROR' });
    await new Promise<void>((resolve) => {
      if (lock?.signal.aborted) resolve();
      else lock?.signal.addEventListener('abort', () => resolve());
    });
    expect(lock?.signal.reason).toMatchObject({ code: 'SYNC_INTERRUPTED' });
    await lock?.release();

    const run = await store.createRun('ts1', at);
    expect((await store.getRun(run))?.status).toBe('running');
    const again = await store.acquireRunLock('ts1');
    expect(again).toBeDefined();
    await again?.release();
  });

  it('fails an operation on a frozen link within its timeout, then works when the link is back', async () => {
    await store.listRuns();
    proxy.freeze();
    await expect(store.listRuns()).rejects.toMatchObject({ code: 'STORE_ERROR' });
    await expect(store.createRun('ts1', at)).rejects.toMatchObject({ code: 'STORE_ERROR' });
    proxy.restore();
    const run = await store.createRun('ts1', at);
    expect((await store.getRun(run))?.status).toBe('running');
  });
});
