/** The time seams a rate budget waits with; tests pass a fake clock and a `sleep` that moves it. */
export interface BudgetClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** Call once the request's response has arrived; it stamps the slot with the finish time. */
export type ReleaseSlot = () => void;

const noop: ReleaseSlot = () => {};

/**
 * A client-side request budget: at most `perWindow` requests in any rolling `windowMs` span, so
 * that a healthy sync stays under the server's limit and never sees a 429. `perWindow` 0 turns
 * it off.
 *
 * A slot is stamped when the request starts and re-stamped when its response arrives: the
 * server counted the request somewhere in between, so keeping the later time makes the client's
 * window expire no earlier than the server's, whatever the latency.
 */
export class RateBudget {
  private readonly slots: Array<{ at: number }> = [];

  constructor(
    readonly perWindow: number,
    private readonly clock: BudgetClock,
    readonly windowMs = 60_000,
  ) {}

  /** Waits (with the injected `sleep`, telling `onWait` first) until one more request fits, then takes the slot. */
  async acquire(onWait?: (ms: number) => void): Promise<ReleaseSlot> {
    if (this.perWindow <= 0) return noop;
    for (;;) {
      const now = this.clock.now();
      this.prune(now);
      if (this.slots.length < this.perWindow) {
        const slot = { at: now };
        this.slots.push(slot);
        return () => {
          slot.at = Math.max(slot.at, this.clock.now());
        };
      }
      const oldest = this.slots.reduce((min, slot) => Math.min(min, slot.at), Number.POSITIVE_INFINITY);
      const waitMs = Math.max(1, oldest + this.windowMs - now);
      onWait?.(waitMs);
      await this.clock.sleep(waitMs);
    }
  }

  /** Requests counted in the current window (for logs and tests). */
  inWindow(): number {
    this.prune(this.clock.now());
    return this.slots.length;
  }

  private prune(now: number): void {
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const slot = this.slots[i];
      if (slot !== undefined && slot.at <= now - this.windowMs) this.slots.splice(i, 1);
    }
  }
}
