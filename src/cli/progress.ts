import type cliProgress from 'cli-progress';
import { describeWait, type WaitEvent } from '../connectors/http/waits.ts';
import { lazyRequire } from '../lazy-require.ts';
import type { StepResult, SyncObserver } from '../sync/types.ts';
import { countOf, formatDuration, truncate } from './table.ts';

/** cli-progress, loaded by the first terminal display. */
const progressModule = lazyRequire<typeof cliProgress>('cli-progress');

/** What the CLI hands a sync: the observer, the clients' wait hook, and where log lines go. */
export interface SyncProgress extends SyncObserver {
  /** Told before a client waits (its request budget, a vendor 429, a backoff). */
  onWait(event: WaitEvent): void;
  /** Prints a line (a log line) without breaking the display. */
  log(line: string): void;
  stop(): void;
}

/**
 * On a terminal: one bar line, redrawn, that fits 80 columns — the step with its items and the
 * requests made, or, while the client waits, why and how long; log lines print above it.
 */
function terminalProgress(stream: NodeJS.WriteStream): SyncProgress {
  const { MultiBar, Presets } = progressModule();
  const bars = new MultiBar(
    {
      stream,
      format: '{bar} {value}/{total} {step} · {detail}',
      barsize: 8,
      hideCursor: true,
      clearOnComplete: false,
      linewrap: false,
    },
    Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  let readCounters: () => Record<string, number> = () => ({});
  let items = 0;
  const payload = { step: '', detail: '' };
  const counts = () => `${countOf(items, 'item')} · ${countOf(readCounters().requests ?? 0, 'request')}`;
  const redraw = (update: Partial<typeof payload>) => {
    Object.assign(payload, update);
    bar?.update(payload);
  };
  return {
    clientCounters(read) {
      readCounters = read;
    },
    stepStarted(step, index, count) {
      items = 0;
      bar ??= bars.create(count, index, payload);
      redraw({ step: step.name, detail: counts() });
    },
    stepProgress(_step, stepItems) {
      items = stepItems;
      redraw({ detail: counts() });
    },
    stepFinished(result) {
      bars.log(`${truncate(stepLine(result), (stream.columns ?? 80) - 1)}\n`);
      bar?.increment();
    },
    onWait(event) {
      redraw({ detail: describeWait(event) });
    },
    log: (line) => bars.log(`${line}\n`),
    stop: () => bars.stop(),
  };
}

/** One finished step as people read it: `agents: success, 1 item in 120 ms`. */
function stepLine(result: StepResult): string {
  const error = result.error ? ` — ${result.error.code}: ${result.error.message}` : '';
  const items =
    result.status === 'skipped'
      ? ''
      : `, ${countOf(result.items, 'item')} in ${formatDuration(result.durationMs)}`;
  return `${result.name}: ${result.status}${items}${error}`;
}

/** Elsewhere (logs, CI): plain lines, one per step and per wait of a second or more. */
function lineProgress(stream: NodeJS.WritableStream): SyncProgress {
  let total = 0;
  let position = 0;
  return {
    stepStarted(step, index, count) {
      total = count;
      position = index + 1;
      stream.write(`[${position}/${total}] ${step.name} …\n`);
    },
    stepProgress() {},
    stepFinished(result) {
      stream.write(`[${position}/${total}] ${stepLine(result)}\n`);
    },
    onWait(event) {
      if (event.ms >= 1000) stream.write(`[${position}/${total}] ${describeWait(event)}\n`);
    },
    log: (line) => stream.write(`${line}\n`),
    stop() {},
  };
}

/**
 * Shows a sync's progress on stderr: on a terminal a bar with the step, its items, the requests
 * made and why the client waits when it does ("waiting 38 s for the request budget"); plain lines
 * otherwise. Call `stop()` when the sync ends.
 */
export function syncProgress(stream: NodeJS.WriteStream = process.stderr): SyncProgress {
  return stream.isTTY ? terminalProgress(stream) : lineProgress(stream);
}
