import { z } from 'zod';
import type { VigilError } from '../../errors.ts';
import { invalidResponse, type ProviderContext } from './provider-errors.ts';
import { DEFAULT_MAX_RESPONSE_BYTES } from './transport.ts';
import { WaitAllowance } from './waits.ts';

/**
 * How much a vendor may make one client read or wait, so that a hostile or broken vendor fails
 * a step with a coded error instead of exhausting memory or stalling a sync. Every default is far
 * above what a real account needs; a configuration may raise or lower each.
 */
export interface ClientLimits {
  /** Largest response body read, in bytes (default 64 MiB). */
  maxResponseBytes: number;
  /** Deepest JSON nesting accepted in a body (default 64 levels). */
  maxJsonDepth: number;
  /** Pages one listing may have (default 100 000). */
  maxPagesPerListing: number;
  /** Items one listing may have (default 10 000 000). */
  maxItemsPerListing: number;
  /** Longest single wait a vendor's 429 may ask for, in ms (default 2 minutes). */
  maxRateLimitWaitMs: number;
  /** Total time one listing (or lone request) may wait on 429s, in ms (default 10 minutes). */
  maxTotalRateLimitWaitMs: number;
}

/** The zod fields of `ClientLimits` with their defaults, for each client's configuration schema. */
export const clientLimitFields = {
  maxResponseBytes: z.number().int().min(1024).default(DEFAULT_MAX_RESPONSE_BYTES),
  maxJsonDepth: z.number().int().min(2).max(10_000).default(64),
  maxPagesPerListing: z.number().int().min(1).default(100_000),
  maxItemsPerListing: z.number().int().min(1).default(10_000_000),
  maxRateLimitWaitMs: z.number().int().min(0).default(120_000),
  maxTotalRateLimitWaitMs: z.number().int().min(0).default(600_000),
};

/** The limits out of a parsed configuration. */
export function pickLimits(config: ClientLimits): ClientLimits {
  return {
    maxResponseBytes: config.maxResponseBytes,
    maxJsonDepth: config.maxJsonDepth,
    maxPagesPerListing: config.maxPagesPerListing,
    maxItemsPerListing: config.maxItemsPerListing,
    maxRateLimitWaitMs: config.maxRateLimitWaitMs,
    maxTotalRateLimitWaitMs: config.maxTotalRateLimitWaitMs,
  };
}

/**
 * Counts the pages and items of one listing; past either ceiling the listing fails with
 * PROVIDER_RESPONSE_INVALID, so a vendor that pages forever cannot run a sync forever.
 */
export class ListingGuard {
  private pages = 0;
  private items = 0;

  constructor(
    private readonly limits: Pick<ClientLimits, 'maxPagesPerListing' | 'maxItemsPerListing'>,
    private readonly context: ProviderContext,
  ) {}

  /** Counts one page of `itemCount` items; throws once a ceiling is passed. */
  page(itemCount: number): void {
    this.pages++;
    this.items += itemCount;
    if (this.pages > this.limits.maxPagesPerListing) {
      throw this.exceeded(`more than ${this.limits.maxPagesPerListing} pages`);
    }
    if (this.items > this.limits.maxItemsPerListing) {
      throw this.exceeded(`more than ${this.limits.maxItemsPerListing} items`);
    }
  }

  private exceeded(what: string): VigilError {
    return invalidResponse(
      this.context,
      `the listing did not end after ${what} (maxPagesPerListing/maxItemsPerListing); the vendor seems to page endlessly`,
    );
  }
}

/** A fresh 429 wait allowance under these limits (one per listing, or per lone request). */
export function waitAllowance(limits: ClientLimits): WaitAllowance {
  return new WaitAllowance(limits.maxRateLimitWaitMs, limits.maxTotalRateLimitWaitMs);
}

/** What one listing carries from page to page: its ceilings and its 429 wait allowance. */
export function listingScope(
  limits: ClientLimits,
  context: ProviderContext,
): { guard: ListingGuard; allowance: WaitAllowance } {
  return { guard: new ListingGuard(limits, context), allowance: waitAllowance(limits) };
}
