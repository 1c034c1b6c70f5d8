import { VigilError } from '../errors.ts';

/**
 * Group commit for the webhook intake: deliveries arriving together are written in one batch (one
 * transaction and one bulk job insert) instead of one commit each. A delivery's promise settles only
 * once its batch was written: resolved with its own result after the commit (so its 2xx follows
 * its durability), or rejected with the batch's error (a failed batch wrote nothing; every
 * delivery in it fails). The queue of deliveries waiting for a batch is bounded: past the bound,
 * `submit` refuses at once with INTAKE_BUSY (503, `retryAfterMs`), so memory never grows without
 * limit under overload. The timer is injected, so tests step it by hand.
 */

/**
 * Schedules `run` after `ms`; returns how to cancel it. Production: `setTimeout`, or `setImmediate`
 * for 0 (after the I/O of this event-loop turn: the deliveries read with this one join its batch).
 */
export type BatchTimer = (run: () => void, ms: number) => () => void;

export const realTimer: BatchTimer = (run, ms) => {
  if (ms <= 0) {
    const immediate = setImmediate(run);
    return () => clearImmediate(immediate);
  }
  const handle = setTimeout(run, ms);
  return () => clearTimeout(handle);
};

export interface IntakeBatcherOptions<Item, Result> {
  /** Writes one batch, all or nothing, and returns one result per item, in order. */
  write(items: readonly Item[]): Promise<Result[]>;
  /** How many alerts (`weight`) an item carries. */
  weight(item: Item): number;
  /**
   * The longest an item waits for its batch to start when no batch is being written (ms). Default
   * 0: the batch starts once the event loop has read what arrived with the item (a timer would
   * only add its delay to every answer: under load, what arrives during a write forms the next batch).
   */
  maxDelayMs?: number;
  /**
   * Batches written at once (default 1). More suit a database whose commit waits on I/O while
   * connections are free (PostgreSQL): batches then overlap instead of queueing behind one commit.
   * Each batch is still all or nothing; two overlapping batches naming one new alert store it once
   * (the store's insert is idempotent by key) and the later counts it a duplicate.
   */
  maxConcurrentBatches?: number;
  /** A batch is written at once when it holds this many alerts (default 500). */
  maxBatchAlerts?: number;
  /** Alerts that may wait for a batch; beyond, `submit` refuses with INTAKE_BUSY (default 20 000). */
  maxQueuedAlerts?: number;
  /** The `Retry-After` a refused delivery is given (ms, default 1000). */
  retryAfterMs?: number;
  timer?: BatchTimer;
}

interface Waiting<Item, Result> {
  item: Item;
  weight: number;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

export interface IntakeBatcher<Item, Result> {
  /** Queues `item` for the next batch; settles once that batch is written (or failed). */
  submit(item: Item): Promise<Result>;
  /** Alerts waiting for a batch now (not counting the batches being written). */
  readonly queuedAlerts: number;
  /** Refuses new items, writes every queued one, and resolves when the last batch has ended. */
  close(): Promise<void>;
}

/**
 * A batcher writing up to `maxConcurrentBatches` batches at a time: what arrives while they are all
 * being written forms the next one.
 */
export function intakeBatcher<Item, Result>(
  options: IntakeBatcherOptions<Item, Result>,
): IntakeBatcher<Item, Result> {
  const maxDelayMs = options.maxDelayMs ?? 0;
  const maxBatchAlerts = options.maxBatchAlerts ?? 500;
  const maxConcurrentBatches = options.maxConcurrentBatches ?? 1;
  const maxQueuedAlerts = options.maxQueuedAlerts ?? 20_000;
  const retryAfterMs = options.retryAfterMs ?? 1000;
  const timer = options.timer ?? realTimer;
  let queue: Waiting<Item, Result>[] = [];
  let queued = 0;
  /** The batches being written. */
  const writing = new Set<Promise<void>>();
  let cancelTimer: (() => void) | undefined;
  let closed = false;

  /** Takes up to `maxBatchAlerts` alerts' worth of items (at least one item) off the queue. */
  const takeBatch = (): Waiting<Item, Result>[] => {
    let weight = 0;
    let count = 0;
    while (count < queue.length && (count === 0 || weight + (queue[count]?.weight ?? 0) <= maxBatchAlerts)) {
      weight += queue[count]?.weight ?? 0;
      count += 1;
    }
    const batch = queue.slice(0, count);
    queue = queue.slice(count);
    queued -= weight;
    return batch;
  };

  const writeBatch = async (batch: Waiting<Item, Result>[]): Promise<void> => {
    try {
      const results = await options.write(batch.map((waiting) => waiting.item));
      if (results.length !== batch.length)
        throw new VigilError('INTERNAL_ERROR', 'A webhook batch write returned the wrong number of results.');
      for (const [index, waiting] of batch.entries()) waiting.resolve(results[index] as Result);
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  };

  /** Starts writing the next batch unless every slot is writing one; chains on while items wait. */
  const flush = (): void => {
    cancelTimer?.();
    cancelTimer = undefined;
    if (writing.size >= maxConcurrentBatches || queue.length === 0) return;
    const written: Promise<void> = writeBatch(takeBatch()).finally(() => {
      writing.delete(written);
      // What arrived meanwhile has waited a whole write already: it goes at once.
      if (queue.length > 0) flush();
    });
    writing.add(written);
  };

  return {
    get queuedAlerts() {
      return queued;
    },
    submit(item) {
      if (closed) {
        return Promise.reject(
          new VigilError('INTAKE_BUSY', 'The webhook intake is shutting down.', {
            hint: 'Threat Stack retries the delivery; it will reach another or the restarted server.',
            details: { retryAfterMs },
          }),
        );
      }
      const weight = Math.max(1, options.weight(item));
      if (queued > 0 && queued + weight > maxQueuedAlerts) {
        return Promise.reject(
          new VigilError('INTAKE_BUSY', `The webhook intake has ${queued} alerts waiting to be stored.`, {
            hint: 'Retry after the Retry-After seconds; Threat Stack retries by itself.',
            details: { retryAfterMs },
          }),
        );
      }
      return new Promise<Result>((resolve, reject) => {
        queue.push({ item, weight, resolve, reject });
        queued += weight;
        if (writing.size >= maxConcurrentBatches) return;
        if (queued >= maxBatchAlerts) flush();
        else cancelTimer ??= timer(flush, maxDelayMs);
      });
    },
    async close() {
      closed = true;
      flush();
      while (writing.size > 0) await Promise.all(writing);
    },
  };
}
