import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import { testPostgresUrl } from '../store/testing.ts';
import { InProcessQueue } from './in-process.ts';
import { PgBossQueue } from './pg-boss.ts';
import { sqlJobLedger } from './sql-ledger.ts';
import type { ClaimedJob, JobQueue, JobResult } from './types.ts';

/**
 * The semantics both back ends promise (`JobQueue`), on one suite: the in-process queue always,
 * pg-boss whenever VIGIL_TEST_PG_URL is set (a fresh queue schema per test). Real time: pg-boss
 * polls the database, so the tests wait for what happened and assert on order, never on duration.
 */

interface Backend {
  name: string;
  open(): Promise<{ queue: JobQueue; close(): Promise<void> }>;
}

const inProcess: Backend = {
  name: 'in-process',
  async open() {
    const queue = new InProcessQueue({ now: Date.now, pollMs: 20, retryDelayMs: 50 });
    return { queue, close: () => queue.stop() };
  },
};

const inProcessWithLedger: Backend = {
  name: 'in-process (SQLite ledger)',
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-jobs-'));
    const store = await openStore(join(dir, 'vigil.db'));
    const ledger = sqlJobLedger(store);
    const queue = new InProcessQueue({ now: Date.now, pollMs: 20, retryDelayMs: 50, ledger });
    return {
      queue,
      async close() {
        await queue.stop();
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

const pgBoss = (url: string): Backend => ({
  name: 'pg-boss',
  async open() {
    const schema = `vigil_jobs_${randomBytes(6).toString('hex')}`;
    const queue = await PgBossQueue.open({
      url,
      schema,
      leaseSeconds: 5,
      pollingIntervalSeconds: 0.5,
      retryDelaySeconds: 1,
      maxConnections: 6,
    });
    return {
      queue,
      async close() {
        await queue.stop();
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
      },
    };
  },
});

const backends: Backend[] = [
  inProcess,
  inProcessWithLedger,
  ...(testPostgresUrl === undefined ? [] : [pgBoss(testPostgresUrl)]),
];

/** Polls a condition every 20 ms; fails after 30 s so that a broken test does not hang. */
async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A job handler the test steers: each job records when it started and ended, and waits until the
 * test releases it (`hold`) or its signal aborts; `results` says how each key's attempts end.
 */
class Probe {
  readonly started: Array<ClaimedJob & { at: number }> = [];
  readonly ended: Array<{ key: string; attempt: number; aborted: unknown }> = [];
  readonly held = new Set<string>();
  readonly results = new Map<string, JobResult[]>();
  private readonly releases = new Map<string, () => void>();
  running = new Map<string, number>();
  maxPerGroup = 0;

  handler = async (job: ClaimedJob, signal: AbortSignal): Promise<JobResult> => {
    const inGroup = (this.running.get(job.group) ?? 0) + 1;
    this.running.set(job.group, inGroup);
    this.maxPerGroup = Math.max(this.maxPerGroup, inGroup);
    this.started.push({ ...job, at: Date.now() });
    try {
      if (this.held.has(job.key)) {
        await new Promise<void>((resolve) => {
          this.releases.set(job.key, resolve);
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      this.ended.push({
        key: job.key,
        attempt: job.attempt,
        aborted: signal.aborted ? signal.reason : false,
      });
      return this.results.get(job.key)?.shift() ?? { status: 'completed' };
    } finally {
      this.running.set(job.group, (this.running.get(job.group) ?? 1) - 1);
    }
  };

  release(key: string): void {
    this.releases.get(key)?.();
  }

  startsOf(key: string): number {
    return this.started.filter((job) => job.key === key).length;
  }
}

const job = (key: string, group = key, runAt = Date.now()) => ({
  kind: 'probe',
  key,
  group,
  data: { key },
  runAt,
});

describe.each(backends)('the $name job queue', (backend) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function open(concurrency = 2): Promise<{ queue: JobQueue; probe: Probe }> {
    const opened = await backend.open();
    close = opened.close;
    const probe = new Probe();
    await opened.queue.prepare(['probe']);
    opened.queue.work(['probe'], concurrency, probe.handler);
    return { queue: opened.queue, probe };
  }

  it('runs a job once, however often its key is sent', async () => {
    const { queue, probe } = await open();
    expect(await queue.send(job('slot-1'))).toBe(true);
    expect(await queue.send(job('slot-1'))).toBe(false);
    await waitUntil(() => probe.ended.length === 1, 'the job to run');
    expect(await queue.send(job('slot-1'))).toBe(false);
    await queue.send(job('slot-2'));
    await waitUntil(() => probe.ended.length === 2, 'the second job');
    expect([probe.startsOf('slot-1'), probe.startsOf('slot-2')]).toEqual([1, 1]);
  });

  it('sends many jobs in one write, each once, one waiting per group, leaving out keys already sent', async () => {
    const { queue, probe } = await open(1);
    probe.held.add('held');
    await queue.send(job('held', 'h'));
    await waitUntil(() => probe.startsOf('held') === 1, 'the held job to start');
    await queue.send(job('sent-before'));
    await queue.sendMany([
      job('m-1'),
      job('m-1'),
      job('m-2', 'pair'),
      job('m-3', 'pair'),
      job('sent-before'),
      job('m-4'),
    ]);
    probe.release('held');
    await waitUntil(() => probe.ended.length === 5, 'held, sent-before, m-1, m-2 and m-4 to run');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ran = probe.ended.map((ended) => ended.key);
    // One of the pair waited (which one is the back end's choice), the other was left out.
    expect(ran.filter((key) => key === 'm-2' || key === 'm-3')).toHaveLength(1);
    expect(ran.filter((key) => key !== 'm-2' && key !== 'm-3').sort()).toEqual([
      'held',
      'm-1',
      'm-4',
      'sent-before',
    ]);
  });

  it('never runs two jobs of one group at once, and keeps one waiting per group', async () => {
    const { queue, probe } = await open(3);
    probe.held.add('a-1');
    await queue.send(job('a-1', 'a'));
    await waitUntil(() => probe.startsOf('a-1') === 1, 'a-1 to start');
    expect(await queue.heldGroups('probe')).toEqual(new Set(['a']));
    expect(await queue.send(job('a-2', 'a'))).toBe(true);
    expect(await queue.send(job('a-3', 'a'))).toBe(false);
    probe.release('a-1');
    await waitUntil(() => probe.startsOf('a-2') === 1, 'a-2 to start after a-1');
    await waitUntil(() => probe.ended.length === 2, 'a-2 to end');
    expect(probe.maxPerGroup).toBe(1);
    expect(probe.startsOf('a-3')).toBe(0);
  });

  it('runs a one-off job once, not before its time', async () => {
    const { queue, probe } = await open();
    const runAt = Date.now() + 1_500;
    expect(await queue.send(job('poll-1', 'poll-1', runAt))).toBe(true);
    await waitUntil(() => probe.ended.length === 1, 'the one-off job');
    expect(probe.started[0]?.at).toBeGreaterThanOrEqual(runAt);
    expect(probe.startsOf('poll-1')).toBe(1);
  });

  it("aborts the handler's signal when its lease is lost, drops its result, and carries on", async () => {
    const { queue, probe } = await open(1);
    probe.held.add('long');
    await queue.send(job('long', 'g'));
    await waitUntil(() => probe.startsOf('long') === 1, 'the long job to start');
    await queue.cancel('probe', 'long');
    await waitUntil(() => probe.ended.length === 1, 'the handler to see the abort');
    expect(probe.ended[0]?.aborted).toMatchObject({ code: 'JOB_LEASE_LOST' });
    await queue.send(job('after', 'g'));
    await waitUntil(() => probe.ended.length === 2, 'the next job of the group');
    expect(probe.started.map((j) => j.key)).toEqual(['long', 'after']);
  });

  it('retries a job that failed with a retry, as a later attempt, and not one that failed without', async () => {
    const { queue, probe } = await open();
    const failure = { code: 'STORE_ERROR', message: 'connection refused' };
    probe.results.set('flaky', [{ status: 'failed', error: failure, retry: true }]);
    probe.results.set('broken', [{ status: 'failed', error: failure, retry: false }]);
    await queue.send(job('flaky'));
    await queue.send(job('broken'));
    await waitUntil(() => probe.startsOf('flaky') === 2, 'the retry');
    await waitUntil(() => probe.ended.length === 3, 'the retry to end');
    expect(probe.started.filter((j) => j.key === 'flaky').map((j) => j.attempt)).toEqual([0, 1]);
    expect(probe.startsOf('broken')).toBe(1);
  });
});
