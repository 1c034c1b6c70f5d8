import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fullJitterDelay, RETRY_AFTER_MARGIN_MS, rateLimitDelay } from './backoff.ts';

const policy = { baseMs: 1_000, capMs: 8_000 };

describe('fullJitterDelay', () => {
  it('draws uniformly below base · 2^retry, capped', () => {
    expect([0, 1, 2, 3, 4, 10].map((retry) => fullJitterDelay(retry, policy, () => 0.999_999))).toEqual([
      999, 1_999, 3_999, 7_999, 7_999, 7_999,
    ]);
    expect(fullJitterDelay(2, policy, () => 0.5)).toBe(2_000);
    expect(fullJitterDelay(5, policy, () => 0)).toBe(0);
    expect(fullJitterDelay(5, policy, () => Number.NaN)).toBe(0);
  });

  it('stays within [0, cap) for any retry and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, roll) => {
          const delay = fullJitterDelay(retry, policy, () => roll);
          return Number.isInteger(delay) && delay >= 0 && delay < policy.capMs;
        },
      ),
    );
  });
});

describe('rateLimitDelay', () => {
  it('honours the server retry-after plus a margin', () => {
    expect(rateLimitDelay(1_500, 0, policy, () => 0.5)).toBe(1_500 + RETRY_AFTER_MARGIN_MS);
    expect(rateLimitDelay(0, 3, policy, () => 0.5)).toBe(RETRY_AFTER_MARGIN_MS);
    expect(rateLimitDelay(12.2, 0, policy, () => 0.5)).toBe(13 + RETRY_AFTER_MARGIN_MS);
  });

  it('falls back to jittered backoff without a usable retry-after, and caps absurd ones', () => {
    expect(rateLimitDelay(undefined, 1, policy, () => 0.5)).toBe(1_000);
    expect(rateLimitDelay(Number.NaN, 1, policy, () => 0.5)).toBe(1_000);
    expect(rateLimitDelay(-5, 1, policy, () => 0.5)).toBe(1_000);
    expect(rateLimitDelay(86_400_000, 0, policy, () => 0.5)).toBe(600_000 + RETRY_AFTER_MARGIN_MS);
  });
});
