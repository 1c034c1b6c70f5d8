import { type BackoffPolicy, fullJitterDelay, rateLimitDelay } from './backoff.ts';
import type { RateBudget } from './rate-budget.ts';
import { type HttpResponse, TransportError } from './transport.ts';
import type { WaitAllowance, WaitReason } from './waits.ts';

/** Why an attempt is tried again. */
export type RetryReason = 'rate-limited' | 'server-error' | TransportError['kind'];

export interface RetryPolicy {
  /** Attempts in all, the first included (at least 1). */
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** The server's wait hint on a 429, in milliseconds (each vendor names its header differently). */
  retryAfterMs?: (response: HttpResponse) => number | undefined;
}

/** Reported before each retry's wait, for stats and logs. */
export interface RetryEvent {
  /** The attempt that failed (1-based). */
  attempt: number;
  reason: RetryReason;
  delayMs: number;
  status?: number;
  retryAfterMs?: number;
}

export interface RetryDeps {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Every attempt, retries included, waits for a slot of this budget before it is signed and sent. */
  budget?: RateBudget;
  /** The 429 waits still allowed; without one, every wait the server asks for is taken. */
  allowance?: WaitAllowance;
  onRetry?: (event: RetryEvent) => void;
  /** Told before every wait: for the budget, the vendor's rate limit, or backoff. */
  onWait?: (reason: WaitReason, ms: number) => void;
}

/**
 * How a run of attempts ended: a response with a final status (`waitRefused` says why a 429 was
 * not waited out), or a failure below HTTP on the last attempt (or a permanent one at once).
 */
export type RetryOutcome =
  | { kind: 'response'; response: HttpResponse; attempts: number; waitRefused?: string }
  | { kind: 'transport'; error: TransportError; attempts: number };

function isJsonResponse(response: HttpResponse): boolean {
  return /\bjson\b/i.test(response.headers['content-type'] ?? '');
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a response is worth another attempt: 429 and every 5xx are; so is a 2xx JSON body
 * that does not parse when its length could not be checked (a short read). Other statuses,
 * 4xx included, are final.
 */
export function retryReasonOf(response: HttpResponse): RetryReason | null {
  if (response.status === 429) return 'rate-limited';
  if (response.status >= 500) return 'server-error';
  const success = response.status >= 200 && response.status < 300;
  if (success && !response.lengthVerified && isJsonResponse(response) && !parsesAsJson(response.text)) {
    return 'truncated';
  }
  return null;
}

async function attemptOnce(
  attempt: (n: number) => Promise<HttpResponse>,
  n: number,
  deps: RetryDeps,
): Promise<HttpResponse | TransportError> {
  const release = deps.budget ? await deps.budget.acquire((ms) => deps.onWait?.('budget', ms)) : () => {};
  try {
    return await attempt(n);
  } catch (error) {
    if (error instanceof TransportError) return error;
    throw error;
  } finally {
    release();
  }
}

/**
 * Runs `attempt(n)` (n = 1, 2, …) until a response is final or `maxAttempts` is reached. Each
 * call must build a fresh request (a new signature, timestamp and nonce): it runs only after the
 * rate budget has granted a slot and after any backoff, so its timestamp is current. Waits use
 * the injected `sleep`: the server's retry-after plus a margin on a 429, full-jitter exponential
 * backoff otherwise. Never retries a 4xx other than 429, nor a permanent transport failure (DNS,
 * refused connection, TLS). A 429 whose wait the `allowance` refuses ends at once with
 * `waitRefused`. Errors other than `TransportError` propagate at once.
 */
export async function withRetries(
  attempt: (n: number) => Promise<HttpResponse>,
  policy: RetryPolicy,
  deps: RetryDeps,
): Promise<RetryOutcome> {
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  for (let n = 1; ; n++) {
    const result = await attemptOnce(attempt, n, deps);
    const isTransport = result instanceof TransportError;
    const reason = isTransport ? result.kind : retryReasonOf(result);
    if (reason === null) return { kind: 'response', response: result as HttpResponse, attempts: n };
    if (n >= maxAttempts || (isTransport && result.permanent !== undefined)) {
      return isTransport
        ? { kind: 'transport', error: result, attempts: n }
        : { kind: 'response', response: result, attempts: n };
    }
    const retryAfterMs = isTransport || reason !== 'rate-limited' ? undefined : policy.retryAfterMs?.(result);
    const delayMs =
      reason === 'rate-limited'
        ? rateLimitDelay(retryAfterMs, n - 1, policy.backoff, deps.random)
        : fullJitterDelay(n - 1, policy.backoff, deps.random);
    if (reason === 'rate-limited' && !isTransport) {
      const waitRefused = deps.allowance?.take(retryAfterMs ?? delayMs) ?? null;
      if (waitRefused !== null) return { kind: 'response', response: result, attempts: n, waitRefused };
    }
    deps.onRetry?.({
      attempt: n,
      reason,
      delayMs,
      ...(isTransport ? {} : { status: result.status }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
    deps.onWait?.(reason === 'rate-limited' ? 'rate-limit' : 'backoff', delayMs);
    await deps.sleep(delayMs);
  }
}

/** Reads a header holding a non-negative number of milliseconds (e.g. `x-rate-limit-reset`). */
export function millisecondsHeader(name: string): (response: HttpResponse) => number | undefined {
  return (response) => {
    const raw = response.headers[name.toLowerCase()]?.trim();
    const value = raw === undefined || raw === '' ? Number.NaN : Number(raw);
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
}

/**
 * Reads a header holding a non-negative number of seconds, such as the standard `Retry-After`
 * in its delta-seconds form, as milliseconds. The HTTP-date form is not read (undefined), so
 * the caller falls back to its own backoff.
 */
export function secondsHeader(name: string): (response: HttpResponse) => number | undefined {
  const readSeconds = millisecondsHeader(name);
  return (response) => {
    const seconds = readSeconds(response);
    return seconds === undefined ? undefined : seconds * 1000;
  };
}
