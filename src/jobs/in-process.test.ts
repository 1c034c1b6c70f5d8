import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { testIntegration } from '../../test/helpers/integrations.ts';
import { captureLogger } from '../../test/helpers/log-capture.ts';
import { VigilError } from '../errors.ts';
import type { Integration } from '../integrations/config.ts';
import type { RunStatus } from '../store/types.ts';
import type { LatestRun } from './due.ts';
import { InProcessQueue } from './in-process.ts';
import { type SyncJobDeps, type SyncOutcome, syncJobKind } from './kinds/sync.ts';
import { JobRuntime } from './runtime.ts';

const start = Date.UTC(2026, 10, 25, 12, 0, 0);

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A fake world: a clock moved by hand, runs kept in memory, and a sync that records a run the
 * way the engine does (running at start, its status at the end). With `manual`, each sync waits
 * until the test releases it.
 */
class World {
  clock = start;
  readonly runs = new Map<string, Array<LatestRun & { finishedAt: number | null }>>();
  readonly started: Array<{ name: string; at: number }> = [];
  readonly gates = new Map<string, Deferred>();
  concurrent = 0;
  maxSeenConcurrent = 0;
  readonly perIntegrationConcurrent = new Map<string, number>();
  readonly log = captureLogger();
  private nextRun = 1;

  constructor(
    public integrations: Integration[],
    private readonly options: { manual?: boolean; recordRunAtStart?: boolean } = {},
  ) {}

  latestRun = async (id: string): Promise<LatestRun | undefined> => this.runs.get(id)?.at(-1);

  runSync = async (i: Integration): Promise<SyncOutcome> => {
    const own = (this.perIntegrationConcurrent.get(i.id) ?? 0) + 1;
    if (own > 1) throw new Error(`${i.name} is already syncing`);
    this.perIntegrationConcurrent.set(i.id, own);
    this.concurrent++;
    this.maxSeenConcurrent = Math.max(this.maxSeenConcurrent, this.concurrent);
    this.started.push({ name: i.name, at: this.clock });
    const startedAt = this.clock;
    const run = { id: `run-${this.nextRun++}`, status: 'running' as RunStatus, startedAt: iso(startedAt) };
    const history = this.runs.get(i.id) ?? [];
    const record = { ...run, finishedAt: null as number | null };
    if (this.options.recordRunAtStart !== false) history.push(record);
    this.runs.set(i.id, history);
    try {
      if (this.options.manual) {
        const gate = deferred();
        this.gates.set(i.name, gate);
        await gate.promise;
      }
      record.status = 'success';
      record.finishedAt = this.clock;
      return { runId: run.id, status: 'success', durationMs: this.clock - startedAt, writtenTypes: [] };
    } finally {
      this.concurrent--;
      this.perIntegrationConcurrent.set(i.id, own - 1);
      this.gates.delete(i.name);
    }
  };

  async scheduler(maxConcurrent: number, overrides: Partial<SyncJobDeps> = {}): Promise<Scheduler> {
    const scheduler = new Scheduler(
      {
        listIntegrations: async () => this.integrations,
        findIntegration: async (id) => this.integrations.find((i) => i.id === id),
        latestRun: this.latestRun,
        runSync: this.runSync,
        ...overrides,
      },
      () => this.clock,
      maxConcurrent,
      this.log.logger,
    );
    await scheduler.runtime.work();
    return scheduler;
  }

  /** The sync and planning events of the log, as `start <name>`, `end <name> <status>` … */
  get events(): string[] {
    return this.log.lines.flatMap((line) => {
      if (line.msg === 'sync started') return [`start ${line.integration}`];
      if (line.msg === 'sync finished') return [`end ${line.integration} ${line.status}`];
      if (line.msg === 'sync failed') return [`failed ${line.integration} ${line.code}`];
      if (line.msg === 'planning due jobs failed') return [`tick failed ${line.code}`];
      return [];
    });
  }

  /** Waits until the named sync has reached its gate (its job has started). */
  async reached(name: string): Promise<Deferred> {
    for (let turn = 0; turn < 1000; turn++) {
      const gate = this.gates.get(name);
      if (gate) return gate;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`${name} is not running`);
  }

  /** Lets the named sync (waiting at its gate) finish. */
  async release(name: string): Promise<void> {
    (await this.reached(name)).resolve();
  }

