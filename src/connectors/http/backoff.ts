/** How long to wait between attempts that failed for a retryable reason. */
export interface BackoffPolicy {
  /** The ceiling of the first retry's delay; each further retry doubles it. */
  baseMs: number;
  /** No delay ever exceeds this. */
  capMs: number;
}

/** Starts at ~2 s and stops growing at 60 s, as the observed Threat Stack clients do (spec §3). */
export const defaultBackoff: BackoffPolicy = { baseMs: 2_000, capMs: 60_000 };

/** Added to a server-given retry-after, so the retry lands after the window has really moved. */
export const RETRY_AFTER_MARGIN_MS = 250;

/**
 * "Full jitter" exponential backoff: a uniformly random delay in
 * `[0, min(capMs, baseMs · 2^retry))` for the `retry`-th retry (0-based). `random` returns a
 * number in [0, 1) and is injected so tests are deterministic. Jitter spreads the retries of
 * many clients so that they do not hammer a recovering server in lock-step.
 */
export function fullJitterDelay(retry: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry));
  const drawn = random();
  const roll = Number.isFinite(drawn) ? Math.min(Math.max(drawn, 0), 1) : 0;
  return Math.floor(roll * ceiling);
}

/**
 * The delay before retrying a rate-limited request: the server's retry-after plus a margin when
 * the server gave one (capped at 10 minutes so a bogus header cannot stall a sync for hours),
 * else full-jitter backoff.
 */
export function rateLimitDelay(
  retryAfterMs: number | undefined,
  retry: number,
  policy: BackoffPolicy,
  random: () => number,
): number {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs < 0) {
    return fullJitterDelay(retry, policy, random);
  }
  return Math.min(Math.ceil(retryAfterMs), 600_000) + RETRY_AFTER_MARGIN_MS;
}
