import cliProgress from 'cli-progress';
import type { StepResult, SyncObserver } from '../sync/types.ts';
import { formatDuration } from './table.ts';

/**
 * Shows a sync's progress on stderr: a bar over the steps with the current step's item count on
 * a TTY, plain lines otherwise (logs, CI). Call `stop()` when the sync ends.
 */
export function syncProgress(stream: NodeJS.WriteStream = process.stderr): SyncObserver & { stop(): void } {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: 'Syncing {bar} {value}/{total} steps | {step} | {items} items',
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      stepStarted(step, index, count) {
        if (!started) bar.start(count, index, { step: step.name, items: 0 });
        started = true;
        bar.update(index, { step: step.name, items: 0 });
      },
      stepProgress(_step, items) {
        bar.update({ items: items.toLocaleString('en-US') });
      },
      stepFinished() {
        bar.increment();
      },
      stop: () => bar.stop(),
    };
  }
  let total = 0;
  let position = 0;
  return {
    stepStarted(step, index, count) {
      total = count;
      position = index + 1;
      stream.write(`[${position}/${total}] ${step.name} …\n`);
    },
    stepProgress() {},
    stepFinished(result: StepResult) {
      const error = result.error ? ` — ${result.error.code}: ${result.error.message}` : '';
      stream.write(
        `[${position}/${total}] ${result.name}: ${result.status}, ${result.items.toLocaleString('en-US')} items in ${formatDuration(result.durationMs)}${error}\n`,
      );
    },
    stop() {},
  };
}
