import { describe, expect, it } from 'vitest';
import { describeWait, WaitAllowance } from './waits.ts';

describe('WaitAllowance', () => {
  it('refuses a single wait above its maximum without counting it', () => {
    const allowance = new WaitAllowance(120_000, 600_000);
    expect(allowance.take(600_000)).toContain('more than the 120 s allowed for one wait');
    expect(allowance.take(120_000)).toBeNull();
  });

  it('refuses the wait that would pass the total', () => {
    const allowance = new WaitAllowance(120_000, 300_000);
    expect(allowance.take(120_000)).toBeNull();
    expect(allowance.take(120_000)).toBeNull();
    expect(allowance.take(61_000)).toContain('would exceed the 300 s allowed in all');
    expect(allowance.take(60_000)).toBeNull();
  });
});

describe('describeWait', () => {
  it('names the reason, in whole seconds rounded up', () => {
    const event = { method: 'GET', path: '/v2/agents' };
    expect(describeWait({ ...event, reason: 'rate-limit', ms: 1_200 })).toBe(
      "waiting 2 s for the vendor's rate limit",
    );
    expect(describeWait({ ...event, reason: 'budget', ms: 59_000 })).toBe(
      'waiting 59 s for the request budget',
    );
    expect(describeWait({ ...event, reason: 'backoff', ms: 10 })).toBe(
      'waiting 1 s for a retry after a failure',
    );
  });
});
