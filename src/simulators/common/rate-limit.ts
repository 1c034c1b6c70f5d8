/** The outcome of asking a limiter for one request. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until one more request would be allowed (0 when allowed now). */
  resetMs: number;
}

/**
 * A rolling-window limiter: at most `limit` requests per key in any `windowMs` span.
 * A limit of 0 disables limiting. Time comes from `now` so tests can move it.
 */
export class RollingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private limit: number,
    private readonly now: () => number,
    private readonly windowMs = 60_000,
  ) {}

  get perWindow(): number {
    return this.limit;
  }

  setLimit(limit: number): void {
    this.limit = limit;
    this.hits.clear();
  }

  take(key: string): RateDecision {
    if (this.limit <= 0) return { allowed: true, limit: 0, remaining: 0, resetMs: 0 };
    const now = this.now();
    const hits = this.hits.get(key) ?? [];
    while (hits.length > 0 && (hits[0] ?? 0) <= now - this.windowMs) hits.shift();
    if (hits.length >= this.limit) {
      const resetMs = Math.max(1, (hits[0] ?? now) + this.windowMs - now);
      this.hits.set(key, hits);
      return { allowed: false, limit: this.limit, remaining: 0, resetMs };
    }
    hits.push(now);
    this.hits.set(key, hits);
    return { allowed: true, limit: this.limit, remaining: this.limit - hits.length, resetMs: 0 };
  }
}
