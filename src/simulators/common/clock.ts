/**
 * The simulator's notion of "now": a base clock (the wall clock, or a test's fake one) plus an
 * offset that the admin API can move, so clients can be tested against skew and time passing
 * without anyone sleeping.
 */
export class SimClock {
  private offset = 0;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.offset;
  }

  get offsetMs(): number {
    return this.offset;
  }

  setOffset(offsetMs: number): void {
    this.offset = offsetMs;
  }

  advance(ms: number): void {
    this.offset += ms;
  }

  /** How far this clock is from the process wall clock (what `hawk` calls localtimeOffsetMsec). */
  offsetFromWallClock(): number {
    return this.now() - Date.now();
  }
}
