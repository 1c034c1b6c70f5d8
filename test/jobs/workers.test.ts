import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Integration } from '../../src/integrations/config.ts';
import { IntegrationRegistry } from '../../src/integrations/registry.ts';
import { secretCipherFor } from '../../src/integrations/secrets.ts';
import {
  type RunningThreatConnectSimulator,
  startThreatConnectSimulator,
} from '../../src/simulators/threatconnect/server.ts';
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
  threatConnectFields,
  threatStackFields,
  VigilProcess,
  vigilEnv,
  waitUntil,
} from './worker-harness.ts';

describe('vigil serve and vigil worker on SQLite', () => {
  let sim: RunningThreatStackSimulator;
  let dir: string;
  const secretKey = randomBytes(32).toString('base64');

  beforeAll(async () => {
    sim = await startThreatStackSimulator(smallThreatStack);
    dir = await mkdtemp(join(tmpdir(), 'vigil-serve-'));
  });
  afterAll(async () => {
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('vigil worker refuses SQLite with CONFIG_INVALID', async () => {
    const worker = new VigilProcess(['worker', '--db', join(dir, 'worker.db')], vigilEnv(secretKey));
    const exit = await worker.exited;
    expect(exit.code).toBe(2);
    expect(worker.stderr).toContain('error CONFIG_INVALID: vigil worker needs PostgreSQL');
  });

  it('vigil serve syncs each registered integration when due, logs start and end, and lets running syncs finish on SIGTERM', async () => {
    const path = join(dir, 'vigil.db');
    const env = vigilEnv(secretKey);
    const store = await openStore(path);
    try {
      const registry = new IntegrationRegistry(store, secretCipherFor(path, env));
      const added: Integration[] = [];
      for (const name of ['ts-primary', 'ts-secondary']) {
        added.push(
          await registry.add({
            name,
            kind: 'threatstack',
            fields: threatStackFields(sim, 10),
            apiKey: sim.credentials.apiKey,
          }),
        );
      }
      // Slow vulnerability pages keep both first syncs running when the stop signal arrives.
      await admin(sim.url, 'PUT', '/_sim/faults', {
        slow: { probability: 1, delayMs: 2_000 },
        pathPrefix: '/v2/vulnerabilities',
      });
      const serve = new VigilProcess(['serve', '--port', '0', '--db', path, '--tick', '1'], env);
      const running = async () => {
        const latest = await Promise.all(added.map(async (i) => (await store.listRuns(i.id, 1))[0]));
        return latest.every((run) => run?.status === 'running');
      };
      await waitUntil(running, `both first syncs running; stderr:\n${serve.stderr}`);
      const exit = await serve.stop('SIGTERM');

      expect(exit.code).toBe(0);
      const logs = serve.logs();
      for (const integration of added) {
        const mine = logs.filter((l) => l.integration === integration.name && l.msg.startsWith('sync '));
        expect(mine.map((l) => l.msg)).toEqual(['sync started', 'sync finished']);
        const runs = await runsOf(store, integration.id);
        expect(runs.map((r) => r.status)).toEqual(['success']);
        expect(mine[1]).toMatchObject({ runId: runs[0]?.id, status: 'success' });
      }
      const messages = logs.map((l) => l.msg);
      expect(messages.indexOf('stopping: waiting for running syncs to finish')).toBeLessThan(
        messages.indexOf('sync finished'),
      );
      expect(messages.at(-1)).toBe('scheduler stopped');
      expect(serve.stderr).not.toContain(sim.credentials.apiKey);
    } finally {
      await admin(sim.url, 'PUT', '/_sim/faults', { spec: '' });
      await store.close();
    }
  });
});

/**
 * The proof of C9 on PostgreSQL: three `vigil worker` processes share one queue, ten
 * integrations sync every 10 s, and the worker running the slow integration's sync is killed
 * with SIGKILL. Everything is then checked from the runs in the store.
 */
describe.skipIf(testPostgresUrl === undefined)(
  'vigil worker on PostgreSQL (needs VIGIL_TEST_PG_URL): three processes, one killed',
  () => {
    const url = testPostgresUrl ?? '';
    const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
    const secretKey = randomBytes(32).toString('base64');
    const intervalMs = 10_000;
    let threatStack: RunningThreatStackSimulator;
    let slowThreatStack: RunningThreatStackSimulator;
    let threatConnect: RunningThreatConnectSimulator;
    let store: GraphStore;
    const workers: VigilProcess[] = [];

    beforeAll(async () => {
      threatStack = await startThreatStackSimulator(smallThreatStack);
      slowThreatStack = await startThreatStackSimulator({ ...smallThreatStack, seed: 2 });
      threatConnect = await startThreatConnectSimulator({ adversaries: 5, owners: 2 });
      store = await openStore(url, { schema });
    });

    afterAll(async () => {
      for (const worker of workers) await worker.stop('SIGKILL');
      await store?.close();
      await Promise.all([threatStack?.close(), slowThreatStack?.close(), threatConnect?.close()]);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.query(`DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`);
      } finally {
        await client.end();
      }
    });

    async function addIntegrations(): Promise<{ all: Integration[]; victim: Integration }> {
      const registry = new IntegrationRegistry(store, secretCipherFor(url, { VIGIL_SECRET_KEY: secretKey }));
      const all: Integration[] = [];
      const add = async (
        name: string,
        kind: 'threatstack' | 'threatconnect',
        fields: object,
        apiKey: string,
      ) => all.push(await registry.add({ name, kind, fields: { ...fields }, apiKey }));
      for (let i = 1; i <= 6; i++) {
        await add(
          `ts-${i}`,
          'threatstack',
          threatStackFields(threatStack, 10),
          threatStack.credentials.apiKey,
        );
      }
      for (let i = 1; i <= 3; i++) {
        await add(
          `tc-${i}`,
          'threatconnect',
          threatConnectFields(threatConnect, 10),
          threatConnect.credentials.apiKey,
        );
      }
      await add(
        'ts-slow',
        'threatstack',
        threatStackFields(slowThreatStack, 10),
        slowThreatStack.credentials.apiKey,
      );
      return { all, victim: all.at(-1)! };
    }

    it('runs every due sync exactly once, retries the killed worker’s sync elsewhere, and never overlaps two syncs of one integration', async () => {
      const { all, victim } = await addIntegrations();
      await admin(slowThreatStack.url, 'PUT', '/_sim/faults', {
        slow: { probability: 1, delayMs: 20_000 },
        pathPrefix: '/v2/vulnerabilities',
      });
      const args = ['worker', '--db', url, '--schema', schema, '--job-lease', '10s', '--tick', '1'];
      for (let i = 0; i < 3; i++) workers.push(new VigilProcess(args, vigilEnv(secretKey)));

      // The worker that started the slow sync is killed while that sync is running.
      const holder = async () =>
        workers.find((w) => w.logs().some((l) => l.msg === 'sync started' && l.integration === victim.name));
      await waitUntil(async () => (await holder()) !== undefined, 'the slow sync to start');
      await waitUntil(async () => (await store.listRuns(victim.id, 1))[0]?.status === 'running', 'its run');
      const killed = (await holder())!;
      await killed.stop('SIGKILL');
      const killedAt = Date.now();
      await admin(slowThreatStack.url, 'PUT', '/_sim/faults', { spec: '' });
      const survivors = workers.filter((w) => w !== killed);

      // Wait for the retry elsewhere, and for every integration to have synced three times.
      await waitUntil(
        async () => (await runsOf(store, victim.id)).some((r) => r.status === 'success'),
        'the retry',
      );
      await waitUntil(
        async () =>
          (await Promise.all(all.map((i) => runsOf(store, i.id)))).every((runs) => runs.length >= 3),
        'three syncs of every integration',
      );
      const stopAt = Date.now();
      const exits = await Promise.all(survivors.map((w) => w.stop('SIGTERM')));
      const tails = survivors.map((w) => w.stderr.split('\n').slice(-8).join('\n')).join('\n---\n');
      expect(
        exits.map((e) => e.code),
        tails,
      ).toEqual([0, 0]);

      for (const integration of all) {
        const runs = await runsOf(store, integration.id);
        const label = `${integration.name}: ${JSON.stringify(runs.map((r) => [r.status, r.startedAt, r.finishedAt]))}`;
        expect(runs.length, label).toBeGreaterThanOrEqual(3);
        for (const [index, run] of runs.entries()) {
          const next = runs[index + 1];
          if (run.status === 'aborted') {
            // Only a sync of the killed worker is cut off, and another worker redid it after the kill.
            expect(next?.status, label).toBe('success');
            expect(Date.parse(next!.startedAt), label).toBeGreaterThanOrEqual(killedAt);
            continue;
          }
          expect(run.status, label).toBe('success');
          if (next === undefined) {
            // No due slot went unserved up to the stop.
            expect(stopAt - Date.parse(run.startedAt), label).toBeLessThan(2 * intervalMs);
            continue;
          }
          // Never two at once: each sync started after the previous one ended.
          expect(Date.parse(next.startedAt), label).toBeGreaterThanOrEqual(Date.parse(run.finishedAt!));
          // Exactly once per due slot: never again within an interval, never a whole interval skipped.
          const gap = Date.parse(next.startedAt) - Date.parse(run.startedAt);
          expect(gap, label).toBeGreaterThanOrEqual(intervalMs);
          expect(gap, label).toBeLessThan(2 * intervalMs);
        }
      }

      const victimRuns = await runsOf(store, victim.id);
      expect(victimRuns[0]?.status).toBe('aborted');
      const retry = victimRuns[1]!;
      const finishedBy = survivors.filter((w) =>
        w
          .logs()
          .some((l) => l.msg === 'sync finished' && l.runId === retry.id && l.integration === victim.name),
      );
      expect(finishedBy).toHaveLength(1);
      const keys = [threatStack, slowThreatStack, threatConnect].map((sim) => sim.credentials.apiKey);
      for (const worker of workers) for (const key of keys) expect(worker.stderr).not.toContain(key);
    }, 120_000);
  },
);
