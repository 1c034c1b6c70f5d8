import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clientLimitFields, ListingGuard } from './limits.ts';

const context = { service: 'Vendor', method: 'GET', path: '/v2/things' };

describe('client limits', () => {
  it('default far above real accounts: 64 MiB bodies, 64 levels, 100 000 pages, 10 000 000 items, 2 and 10 minutes', () => {
    expect(z.object(clientLimitFields).parse({})).toEqual({
      maxResponseBytes: 64 * 1024 * 1024,
      maxJsonDepth: 64,
      maxPagesPerListing: 100_000,
      maxItemsPerListing: 10_000_000,
      maxRateLimitWaitMs: 120_000,
      maxTotalRateLimitWaitMs: 600_000,
    });
  });
});

describe('ListingGuard', () => {
  it('allows exactly the ceiling, and fails the page past it with a coded error naming the listing', () => {
    const guard = new ListingGuard({ maxPagesPerListing: 2, maxItemsPerListing: 100 }, context);
    guard.page(10);
    guard.page(10);
    expect(() => guard.page(10)).toThrow(
      expect.objectContaining({
        code: 'PROVIDER_RESPONSE_INVALID',
        message: expect.stringContaining(
          'GET /v2/things returned an invalid response: the listing did not end after more than 2 pages',
        ),
      }),
    );
  });

  it('counts items across pages', () => {
    const guard = new ListingGuard({ maxPagesPerListing: 10, maxItemsPerListing: 15 }, context);
    guard.page(10);
    expect(() => guard.page(6)).toThrow(
      expect.objectContaining({ message: expect.stringContaining('more than 15 items') }),
    );
  });
});
