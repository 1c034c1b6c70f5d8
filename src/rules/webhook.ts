import type { WebhookAttemptRecord } from '../store/types.ts';
import type { RuleAction } from './model.ts';

/** Bounds of one delivery: attempts, backoff (full jitter), each attempt's timeout, total time. */
export interface WebhookPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  attemptTimeoutMs: number;
  /** No attempt starts that could end later than this after the first one started. */
  totalTimeMs: number;
}

export const defaultWebhookPolicy: WebhookPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  attemptTimeoutMs: 10_000,
  totalTimeMs: 120_000,
};

/** What a delivery needs from its surroundings; injected so tests control time and chance. */
export interface WebhookDeps {
  sleep(ms: number): Promise<void>;
  /** In [0, 1): the jitter. */
  random(): number;
  now(): Date;
  /** Appends an attempt to the delivery log (the store's `recordWebhookAttempt`). */
  record(attempt: WebhookAttemptRecord): Promise<void>;
  /** Told when the delivery log could not be written (the delivery goes on). */
  warn(message: string, fields: Record<string, string>): void;
}

/** Which delivery an attempt belongs to, for the log. */
export interface WebhookContext {
  deliveryId: string;
  /** The rule's id; a monitor's deliveries are logged as `monitor:<id>`. */
  ruleId: string;
  alertId: string | null;
}

export interface WebhookDelivery {
  outcome: 'delivered' | 'failed';
  attempts: number;
  /** The last HTTP status answered, or null when the last attempt got none. */
  statusCode: number | null;
}

/** The part of a webhook URL safe to log: scheme and host (with port). Its path may hold a token. */
export function webhookTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

type AttemptResult = { statusCode: number; retryAfterMs: number | undefined } | { error: string };

/** 2xx delivered; 408, 429 and 5xx worth another try; anything else (3xx, other 4xx) final. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function retryAfterOf(header: string | null): number | undefined {
  return header !== null && /^\d{1,6}$/.test(header.trim()) ? Number(header) * 1_000 : undefined;
}

/** One POST; redirects are not followed (the token in a path must not travel to another host). */
async function attemptPost(url: string, body: string, timeoutMs: number): Promise<AttemptResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'vigil-rules' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return { statusCode: response.status, retryAfterMs: retryAfterOf(response.headers.get('retry-after')) };
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') return { error: 'timeout' };
    const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
    return { error: typeof cause?.code === 'string' ? cause.code : 'network error' };
  }
}

/**
 * POSTs `payload` (a rule's `AlertPayload`, a monitor's drift payload) as JSON to `url`, retrying transient failures (no answer, timeout, 408, 429, 5xx)
 * with exponential backoff and full jitter (a Retry-After in seconds is honoured up to `maxDelayMs`),
 * within `maxAttempts` and `totalTimeMs`. Every attempt is recorded. Never throws: a failing
 * endpoint, or a delivery log that cannot be written, ends as an outcome, so it cannot fail a sync.
 */
export async function deliverWebhook(
  url: string,
  payload: object,
  context: WebhookContext,
  deps: WebhookDeps,
  policy: WebhookPolicy = defaultWebhookPolicy,
): Promise<WebhookDelivery> {
  const target = webhookTarget(url);
  const body = JSON.stringify(payload);
  const startedAt = deps.now().getTime();
  let statusCode: number | null = null;
  for (let attempt = 1; ; attempt += 1) {
    const attemptedAt = deps.now().toISOString();
    const result = await attemptPost(url, body, policy.attemptTimeoutMs);
    statusCode = 'statusCode' in result ? result.statusCode : null;
    const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const retryable = 'error' in result || isRetryableStatus(result.statusCode);
    const delay = backoffDelay(
      attempt,
      'retryAfterMs' in result ? result.retryAfterMs : undefined,
      deps,
      policy,
    );
    const elapsed = deps.now().getTime() - startedAt;
    const retrying =
      !delivered &&
      retryable &&
      attempt < policy.maxAttempts &&
      elapsed + delay + policy.attemptTimeoutMs <= policy.totalTimeMs;
    const outcome = delivered ? 'delivered' : retrying ? 'retrying' : 'failed';
    const error = 'error' in result ? result.error : delivered ? null : `HTTP ${result.statusCode}`;
    await recordSafely(deps, { ...context, attempt, target, attemptedAt, statusCode, outcome, error });
    if (!retrying) return { outcome: delivered ? 'delivered' : 'failed', attempts: attempt, statusCode };
    await deps.sleep(delay);
  }
}

/** Full jitter over `base · 2^(attempt-1)` capped at `maxDelayMs`; at least a Retry-After asked for. */
function backoffDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  deps: Pick<WebhookDeps, 'random'>,
  policy: WebhookPolicy,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(deps.random() * ceiling);
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

async function recordSafely(deps: WebhookDeps, attempt: WebhookAttemptRecord): Promise<void> {
  try {
    await deps.record(attempt);
  } catch (error) {
    deps.warn('Could not record a webhook attempt', {
      target: attempt.target,
      deliveryId: attempt.deliveryId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** An action as shown to people: a webhook by scheme and host only (its path may hold a token). */
export function describeAction(action: RuleAction): string {
  return action.kind === 'log' ? 'log' : `webhook:${webhookTarget(action.url)}/…`;
}
