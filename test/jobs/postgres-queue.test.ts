import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationRegistry } from '../../src/integrations/registry.ts';
import { secretCipherFor } from '../../src/integrations/secrets.ts';
import {
  type RunningThreatStackSimulator,
  startThreatStackSimulator,
} from '../../src/simulators/threatstack/server.ts';
import { openStore } from '../../src/store/index.ts';
import { testPostgresUrl } from '../../src/store/testing.ts';
import type { GraphStore } from '../../src/store/types.ts';
import { admin } from '../helpers/threatstack.ts';
import {
  runsOf,
  smallThreatStack,
  threatStackFields,
  VigilProcess,
  vigilEnv,
  waitUntil,
} from './worker-harness.ts';

/**
 * A sync that outlives its job lease (10 s, the shortest `--job-lease`) more than twice over, with two workers on the queue: the
 * holder keeps renewing its lease, so the job is never handed to the other worker, the sync runs
 * once to its end, and neither process stops.
 */
describe.skipIf(testPostgresUrl === undefined)(
  'vigil worker on PostgreSQL (needs VIGIL_TEST_PG_URL): a sync longer than its lease',
  () => {
    const url = testPostgresUrl ?? '';
    const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
    const secretKey = randomBytes(32).toString('base64');
    const leaseSeconds = 10;
    let sim: RunningThreatStackSimulator;
    let store: GraphStore;
    const workers: VigilProcess[] = [];

    beforeAll(async () => {
      sim = await startThreatStackSimulator({ ...smallThreatStack, seed: 3 });
      store = await openStore(url, { schema });
    });

    afterAll(async () => {
      for (const worker of workers) await worker.stop('SIGKILL');
      await store?.close();
      await sim?.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.query(`DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`);
      } finally {
        await client.end();
      }
    });

    it('keeps its lease alive: runs once, never on two workers, and no worker stops', async () => {
      const registry = new IntegrationRegistry(store, secretCipherFor(url, { VIGIL_SECRET_KEY: secretKey }));
      const integration = await registry.add({
        name: 'ts-long',
        kind: 'threatstack',
        fields: threatStackFields(sim, 3600),
        apiKey: sim.credentials.apiKey,
      });
      await admin(sim.url, 'PUT', '/_sim/faults', {
        // One vendor answer slower than two leases (and faster than the client's 30 s timeout).
        slow: { probability: 1, delayMs: 24_000 },
        pathPrefix: '/v2/vulnerabilities',
      });
      const args = [
        'worker',
        '--db',
        url,
        '--schema',
        schema,
        '--job-lease',
        `${leaseSeconds}s`,
        '--tick',
        '1',
      ];
      for (let i = 0; i < 2; i++) workers.push(new VigilProcess(args, vigilEnv(secretKey)));
      await waitUntil(
        async () => (await runsOf(store, integration.id)).some((r) => r.status !== 'running'),
        'the long sync to end',
      );
      await admin(sim.url, 'PUT', '/_sim/faults', { spec: '' });

      const runs = await runsOf(store, integration.id);
      expect(runs.map((r) => r.status)).toEqual(['success']);
      const run = runs[0]!;
      // The scenario holds: the sync outlived its lease more than twice over.
      expect(Date.parse(run.finishedAt!) - Date.parse(run.startedAt)).toBeGreaterThan(
        2 * leaseSeconds * 1000,
      );
      for (const worker of workers) expect(worker.child.exitCode).toBeNull();
      const starts = workers.flatMap((w) => w.logs().filter((l) => l.msg === 'sync started'));
      expect(starts).toHaveLength(1);
      const lost = workers.flatMap((w) => w.logs().filter((l) => l.msg.startsWith('job lease lost')));
      expect(lost).toEqual([]);
      const exits = await Promise.all(workers.map((w) => w.stop('SIGTERM')));
      expect(exits.map((e) => e.code)).toEqual([0, 0]);
    }, 90_000);
  },
);

/** `vigil serve` on PostgreSQL works the same shared queue as `vigil worker`. */
describe.skipIf(testPostgresUrl === undefined)('vigil serve on PostgreSQL (needs VIGIL_TEST_PG_URL)', () => {
  const url = testPostgresUrl ?? '';
  const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
  const secretKey = randomBytes(32).toString('base64');
  let sim: RunningThreatStackSimulator;
  let store: GraphStore;
  let serve: VigilProcess | undefined;

  beforeAll(async () => {
    sim = await startThreatStackSimulator({ ...smallThreatStack, seed: 4 });
    store = await openStore(url, { schema });
  });

  afterAll(async () => {
    await serve?.stop('SIGKILL');
    await store?.close();
    await sim?.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`);
    } finally {
      await client.end();
    }
  });

  it('plans and runs the due sync through the pg-boss queue, and stops on SIGTERM', async () => {
    const registry = new IntegrationRegistry(store, secretCipherFor(url, { VIGIL_SECRET_KEY: secretKey }));
    const integration = await registry.add({
      name: 'ts-serve',
      kind: 'threatstack',
      fields: threatStackFields(sim, 3600),
      apiKey: sim.credentials.apiKey,
    });
    serve = new VigilProcess(
      ['serve', '--port', '0', '--db', url, '--schema', schema, '--tick', '1'],
      vigilEnv(secretKey),
    );
    await waitUntil(
      async () => (await runsOf(store, integration.id)).some((r) => r.status === 'success'),
      'the sync through the queue',
    );
    const exit = await serve.stop('SIGTERM');
    expect(exit.code).toBe(0);
    const started = serve.logs().find((l) => l.msg === 'scheduler started');
    expect(started).toMatchObject({ queue: 'pg-boss', queueSchema: `${schema}_queue` });
    expect(serve.logs().filter((l) => l.msg === 'sync finished')).toHaveLength(1);
    expect(serve.logs().at(-1)?.msg).toBe('scheduler stopped');
  }, 60_000);
});
