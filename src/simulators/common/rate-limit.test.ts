import { describe, expect, it } from 'vitest';
import { RollingWindowLimiter } from './rate-limit.ts';

/** A limiter whose clock the test sets by hand. */
function limiter(limit: number, windowMs?: number) {
  const clock = { ms: 1_000_000 };
  const at = (offsetMs: number) => {
    clock.ms = 1_000_000 + offsetMs;
  };
  return { limiter: new RollingWindowLimiter(limit, () => clock.ms, windowMs), at };
}

describe('RollingWindowLimiter', () => {
  it('allows `limit` requests, counting remaining down, then refuses with the exact wait', () => {
    const { limiter: l, at } = limiter(3);
    at(0);
    expect(l.take('org')).toEqual({ allowed: true, limit: 3, remaining: 2, resetMs: 0 });
    at(10_000);
    expect(l.take('org')).toEqual({ allowed: true, limit: 3, remaining: 1, resetMs: 0 });
    at(20_000);
    expect(l.take('org')).toEqual({ allowed: true, limit: 3, remaining: 0, resetMs: 0 });
    at(30_000);
    // The oldest hit (t=0) leaves the window at t=60 000.
    expect(l.take('org')).toEqual({ allowed: false, limit: 3, remaining: 0, resetMs: 30_000 });
    at(59_999);
    expect(l.take('org')).toEqual({ allowed: false, limit: 3, remaining: 0, resetMs: 1 });
  });

  it('rolls: each hit frees its slot exactly one window after it was taken', () => {
    const { limiter: l, at } = limiter(3);
    for (const t of [0, 10_000, 20_000]) {
      at(t);
      expect(l.take('org').allowed).toBe(true);
    }
    at(60_000);
    expect(l.take('org')).toEqual({ allowed: true, limit: 3, remaining: 0, resetMs: 0 });
    at(60_001);
    // Now the hits are at 10 000, 20 000 and 60 000: the next slot frees at 70 000.
    expect(l.take('org')).toEqual({ allowed: false, limit: 3, remaining: 0, resetMs: 9_999 });
    at(70_000);
    expect(l.take('org').allowed).toBe(true);
    at(70_000);
    expect(l.take('org').allowed).toBe(false);
  });

  it('refused requests do not use up the window', () => {
    const { limiter: l, at } = limiter(1);
    at(0);
    expect(l.take('org').allowed).toBe(true);
    for (let t = 1; t < 60_000; t += 5_000) {
      at(t);
      expect(l.take('org').allowed).toBe(false);
    }
    at(60_000);
    expect(l.take('org')).toEqual({ allowed: true, limit: 1, remaining: 0, resetMs: 0 });
  });

  it('keeps each key independent', () => {
    const { limiter: l, at } = limiter(2);
    at(0);
    l.take('a');
    l.take('a');
    expect(l.take('a').allowed).toBe(false);
    expect(l.take('b')).toEqual({ allowed: true, limit: 2, remaining: 1, resetMs: 0 });
    at(5_000);
    expect(l.take('b')).toEqual({ allowed: true, limit: 2, remaining: 0, resetMs: 0 });
    expect(l.take('b')).toEqual({ allowed: false, limit: 2, remaining: 0, resetMs: 55_000 });
    expect(l.take('a')).toEqual({ allowed: false, limit: 2, remaining: 0, resetMs: 55_000 });
  });

  it('honours a custom window', () => {
    const { limiter: l, at } = limiter(1, 1_000);
    at(0);
    expect(l.take('k').allowed).toBe(true);
    at(400);
    expect(l.take('k')).toEqual({ allowed: false, limit: 1, remaining: 0, resetMs: 600 });
    at(1_000);
    expect(l.take('k').allowed).toBe(true);
  });

  it('a limit of 0 is unlimited', () => {
    const { limiter: l, at } = limiter(0);
    at(0);
    for (let i = 0; i < 10_000; i++) expect(l.take('org').allowed).toBe(true);
    expect(l.take('org')).toEqual({ allowed: true, limit: 0, remaining: 0, resetMs: 0 });
    expect(l.perWindow).toBe(0);
  });

  it('setLimit changes the limit and starts every key afresh', () => {
    const { limiter: l, at } = limiter(1);
    at(0);
    expect(l.perWindow).toBe(1);
    l.take('org');
    expect(l.take('org').allowed).toBe(false);

    l.setLimit(3);
    expect(l.perWindow).toBe(3);
    expect(l.take('org')).toEqual({ allowed: true, limit: 3, remaining: 2, resetMs: 0 });
    l.take('org');
    l.take('org');
    expect(l.take('org').allowed).toBe(false);

    l.setLimit(0);
    expect(l.take('org')).toEqual({ allowed: true, limit: 0, remaining: 0, resetMs: 0 });

    l.setLimit(1);
    at(1);
    expect(l.take('org')).toEqual({ allowed: true, limit: 1, remaining: 0, resetMs: 0 });
    expect(l.take('org')).toEqual({ allowed: false, limit: 1, remaining: 0, resetMs: 60_000 });
  });
});
