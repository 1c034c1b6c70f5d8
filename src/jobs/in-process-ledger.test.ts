import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import type { GraphStore } from '../store/types.ts';
import { InProcessQueue } from './in-process.ts';
import { sqlJobLedger } from './sql-ledger.ts';
import type { ClaimedJob, JobResult } from './types.ts';

/** Restart safety of the in-process queue: its SQLite ledger, read by a new queue ("process"). */
describe('the in-process queue with a SQLite ledger, across a restart', () => {
  let dir: string;
  let store: GraphStore;
  let clock: number;
  const queues: InProcessQueue[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-ledger-'));
    store = await openStore(join(dir, 'vigil.db'));
    clock = Date.UTC(2026, 11, 2, 9, 0, 0);
  });

  afterEach(async () => {
    for (const queue of queues.splice(0)) await queue.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A new queue over the same database: what a restarted process builds. */
  async function process(handler: (job: ClaimedJob) => Promise<JobResult>): Promise<InProcessQueue> {
    const queue = new InProcessQueue({ now: () => clock, ledger: sqlJobLedger(store), retryDelayMs: 1000 });
    queues.push(queue);
    await queue.prepare();
    queue.work(['poll'], 2, (job) => handler(job));
    return queue;
  }

  const poll = (key: string, runAt: number) => ({
    kind: 'poll',
    key,
    group: key,
    data: { validation: key },
    runAt,
  });

  it('a one-off job sent before a restart runs once after it, at its time, with its data', async () => {
    const ran: ClaimedJob[] = [];
    const first = await process(async () => ({ status: 'completed' }));
    expect(await first.send(poll('v1@10:00', clock + 3_600_000))).toBe(true);
    await first.stop();

    const second = await process(async (job) => {
      ran.push(job);
      return { status: 'completed' };
    });
    expect(second.dispatch()).toEqual([]);
    clock += 3_600_000;
    expect(second.dispatch().map((job) => job.key)).toEqual(['v1@10:00']);
    await second.idle();
    expect(ran).toEqual([
      { kind: 'poll', key: 'v1@10:00', group: 'v1@10:00', data: { validation: 'v1@10:00' }, attempt: 0 },
    ]);

    const third = await process(async () => ({ status: 'completed' }));
    expect(third.dispatch()).toEqual([]);
    expect(await third.send(poll('v1@10:00', clock))).toBe(false);
  });

  it('a job running when its process died runs again after the restart, as a retry', async () => {
    let releaseFirst: () => void = () => undefined;
    const first = await process(
      () => new Promise<JobResult>((resolve) => (releaseFirst = () => resolve({ status: 'completed' }))),
    );
    await first.send(poll('v2', clock));
    expect(first.dispatch().map((job) => job.attempt)).toEqual([0]);
    await new Promise((resolve) => setImmediate(resolve));

    const attempts: number[] = [];
    const second = await process(async (job) => {
      attempts.push(job.attempt);
      return { status: 'completed' };
    });
    expect(second.dispatch().map((job) => job.key)).toEqual(['v2']);
    await second.idle();
    expect(attempts).toEqual([1]);
    releaseFirst();
  });

  it('a cancelled job does not come back after a restart', async () => {
    const first = await process(async () => ({ status: 'completed' }));
    await first.send(poll('v3', clock + 60_000));
    await first.cancel('poll', 'v3');
    const second = await process(async () => ({ status: 'completed' }));
    clock += 60_000;
    expect(second.dispatch()).toEqual([]);
  });
});
