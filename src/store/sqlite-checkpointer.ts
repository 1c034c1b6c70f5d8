import { createRequire } from 'node:module';
import { lazyRequire } from '../lazy-require.ts';

/** Loaded on first use: only a long-running process starts a checkpointer (start-up, issue 11). */
const workerThreads = lazyRequire<typeof import('node:worker_threads')>('node:worker_threads');

/**
 * The worker's program (CommonJS, evaluated): a connection of its own to the database file that
 * runs a PASSIVE checkpoint every `intervalMs` and on each `'checkpoint'` message (answered with
 * SQLite's `[busy, log, checkpointed]`), until `'stop'`. PASSIVE never waits for the writer or the
 * readers: it copies what it can, and the next one copies the rest.
 */
const workerProgram = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, workerData.addon ? { nativeBinding: workerData.addon } : {});
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    return { result: [row.busy, row.log, row.checkpointed] };
  } catch (error) {
    return { error: String(error && error.message ? error.message : error) };
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') return parentPort.postMessage(checkpoint());
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** How long `stop` waits for the worker to close its connection before it terminates it (ms). */
const stopTimeoutMs = 2000;

export interface BackgroundCheckpointer {
  /**
   * Checkpoints now, in the worker; resolves with SQLite's `[busy, log, checkpointed]` frame
   * counts; rejects once the worker has stopped.
   */
  checkpointNow(): Promise<[number, number, number]>;
  /** Stops the worker (its connection closed); waits at most 2 s. */
  stop(): Promise<void>;
}

/**
 * Runs the WAL checkpoints of the SQLite database `file` in a worker thread (every `intervalMs`),
 * for a long-running process (`vigil serve`): a checkpoint copies the WAL back into the database
 * file, and run inside a commit on the event loop (SQLite's autocheckpoint) it stalled every
 * request for ~150 ms per 64 MiB written. The writer's autocheckpoint stays as the backstop.
 * `addon` is better-sqlite3's compiled addon (see sqlite-driver.ts).
 */
export function startBackgroundCheckpointer(
  file: string,
  options: { intervalMs: number; addon?: string },
): BackgroundCheckpointer {
  const worker = new (workerThreads().Worker)(workerProgram, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      file,
      addon: options.addon,
      intervalMs: options.intervalMs,
    },
  });
  // A checkpoint that fails (a busy database) is retried by the next; the backstop remains.
  worker.on('error', () => undefined);
  worker.unref();
  let running = true;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      running = false;
      resolve();
    }),
  );
  const checkpointOnce = () =>
    new Promise<[number, number, number]>((resolve, reject) => {
      const onExit = () => reject(new Error('WAL checkpoint failed: the checkpointer has stopped'));
      if (!running) {
        onExit();
        return;
      }
      worker.once('exit', onExit);
      worker.once('message', (message: { result?: [number, number, number]; error?: string }) => {
        worker.off('exit', onExit);
        if (message.result !== undefined) resolve(message.result);
        else reject(new Error(`WAL checkpoint failed: ${message.error ?? 'no answer'}`));
      });
      worker.postMessage('checkpoint');
    });
  let queue: Promise<void> = Promise.resolve();
  return {
    // One at a time: each waits for its own answer.
    checkpointNow: () => {
      const answer = queue.then(() => checkpointOnce());
      queue = answer.then(
        () => undefined,
        () => undefined,
      );
      return answer;
    },
    async stop() {
      if (!running) return;
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), stopTimeoutMs);
      });
      if ((await Promise.race([exited, timedOut])) === 'timeout') await worker.terminate();
      clearTimeout(timer);
    },
  };
}