  /** Lets the named sync finish and waits until the scheduler has seen it end. */
  async finish(scheduler: Scheduler, name: string): Promise<void> {
    await this.release(name);
    while (scheduler.runningIds.includes(`id-${name}`)) await new Promise((r) => setImmediate(r));
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The job runtime with the sync kind over an in-process queue that the test dispatches by hand:
 * a tick plans the due slots, then starts what fits, and returns the started integrations' ids.
 */
class Scheduler {
  readonly queue: InProcessQueue;
  readonly runtime: JobRuntime;

  constructor(deps: SyncJobDeps, now: () => number, concurrency: number, logger: Logger) {
    this.queue = new InProcessQueue({ now });
    const leaseMs = 3_600_000;
    this.runtime = new JobRuntime({
      queue: this.queue,
      kinds: [syncJobKind(deps, { leaseMs })],
      logger,
      now,
      concurrency,
      leaseMs,
    });
  }

  async tick(): Promise<string[]> {
    await this.runtime.plan();
    return this.queue.dispatch().map((job) => job.group);
  }

  get runningIds(): string[] {
    return this.queue.runningKeys.map((key) => key.split('|')[0] ?? key);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): Promise<void> {
    return this.runtime.stop();
  }
}

describe('the job runtime with the sync kind on the in-process queue', () => {
  it('runs each due integration once per interval, by its own interval', async () => {
    const world = new World([testIntegration('ten', 10), testIntegration('twenty-five', 25)]);
    const scheduler = await world.scheduler(4);
    for (let second = 0; second <= 60; second++) {
      world.clock = start + second * 1000;
      await scheduler.tick();
      await scheduler.idle();
    }
    const startsOf = (name: string) =>
      world.started.filter((s) => s.name === name).map((s) => (s.at - start) / 1000);
    expect(startsOf('ten')).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(startsOf('twenty-five')).toEqual([0, 25, 50]);
    expect(world.events.filter((e) => e.startsWith('start'))).toHaveLength(10);
    expect(world.events.filter((e) => e.startsWith('end'))).toHaveLength(10);
  });

  it('never starts a second sync of an integration while one is running, even when it looks due', async () => {
    // The sync records no run until it ends, so the store alone would call it due on every tick.
    const world = new World([testIntegration('slow', 10)], { manual: true, recordRunAtStart: false });
    const scheduler = await world.scheduler(4);
    expect(await scheduler.tick()).toEqual(['id-slow']);
    for (let second = 1; second <= 30; second++) {
      world.clock = start + second * 1000;
      expect(await scheduler.tick()).toEqual([]);
    }
    expect(scheduler.runningIds).toEqual(['id-slow']);
    await world.release('slow');
    await scheduler.idle();
    expect(await scheduler.tick()).toEqual(['id-slow']);
    await world.release('slow');
    await scheduler.idle();
    expect(world.started).toHaveLength(2);
  });

  it('does not re-run an integration whose run is still recorded as running', async () => {
    const world = new World([testIntegration('busy', 10)]);
    world.runs.set('id-busy', [
      { id: 'old', status: 'running', startedAt: iso(start - 60_000), finishedAt: null },
    ]);
    const scheduler = await world.scheduler(4);
    world.clock = start + 600_000;
    expect(await scheduler.tick()).toEqual([]);
  });

  it('runs different integrations at once up to the limit, most overdue first, the rest on later ticks', async () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const world = new World(
      names.map((n) => testIntegration(n, 3600)),
      { manual: true },
    );
    names.forEach((n, index) => {
      // e is the most overdue, a the least.
      world.runs.set(`id-${n}`, [
        {
          id: `old-${n}`,
          status: 'success',
          startedAt: iso(start - 3_600_000 - index * 1000),
          finishedAt: 0,
        },
      ]);
    });
    const scheduler = await world.scheduler(2);
    expect(await scheduler.tick()).toEqual(['id-e', 'id-d']);
    expect(await scheduler.tick()).toEqual([]);
    await world.finish(scheduler, 'e');
    expect(await scheduler.tick()).toEqual(['id-c']);
    await world.release('d');
    await world.release('c');
    await scheduler.idle();
    expect(await scheduler.tick()).toEqual(['id-b', 'id-a']);
    await world.release('b');
    await world.release('a');
    await scheduler.idle();
    expect(world.maxSeenConcurrent).toBe(2);
    expect(world.started.map((s) => s.name)).toEqual(['e', 'd', 'c', 'b', 'a']);
  });

  it('reports a sync that throws and a tick that cannot read, and keeps going', async () => {
    const world = new World([testIntegration('broken', 10)]);
    let failListing = true;
    const scheduler = await world.scheduler(1, {
      listIntegrations: async () => {
        if (failListing) throw new VigilError('STORE_ERROR', 'database is locked');
        return world.integrations;
      },
      runSync: async () => {
        throw new VigilError('CONFIG_INVALID', 'the API key does not decrypt');
      },
    });
    expect(await scheduler.tick()).toEqual([]);
    failListing = false;
    expect(await scheduler.tick()).toEqual(['id-broken']);
    await scheduler.idle();
    expect(world.events).toEqual(['tick failed STORE_ERROR', 'start broken', 'failed broken CONFIG_INVALID']);
  });

  it('stop lets a running sync finish, then starts no more', async () => {
    const world = new World([testIntegration('one', 10), testIntegration('two', 10)], { manual: true });
    const scheduler = await world.scheduler(1);
    await scheduler.tick();
    while (world.gates.size === 0) await new Promise((resolve) => setImmediate(resolve));
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    await world.release('one');
    await stopping;
    world.clock += 3_600_000;
    expect(await scheduler.tick()).toEqual([]);
    expect(world.events).toEqual(['start one', 'end one success']);
  });

  it('rejects a concurrency limit below 1', async () => {
    await expect(new World([]).scheduler(0)).rejects.toThrow(RangeError);
  });

  it('a cancelled job loses its lease: its signal is aborted, its result dropped, and the queue carries on', async () => {
    const seen: AbortSignal[] = [];
    const world = new World([testIntegration('long', 10), testIntegration('next', 10)], { manual: true });
    const scheduler = await world.scheduler(1, {
      runSync: async (integration, options) => {
        seen.push(options.signal);
        return world.runSync(integration);
      },
    });
    expect(await scheduler.tick()).toEqual(['id-long']);
    await world.reached('long');
    const [key] = scheduler.queue.runningKeys;
    await scheduler.queue.cancel('sync', key ?? '');
    expect(seen[0]?.aborted).toBe(true);
    expect(seen[0]?.reason).toMatchObject({ code: 'JOB_LEASE_LOST' });
    await world.finish(scheduler, 'long');
    expect(await scheduler.tick()).toEqual(['id-next']);
    await world.finish(scheduler, 'next');
    expect(world.log.lines.some((l) => l.msg === 'job lease lost: its result is dropped')).toBe(true);
  });
});
