import { describe, expect, it } from 'vitest';
import { RETRY_AFTER_MARGIN_MS } from './backoff.ts';
import { RateBudget } from './rate-budget.ts';
import { millisecondsHeader, type RetryEvent, retryReasonOf, secondsHeader, withRetries } from './retry.ts';
import { type HttpResponse, TransportError } from './transport.ts';
import { WaitAllowance } from './waits.ts';

function response(
  status: number,
  text = '{}',
  headers: Record<string, string> = {},
  lengthVerified = true,
): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(text),
    text,
    lengthVerified,
  };
}

/** Attempts that answer from a script, recording the attempt numbers they were called with. */
function scripted(script: Array<HttpResponse | TransportError>) {
  const calls: number[] = [];
  const attempt = async (n: number) => {
    calls.push(n);
    const next = script[Math.min(n - 1, script.length - 1)];
    if (next === undefined) throw new Error('empty script');
    if (next instanceof TransportError) throw next;
    return next;
  };
  return { calls, attempt };
}

function deps() {
  const sleeps: number[] = [];
  const events: RetryEvent[] = [];
  return {
    sleeps,
    events,
    deps: {
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      onRetry: (event: RetryEvent) => events.push(event),
    },
  };
}

const policy = {
  maxAttempts: 4,
  backoff: { baseMs: 1_000, capMs: 60_000 },
  retryAfterMs: millisecondsHeader('x-rate-limit-reset'),
};

describe('retryReasonOf', () => {
  it('retries 429, every 5xx and a short 2xx JSON read; never other statuses', () => {
    expect(retryReasonOf(response(429, 'Too Many Requests', { 'content-type': 'text/plain' }))).toBe(
      'rate-limited',
    );
    expect([500, 502, 503, 504].map((s) => retryReasonOf(response(s)))).toEqual(
      Array(4).fill('server-error'),
    );
    expect([400, 401, 403, 404, 409, 422].map((s) => retryReasonOf(response(s)))).toEqual(
      Array(6).fill(null),
    );
    expect(retryReasonOf(response(200, '{"agents":[{"id"', {}, false))).toBe('truncated');
    // With a verified length the body is complete: not JSON is a final answer, not a short read.
    expect(retryReasonOf(response(200, '{"agents":[{"id"', {}, true))).toBeNull();
    expect(retryReasonOf(response(200, '{}', {}, false))).toBeNull();
  });
});

describe('withRetries', () => {
  it('retries 5xx and transport failures with full-jitter backoff, then returns the success', async () => {
    const { calls, attempt } = scripted([
      response(500),
      new TransportError('connection', 'reset'),
      new TransportError('truncated', 'cut'),
      response(200),
    ]);
    const { sleeps, events, deps: d } = deps();
    const outcome = await withRetries(attempt, policy, d);
    expect(outcome).toMatchObject({ kind: 'response', attempts: 4, response: { status: 200 } });
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(sleeps).toEqual([500, 1_000, 2_000]);
    expect(events.map((e) => e.reason)).toEqual(['server-error', 'connection', 'truncated']);
    expect(events[0]?.status).toBe(500);
  });

  it('waits x-rate-limit-reset plus the margin on a 429', async () => {
    const { attempt } = scripted([
      response(429, 'Too Many Requests', { 'x-rate-limit-reset': '4200' }),
      response(200),
    ]);
    const { sleeps, events, deps: d } = deps();
    await withRetries(attempt, policy, d);
    expect(sleeps).toEqual([4_200 + RETRY_AFTER_MARGIN_MS]);
    expect(events[0]).toMatchObject({ reason: 'rate-limited', retryAfterMs: 4_200, status: 429 });
  });

  it('never retries a 4xx other than 429', async () => {
    const { calls, attempt } = scripted([response(401), response(200)]);
    const { sleeps, deps: d } = deps();
    expect(await withRetries(attempt, policy, d)).toMatchObject({ kind: 'response', attempts: 1 });
    expect(calls).toEqual([1]);
    expect(sleeps).toEqual([]);
  });

  it('returns the last response, or the last transport failure, once attempts run out', async () => {
    const fiveHundreds = scripted([response(503)]);
    expect(await withRetries(fiveHundreds.attempt, policy, deps().deps)).toMatchObject({
      kind: 'response',
      attempts: 4,
      response: { status: 503 },
    });
    const timeouts = scripted([new TransportError('timeout', 'slow')]);
    const outcome = await withRetries(timeouts.attempt, policy, deps().deps);
    expect(outcome.kind).toBe('transport');
    expect(outcome.attempts).toBe(4);
  });

  it('lets other errors through at once', async () => {
    const attempt = async () => {
      throw new Error('signing failed');
    };
    await expect(withRetries(attempt, policy, deps().deps)).rejects.toThrow('signing failed');
  });

  it('takes a budget slot for every attempt, retries included', async () => {
    const time = { ms: 0 };
    const sleeps: number[] = [];
    const clock = {
      now: () => time.ms,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        time.ms += ms;
      },
    };
    const budget = new RateBudget(2, clock);
    const { attempt } = scripted([response(500), response(500), response(200)]);
    await withRetries(
      attempt,
      { ...policy, backoff: { baseMs: 0, capMs: 0 } },
      { ...clock, random: () => 0, budget },
    );
    // Two attempts fill the window; the third waits for the first slot to expire.
    expect(sleeps).toEqual([0, 0, 60_000]);
  });
});

