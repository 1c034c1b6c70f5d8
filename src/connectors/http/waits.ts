/** Why a client is about to wait: the vendor's 429, its own request budget, or backoff after a failure. */
export type WaitReason = 'rate-limit' | 'budget' | 'backoff';

/** Told before every wait of a client, so a progress display can say why a sync is idle. */
export interface WaitEvent {
  reason: WaitReason;
  ms: number;
  method: string;
  path: string;
}

/** One line for a progress display: "waiting 12 s for the vendor's rate limit". */
export function describeWait(event: WaitEvent): string {
  const seconds = Math.max(1, Math.ceil(event.ms / 1000));
  const why =
    event.reason === 'rate-limit'
      ? "the vendor's rate limit"
      : event.reason === 'budget'
        ? 'the request budget'
        : 'a retry after a failure';
  return `waiting ${seconds} s for ${why}`;
}

/**
 * The 429 waits one listing (or one lone request) may still spend: no single wait above
 * `maxSingleMs`, and no more than `maxTotalMs` in all. A bogus `Retry-After` therefore fails the
 * step quickly with PROVIDER_RATE_LIMITED instead of stalling it for hours.
 */
export class WaitAllowance {
  private spentMs = 0;

  constructor(
    readonly maxSingleMs: number,
    readonly maxTotalMs: number,
  ) {}

  /** Null when `ms` may be waited (and counts it); otherwise why not, for the error message. */
  take(ms: number): string | null {
    if (ms > this.maxSingleMs) {
      return `the vendor asked to wait ${seconds(ms)} s, more than the ${seconds(this.maxSingleMs)} s allowed for one wait (maxRateLimitWaitMs)`;
    }
    if (this.spentMs + ms > this.maxTotalMs) {
      return `waiting ${seconds(ms)} s more would exceed the ${seconds(this.maxTotalMs)} s allowed in all for one listing (maxTotalRateLimitWaitMs)`;
    }
    this.spentMs += ms;
    return null;
  }
}

function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/** What a client counts of its waits, beside its vendor 429 answers. */
export interface WaitStats {
  /** Time spent waiting out the vendor's 429s. */
  rateLimitWaitMs: number;
  /** Times a request waited for the client's own request budget, and for how long in all. */
  budgetWaits: number;
  budgetWaitMs: number;
}

/** Counts one wait into `stats` (backoff after failures is counted as retries elsewhere). */
export function countWait(stats: WaitStats, reason: WaitReason, ms: number): void {
  if (reason === 'budget') {
    stats.budgetWaits++;
    stats.budgetWaitMs += ms;
  } else if (reason === 'rate-limit') {
    stats.rateLimitWaitMs += ms;
  }
}
