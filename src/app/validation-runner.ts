import type { Logger } from 'pino';
import { InProcessQueue } from '../jobs/in-process.ts';
import { validationPollJobKind } from '../jobs/kinds/validation-poll.ts';
import { JobRuntime } from '../jobs/runtime.ts';
import type { ValidationReport } from './validation-report.ts';
import type { Vigil } from './vigil.ts';

export interface InProcessPollOptions {
  logger: Logger;
  /** How often polls are planned and the validations read back (ms). */
  tickMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called with the reports after every tick (progress output). */
  onReports?: (reports: ValidationReport[]) => void;
}

/**
 * Drives the polls of validations in this process until each has its verdicts (`vigil validate
 * run|record|import --wait` when no `vigil serve` runs): a job runtime of the validation poll kind
 * alone, over an in-process queue and the store's job ledger. The ledger makes it safe beside a
 * `vigil serve` on the same SQLite database (a poll's key is sent by one of them only, and the
 * store records a poll once in any case). Returns the final reports.
 */
export async function runPollsInProcess(
  vigil: Vigil,
  ids: readonly string[],
  options: InProcessPollOptions,
): Promise<ValidationReport[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const queue = new InProcessQueue({ now, pollMs: options.tickMs, ledger: vigil.jobs.ledger });
  const runtime = new JobRuntime({
    queue,
    kinds: [validationPollJobKind(vigil.jobs.validation)],
    logger: options.logger,
    now,
    concurrency: 4,
    leaseMs: 60_000,
  });
  await runtime.start(options.tickMs);
  try {
    for (;;) {
      const reports = await Promise.all(ids.map((id) => vigil.validations.show(id)));
      options.onReports?.(reports);
      if (reports.every((report) => report.status === 'complete')) return reports;
      await sleep(options.tickMs);
    }
  } finally {
    await runtime.stop();
  }
}