describe('millisecondsHeader', () => {
  it('reads a non-negative number of milliseconds, or nothing', () => {
    const read = millisecondsHeader('X-Rate-Limit-Reset');
    expect(read(response(429, '', { 'x-rate-limit-reset': '1500' }))).toBe(1_500);
    expect(read(response(429, '', { 'x-rate-limit-reset': 'soon' }))).toBeUndefined();
    expect(read(response(429, '', { 'x-rate-limit-reset': '-1' }))).toBeUndefined();
    expect(read(response(429, ''))).toBeUndefined();
  });
});

describe('secondsHeader', () => {
  it('reads Retry-After delta-seconds as milliseconds, and nothing for a date or garbage', () => {
    const read = secondsHeader('Retry-After');
    expect(read(response(429, '', { 'retry-after': '2' }))).toBe(2_000);
    expect(read(response(429, '', { 'retry-after': '0.5' }))).toBe(500);
    expect(read(response(429, '', { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }))).toBeUndefined();
    expect(read(response(429, '', { 'retry-after': '-3' }))).toBeUndefined();
    expect(read(response(429, ''))).toBeUndefined();
  });
});

describe('withRetries: failures it does not wait out', () => {
  it('returns a permanent transport failure (refused connection) after the first attempt', async () => {
    const refused = new TransportError('connection', 'the connection failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    const { calls, attempt } = scripted([refused]);
    const { sleeps, deps: retryDeps } = deps();
    const outcome = await withRetries(attempt, policy, retryDeps);
    expect(outcome).toMatchObject({ kind: 'transport', attempts: 1 });
    expect(refused.permanent).toBe('refused');
    expect(calls).toEqual([1]);
    expect(sleeps).toEqual([]);
  });

  it('stops at a 429 whose wait the allowance refuses, and says why', async () => {
    const { calls, attempt } = scripted([response(429, '{}', { 'x-rate-limit-reset': '30000' })]);
    const { sleeps, deps: retryDeps } = deps();
    const waits: Array<[string, number]> = [];
    const outcome = await withRetries(attempt, policy, {
      ...retryDeps,
      allowance: new WaitAllowance(60_000, 70_000),
      onWait: (reason, ms) => waits.push([reason, ms]),
    });
    expect(outcome).toMatchObject({ kind: 'response', attempts: 3 });
    expect(outcome.kind === 'response' ? outcome.waitRefused : '').toContain(
      'allowed in all for one listing',
    );
    expect(calls).toEqual([1, 2, 3]);
    expect(sleeps).toEqual([30_000 + RETRY_AFTER_MARGIN_MS, 30_000 + RETRY_AFTER_MARGIN_MS]);
    expect(waits.map(([reason]) => reason)).toEqual(['rate-limit', 'rate-limit']);
  });
});
