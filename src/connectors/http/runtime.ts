import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { createDispatcher } from './dispatcher.ts';
import { RateBudget } from './rate-budget.ts';

/** What every vendor client runs on: its clock, sleep and random source, budget and dispatcher. */
export interface ClientRuntime {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  logger: Logger | undefined;
  budget: RateBudget;
  dispatcher: Dispatcher;
  /** Whether the client created `dispatcher` (and so closes it). */
  ownsDispatcher: boolean;
}

export interface ClientRuntimeDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  logger?: Logger;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Builds a client's runtime from its resolved settings and injected seams: the wall clock, real
 * sleep and Math.random unless a test injects others; a rolling budget of `requestsPerMinute`;
 * the caller's dispatcher, or one created for `origin` (with the proxy, if any).
 */
export function createClientRuntime(
  settings: {
    origin: string;
    timeoutMs: number;
    requestsPerMinute: number;
    proxy?: string | undefined;
    dispatcher?: Dispatcher | undefined;
  },
  deps: ClientRuntimeDeps,
): ClientRuntime {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  return {
    now,
    sleep,
    random: deps.random ?? Math.random,
    logger: deps.logger,
    budget: new RateBudget(settings.requestsPerMinute, { now, sleep }),
    dispatcher:
      settings.dispatcher ??
      createDispatcher({ target: settings.origin, timeoutMs: settings.timeoutMs, proxy: settings.proxy }),
    ownsDispatcher: settings.dispatcher === undefined,
  };
}
