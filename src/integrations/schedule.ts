/**
 * When an integration's next sync is due (C9). Pure: the caller passes the latest run and the
 * time, so every rule is table-tested with an injected clock.
 *
 * The rules, by the status of the integration's latest run:
 * - none: due at once (never synced);
 * - `success`, `partial`, `failure`: due one sync interval after that run *started*. A failed run
 *   counts as the interval's attempt: a vendor that refuses the key is not hammered, and the run
 *   history shows the failure (`vigil integrations sync` retries by hand);
 * - `aborted`: the process running it died, so its slot was not served: due at once;
 * - `running`: not due (one integration never syncs twice at once), unless it has been running for
 *   `staleRunningAfterMs`: then it is taken for a run whose process died (no process can tell a
 *   crashed run from a live one in the store) and due at once. The embedded scheduler waits
 *   `defaultStaleRunningMs`; a queue worker that holds the integration's job after its previous
 *   attempt died passes 0.
 */
import type { RunRecord } from '../store/types.ts';
import type { Integration } from './config.ts';

/** How long a run may stay `running` before the scheduler takes it for one whose process died. */
export const defaultStaleRunningMs = 2 * 3_600_000;

/** The latest run, as much of it as the decision reads. */
export type LatestRun = Pick<RunRecord, 'id' | 'status' | 'startedAt'>;

export type SyncDecision =
  | {
      due: true;
      reason: 'never-synced' | 'interval-elapsed' | 'previous-run-interrupted';
      /** Since when it is due (ms since the epoch; 0 when never synced): the most overdue go first. */
      dueSince: number;
      /** The run this sync follows (null for the first): with `dueSince`, it names the due slot. */
      after: string | null;
    }
  | {
      due: false;
      reason: 'running' | 'waiting';
      /** When it becomes due, unless another run starts first. */
      dueAt: number;
    };

export interface DuePolicy {
  /** A run `running` for this long (ms) counts as interrupted; with 0, every `running` run does. */
  staleRunningAfterMs: number;
}

/** The sync interval of an integration, in ms (its config's `syncIntervalSeconds`). */
export function syncIntervalMs(integration: Pick<Integration, 'config'>): number {
  return integration.config.syncIntervalSeconds * 1000;
}

/** Decides whether an integration whose latest run is `latest` is due at `now` (rules above). */
export function decideSync(
  intervalMs: number,
  latest: LatestRun | undefined,
  now: number,
  policy: DuePolicy = { staleRunningAfterMs: defaultStaleRunningMs },
): SyncDecision {
  if (latest === undefined) return { due: true, reason: 'never-synced', dueSince: 0, after: null };
  const started = Date.parse(latest.startedAt);
  if (latest.status === 'aborted') {
    return { due: true, reason: 'previous-run-interrupted', dueSince: started, after: latest.id };
  }
  if (latest.status === 'running') {
    const staleAt = started + policy.staleRunningAfterMs;
    return now >= staleAt
      ? { due: true, reason: 'previous-run-interrupted', dueSince: staleAt, after: latest.id }
      : { due: false, reason: 'running', dueAt: staleAt };
  }
  const dueAt = started + intervalMs;
  return now >= dueAt
    ? { due: true, reason: 'interval-elapsed', dueSince: dueAt, after: latest.id }
    : { due: false, reason: 'waiting', dueAt };
}

export interface DueIntegration {
  integration: Integration;
  decision: Extract<SyncDecision, { due: true }>;
}

/**
 * The integrations due at `now`, most overdue first (never synced, then by `dueSince`, then by
 * name), reading each one's latest run through `latestRun`.
 */
export async function findDueIntegrations(
  integrations: readonly Integration[],
  latestRun: (integrationId: string) => Promise<LatestRun | undefined>,
  now: number,
  policy?: DuePolicy,
): Promise<DueIntegration[]> {
  const due: DueIntegration[] = [];
  for (const integration of integrations) {
    const decision = decideSync(syncIntervalMs(integration), await latestRun(integration.id), now, policy);
    if (decision.due) due.push({ integration, decision });
  }
  return due.sort(
    (a, b) =>
      a.decision.dueSince - b.decision.dueSince || a.integration.name.localeCompare(b.integration.name),
  );
}
