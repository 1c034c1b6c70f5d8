import { VigilError } from '../errors.ts';
import type { RunLock } from './types.ts';

/** Takes an integration's run lock, or returns undefined when it is held (see `RunLog.acquireRunLock`). */
export type RunLocker = (integrationId: string) => Promise<RunLock | undefined>;

/** The abort reason of a lost run lock: the run stops between batches and ends `interrupted`. */
export function lostRunLock(integrationId: string, why: string): VigilError {
  return new VigilError('SYNC_INTERRUPTED', `The run lock of integration ${integrationId} was lost: ${why}`, {
    hint: 'The run stopped writing and kept what it wrote; the next sync completes the graph.',
  });
}
