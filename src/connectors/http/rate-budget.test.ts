import { describe, expect, it } from 'vitest';
import { RateBudget } from './rate-budget.ts';

function fakeTime(start = 1_000_000) {
  const time = { ms: start, sleeps: [] as number[] };
  return {
    time,
    clock: {
      now: () => time.ms,
      sleep: async (ms: number) => {
        time.sleeps.push(ms);
        time.ms += ms;
      },
    },
  };
}

describe('RateBudget', () => {
  it('lets N requests through at once, then waits for the oldest to leave the window', async () => {
    const { time, clock } = fakeTime();
    const budget = new RateBudget(3, clock);
    for (let i = 0; i < 3; i++) (await budget.acquire())();
    expect(time.sleeps).toEqual([]);
    time.ms += 10_000;
    (await budget.acquire())();
    expect(time.sleeps).toEqual([50_000]);
    expect(budget.inWindow()).toBe(1);
  });

  it('is off at 0', async () => {
    const { time, clock } = fakeTime();
    const budget = new RateBudget(0, clock);
    for (let i = 0; i < 1_000; i++) (await budget.acquire())();
    expect(time.sleeps).toEqual([]);
  });

  it('keeps a slot until its response arrived, so slow responses cannot let the client outrun the server', async () => {
    const { time, clock } = fakeTime();
    const budget = new RateBudget(1, clock);
    const release = await budget.acquire();
    time.ms += 5_000; // the response takes 5 s; the server counted the request somewhere in between
    release();
    (await budget.acquire())();
    expect(time.sleeps).toEqual([60_000]);
  });

  it('never lets more than N requests into any rolling window', async () => {
    const { time, clock } = fakeTime();
    const budget = new RateBudget(5, clock);
    const sent: number[] = [];
    for (let i = 0; i < 60; i++) {
      time.ms += (i * 7_919) % 9_000;
      const release = await budget.acquire();
      sent.push(time.ms);
      release();
    }
    // A server window (t − 60 s, t] ending at any request holds at most 5 requests.
    const busiest = Math.max(...sent.map((t) => sent.filter((s) => s > t - 60_000 && s <= t).length));
    expect(busiest).toBe(5);
  });
});
