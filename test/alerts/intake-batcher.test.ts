import { describe, expect, it } from 'vitest';
import { type BatchTimer, intakeBatcher } from '../../src/alerts/intake-batcher.ts';

/** A write held open until the test releases it. */
interface HeldWrite {
  items: readonly string[];
  release(): void;
}

describe('intakeBatcher with maxConcurrentBatches', () => {
  it('writes up to that many batches at once; what arrives meanwhile forms the next one', async () => {
    const writes: HeldWrite[] = [];
    let fire: (() => void) | undefined;
    const timer: BatchTimer = (run) => {
      fire = run;
      return () => {
        fire = undefined;
      };
    };
    const batcher = intakeBatcher<string, string>({
      write: (items) =>
        new Promise((resolve) => {
          writes.push({ items, release: () => resolve(items.map((item) => `stored ${item}`)) });
        }),
      weight: () => 1,
      maxConcurrentBatches: 2,
      timer,
    });
    const first = batcher.submit('a');
    fire?.();
    const second = batcher.submit('b');
    fire?.();
    // Both slots write; these two wait for a slot.
    const third = batcher.submit('c');
    const fourth = batcher.submit('d');
    expect(fire).toBeUndefined();
    expect(writes.map((write) => write.items)).toEqual([['a'], ['b']]);
    expect(batcher.queuedAlerts).toBe(2);
    writes[1]?.release();
    expect(await second).toBe('stored b');
    // The freed slot takes the waiting items once the write's promise chain has ended.
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes.map((write) => write.items)).toEqual([['a'], ['b'], ['c', 'd']]);
    writes[2]?.release();
    writes[0]?.release();
    expect(await Promise.all([first, third, fourth])).toEqual(['stored a', 'stored c', 'stored d']);
    await batcher.close();
  });
});
