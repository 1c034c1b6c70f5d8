/**
 * When an integration's next sync is due (C9), and when a `running` run is taken for one whose
 * process died: the one due-slot rule and the one stale-run rule of both job back ends. Pure: the
 * caller passes the latest run, the time and the lease, so every rule is table-tested with an
 * injected clock.
 *
 * The rules, by the status of the integration's latest run:
 * - none: due at once (never synced);
 * - `success`, `partial`, `failure`: due one sync interval after that run *started*. A failed run
 *   counts as the interval's attempt: a vendor that refuses the key is not hammered, and the run
 *   history shows the failure (`vigil integrations sync` retries by hand);
 * - `running`: not due (one integration never syncs twice at once), unless it is stale
 *   (`staleRunningAfter`): then it is taken for a run whose process died and due at once;
 * - any other status (`aborted`, or a run cut off by its signal): its slot was not served, so due
 *   at once.
 */

import type { Integration } from '../integrations/config.ts';
import type { RunRecord } from '../store/types.ts';

/** The job lease unless configured: how long a job holder may go without renewing its lease. */
export const defaultLeaseMs = 3_600_000;

/**
 * The stale-run rule: how long a `running` run must have been running before it is taken for one
 * whose process died, as seen by a job that holds the integration (or a planner: the runtime plans
 * no job for an integration a live job holds).
 * - A retry (`attempt` > 0) takes it at once: the job's previous attempt lost its lease (its
 *   process died or was cut off), the queue lets no one else hold the integration, so the run is
 *   that attempt's own.
 * - Otherwise after two leases: a live job holder renews its lease, so a run that old which no job
 *   holds was started outside the runtime (a CLI sync) by a process that died — or is still
 *   running, and then the store's run lock turns the new sync into `SYNC_IN_PROGRESS`.
 */
export function staleRunningAfter(leaseMs: number, attempt: number): number {
  return attempt > 0 ? 0 : 2 * leaseMs;
}

/** The stale time of the default lease (two hours). */
export const defaultStaleRunningMs = staleRunningAfter(defaultLeaseMs, 0);

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

/** The statuses of a run that served its slot (the next one is due an interval later). */
const servedStatuses: ReadonlySet<string> = new Set(['success', 'partial', 'failure']);

/** Decides whether an integration whose latest run is `latest` is due at `now` (rules above). */
export function decideSync(
  intervalMs: number,
  latest: LatestRun | undefined,
  now: number,
  policy: DuePolicy = { staleRunningAfterMs: defaultStaleRunningMs },
): SyncDecision {
  if (latest === undefined) return { due: true, reason: 'never-synced', dueSince: 0, after: null };
  const started = Date.parse(latest.startedAt);
  if (!servedStatuses.has(latest.status) && latest.status !== 'running') {
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

/**
 * The due slot a sync fills: the run it follows and how many whole intervals have passed since
 * it became due (an integration left unserved for a whole interval gets a fresh slot). Every
 * process that notices the same due sync names the same slot, so a job keyed by it is sent once.
 */
export function dueSlot({ integration, decision }: DueIntegration, now: number): string {
  return slotOf(decision, Date.parse(integration.createdAt), syncIntervalMs(integration), now);
}

/**
 * The due slot of any periodic thing (an integration's sync, a monitor's run) that `decideSync`
 * found due: `<run it follows | first>#<whole intervals since it became due>`, counted from its
 * creation (`createdAtMs`) when it never ran.
 */
export function slotOf(
  decision: Extract<SyncDecision, { due: true }>,
  createdAtMs: number,
  intervalMs: number,
  now: number,
): string {
  const since = decision.dueSince > 0 ? decision.dueSince : createdAtMs;
  const intervals = Math.max(0, Math.floor((now - since) / intervalMs));
  return `${decision.after ?? 'first'}#${intervals}`;
}
