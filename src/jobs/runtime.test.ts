import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { vigilFailure } from '../../test/helpers/async.ts';
import { captureLogger } from '../../test/helpers/log-capture.ts';
import { VigilError } from '../errors.ts';
import { InProcessQueue } from './in-process.ts';
import { JobRuntime } from './runtime.ts';
import { startTicker } from './ticker.ts';
import type { JobContext, JobKind, JobResult } from './types.ts';

const start = Date.UTC(2026, 11, 2, 9, 0, 0);

/**
 * A one-off kind shaped like the validation poll to come: its jobs are sent at exact times, keyed
 * by what they poll, and the runtime takes it without a change.
 */
function pollKind(
  handle: (data: { validationId: string; window: number }, context: JobContext) => Promise<JobResult>,
) {
  const kind: JobKind<{ validationId: string; window: number }> = {
    name: 'validation-poll',
    data: z.object({ validationId: z.string().min(1), window: z.number().int().min(0) }).strict(),
    handle,
  };
  return kind;
}

async function runtimeWith(kind: JobKind<{ validationId: string; window: number }>) {
  let clock = start;
  const queue = new InProcessQueue({ now: () => clock, retryDelayMs: 60_000 });
  const { logger, lines } = captureLogger();
  const runtime = new JobRuntime({
    queue,
    kinds: [kind],
    logger,
    now: () => clock,
    concurrency: 2,
    leaseMs: 60_000,
  });
  await runtime.work();
  return {
    runtime,
    queue,
    lines,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('the job runtime', () => {
  it('runs a one-off job of a new kind once, at its time, with its parsed data and context', async () => {
    const seen: Array<{ data: unknown; attempt: number; at: number }> = [];
    const kind = pollKind(async (data, context) => {
      seen.push({ data, attempt: context.attempt, at: context.now() });
      return { status: 'completed', output: { verdict: 'detected' } };
    });
    const { runtime, queue, advance } = await runtimeWith(kind);
    const request = { data: { validationId: 'v1', window: 2 }, key: 'v1#2', runAt: start + 300_000 };
    expect(await runtime.enqueue(kind, request)).toBe(true);
    expect(await runtime.enqueue(kind, request)).toBe(false);
    expect(queue.dispatch()).toEqual([]);
    advance(300_000);
    expect(queue.dispatch().map((job) => job.key)).toEqual(['v1#2']);
    await queue.idle();
    expect(seen).toEqual([{ data: { validationId: 'v1', window: 2 }, attempt: 0, at: start + 300_000 }]);
    advance(3_600_000);
    expect(queue.dispatch()).toEqual([]);
  });

  it('refuses invalid data and a kind it does not run, with coded errors', async () => {
    const kind = pollKind(async () => ({ status: 'completed' }));
    const { runtime } = await runtimeWith(kind);
    const invalid = await vigilFailure(
      runtime.enqueue(kind, { data: { validationId: '', window: -1 }, key: 'x' }),
    );
    expect(invalid.code).toBe('INPUT_INVALID');
    expect(invalid.message).toContain('validation-poll');
    const stranger = pollKind(async () => ({ status: 'completed' }));
    expect(
      (await vigilFailure(runtime.enqueue(stranger, { data: { validationId: 'v', window: 0 }, key: 'y' })))
        .code,
    ).toBe('INTERNAL_ERROR');
  });

  it('turns a throw into a failure with a retry, and retries it as a later attempt', async () => {
    const attempts: number[] = [];
    const kind = pollKind(async (_data, context) => {
      attempts.push(context.attempt);
      if (context.attempt === 0) throw new Error('socket hang up');
      return { status: 'completed' };
    });
    const { runtime, queue, lines, advance } = await runtimeWith(kind);
    await runtime.enqueue(kind, { data: { validationId: 'v2', window: 0 }, key: 'v2#0' });
    queue.dispatch();
    await queue.idle();
    expect(lines.find((line) => line.msg === 'job failed')).toMatchObject({
      code: 'INTERNAL_ERROR',
      retry: true,
    });
    advance(60_000);
    queue.dispatch();
    await queue.idle();
    expect(attempts).toEqual([0, 1]);
  });

  it('fails without a retry a job whose stored data its kind no longer accepts', async () => {
    let handled = 0;
    const kind = pollKind(async () => {
      handled++;
      return { status: 'completed' };
    });
    const { queue, lines } = await runtimeWith(kind);
    await queue.send({
      kind: 'validation-poll',
      key: 'old',
      group: 'old',
      data: { poll: 'v0' },
      runAt: start,
    });
    queue.dispatch();
    await queue.idle();
    expect(handled).toBe(0);
    expect(lines.find((line) => line.msg === 'job failed')).toMatchObject({
      code: 'INPUT_INVALID',
      retry: false,
    });
  });

  it('a planner tick whose store fails (a dropped database connection) is logged; the next tick plans again (issue 9 item 10)', async () => {
    let storeUp = false;
    const kind: JobKind<{ slot: number }> = {
      name: 'periodic',
      data: z.object({ slot: z.number() }).strict(),
      async planDue(now) {
        if (!storeUp) throw new VigilError('STORE_ERROR', 'The database connection was lost (ECONNRESET).');
        return [{ key: `slot-${now}`, data: { slot: now } }];
      },
      handle: async () => ({ status: 'completed' }),
    };
    const queue = new InProcessQueue({ now: () => start });
    const { logger, lines } = captureLogger();
    const runtime = new JobRuntime({
      queue,
      kinds: [kind],
      logger,
      now: () => start,
      concurrency: 1,
      leaseMs: 60_000,
    });
    await runtime.work();

    expect(await runtime.plan()).toBe(0);
    expect(lines.find((line) => line.msg === 'planning due jobs failed')).toMatchObject({
      job: 'periodic',
      code: 'STORE_ERROR',
    });
    storeUp = true;
    expect(await runtime.plan()).toBe(1);
    await runtime.stop();
  });

  it('the ticker keeps ticking after a tick rejects', async () => {
    let ticks = 0;
    let resolveThird: () => void = () => {};
    const third = new Promise<void>((resolve) => {
      resolveThird = resolve;
    });
    const ticker = startTicker(async () => {
      ticks += 1;
      if (ticks === 3) resolveThird();
      if (ticks < 3) throw new VigilError('STORE_ERROR', 'connection terminated');
    }, 1);
    await third;
    await ticker.stop();
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it('rejects two kinds of one name', () => {
    const kind = pollKind(async () => ({ status: 'completed' }));
    const queue = new InProcessQueue({ now: () => start });
    const { logger } = captureLogger();
    expect(
      () =>
        new JobRuntime({
          queue,
          kinds: [kind, kind],
          logger,
          now: () => start,
          concurrency: 1,
          leaseMs: 1000,
        }),
    ).toThrow(RangeError);
  });
});
