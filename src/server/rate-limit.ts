/** The outcome of asking the limiter for one request. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateLimitOptions {
  /** Requests a client may make at once (the bucket's size). */
  burst: number;
  /** Requests per second the bucket refills with. */
  perSecond: number;
  /** Milliseconds since the epoch; injected in tests. */
  now: () => number;
}

/**
 * A token bucket per key (an API token's id), in memory: each request takes one unit; the bucket
 * refills continuously up to `burst`. Per process: behind a load balancer each process limits alone.
 * Memory is bounded by the number of distinct keys, i.e. of API tokens.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { units: number; at: number }>();

  constructor(private readonly options: RateLimitOptions) {}

  take(key: string): RateDecision {
    const { burst, perSecond, now } = this.options;
    const at = now();
    const previous = this.buckets.get(key) ?? { units: burst, at };
    const units = Math.min(burst, previous.units + ((at - previous.at) / 1000) * perSecond);
    if (units >= 1) {
      this.buckets.set(key, { units: units - 1, at });
      return { allowed: true };
    }
    this.buckets.set(key, { units, at });
    return { allowed: false, retryAfterMs: Math.ceil(((1 - units) / perSecond) * 1000) };
  }
}
