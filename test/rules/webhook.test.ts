import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateRule } from '../../src/rules/evaluate.ts';
import { parseRule } from '../../src/rules/model.ts';
import { buildAlertPayload } from '../../src/rules/payload.ts';
import {
  deliverWebhook,
  type WebhookDeps,
  type WebhookPolicy,
  webhookTarget,
} from '../../src/rules/webhook.ts';
import type { WebhookAttemptRecord } from '../../src/store/types.ts';

interface Received {
  method: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

let server: Server | undefined;

/** A loopback receiver answering each request with the next of `statuses` (the last one repeats). */
async function listen(statuses: number[], hold = false): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method,
        contentType: request.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      if (hold) return;
      const status = statuses[Math.min(received.length, statuses.length) - 1] ?? 200;
      response.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/services/T000/B000/secret-token`, received };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** Injected time: sleeping advances the clock at once; every attempt and sleep is remembered. */
function fakeDeps(overrides: Partial<WebhookDeps> = {}) {
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  const sleeps: number[] = [];
  const log: WebhookAttemptRecord[] = [];
  const warnings: unknown[] = [];
  const deps: WebhookDeps = {
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    now: () => new Date(clock),
    record: async (attempt) => {
      log.push(attempt);
    },
    warn: (message, fields) => warnings.push({ message, fields }),
    ...overrides,
  };
  return { deps, sleeps, log, warnings };
}

const policy: WebhookPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  attemptTimeoutMs: 5_000,
  totalTimeMs: 60_000,
};
const context = { deliveryId: 'd-1', ruleId: 'r-1', alertId: 'a-1' };

async function samplePayload() {
  const rule = parseRule({
    name: 'new agents',
    queries: [{ text: 'FIND threatstack_agent' }],
    when: 'new',
    actions: ['log'],
  });
  const data = ['a', 'b', 'c'].map((key) => ({
    _key: key,
    _type: 'threatstack_agent',
    displayName: `host-${key}`,
  }));
  const evaluation = await evaluateRule(
    rule,
    async () => ({ type: 'list', data }),
    undefined,
    new Date('2026-01-01T00:00:00.000Z'),
    2,
  );
  return buildAlertPayload(rule, evaluation, 'a-1');
}

describe('deliverWebhook', () => {
  it('retries a failing receiver with backoff until it accepts, recording every attempt', async () => {
    const { url, received } = await listen([503, 500, 200]);
    const { deps, sleeps, log } = fakeDeps();
    const payload = await samplePayload();
    const delivery = await deliverWebhook(url, payload, context, deps, policy);

    expect(delivery).toEqual({ outcome: 'delivered', attempts: 3, statusCode: 200 });
    expect(sleeps).toEqual([500, 1_000]);
    expect(received).toHaveLength(3);
    expect(received[0]).toEqual({ method: 'POST', contentType: 'application/json', body: payload });
    expect(received[2]?.body).toEqual({
      text: 'Vigil rule "new agents" fired (new): 3 new results.\n• host-a\n• host-b\n… and 1 more',
      rule: 'new agents',
      condition: 'new',
      alertId: 'a-1',
      evaluatedAt: '2026-01-01T00:00:00.000Z',
      rowCount: 3,
      truncated: true,
      rows: [
        { query: 'query0', row: { _key: 'a', _type: 'threatstack_agent', displayName: 'host-a' } },
        { query: 'query0', row: { _key: 'b', _type: 'threatstack_agent', displayName: 'host-b' } },
      ],
    });
    const target = url.slice(0, url.indexOf('/services'));
    expect(log).toEqual([
      {
        ...context,
        attempt: 1,
        target,
        attemptedAt: '2026-01-01T00:00:00.000Z',
        statusCode: 503,
        outcome: 'retrying',
        error: 'HTTP 503',
      },
      {
        ...context,
        attempt: 2,
        target,
        attemptedAt: '2026-01-01T00:00:00.500Z',
        statusCode: 500,
        outcome: 'retrying',
        error: 'HTTP 500',
      },
      {
        ...context,
        attempt: 3,
        target,
        attemptedAt: '2026-01-01T00:00:01.500Z',
        statusCode: 200,
        outcome: 'delivered',
        error: null,
      },
    ]);
    expect(JSON.stringify(log)).not.toContain('secret-token');
  });

  it('ends failed after the last attempt against a receiver that always answers 500, without throwing', async () => {
    const { url, received } = await listen([500]);
    const { deps, sleeps, log } = fakeDeps();
    const delivery = await deliverWebhook(url, await samplePayload(), context, deps, policy);
    expect(delivery).toEqual({ outcome: 'failed', attempts: 4, statusCode: 500 });
    expect(received).toHaveLength(4);
    expect(sleeps).toEqual([500, 1_000, 2_000]);
    expect(log.map((attempt) => attempt.outcome)).toEqual(['retrying', 'retrying', 'retrying', 'failed']);
  });

  it('does not retry a 4xx other than 408 and 429, nor a redirect', async () => {
    for (const status of [400, 404, 302]) {
      const { url, received } = await listen([status, 200]);
      const { deps, log } = fakeDeps();
      const delivery = await deliverWebhook(url, await samplePayload(), context, deps, policy);
      expect(delivery).toEqual({ outcome: 'failed', attempts: 1, statusCode: status });
      expect(received).toHaveLength(1);
      expect(log[0]).toMatchObject({ outcome: 'failed', error: `HTTP ${status}` });
      server?.closeAllConnections();
      await new Promise<void>((resolve) => server?.close(() => resolve()));
      server = undefined;
    }
  });

  it('retries 408 and 429, waiting at least a Retry-After', async () => {
    const { url } = await listen([429, 408, 204]);
    const { deps, sleeps } = fakeDeps();
    server?.removeAllListeners('request');
    let count = 0;
    server?.on('request', (request: IncomingMessage, response: ServerResponse) => {
      request.resume();
      count += 1;
      if (count === 1) response.writeHead(429, { 'retry-after': '7' }).end();
      else response.writeHead(count === 2 ? 408 : 204).end();
    });
    const delivery = await deliverWebhook(url, await samplePayload(), context, deps, policy);
    expect(delivery).toEqual({ outcome: 'delivered', attempts: 3, statusCode: 204 });
    expect(sleeps).toEqual([7_000, 1_000]);
  });

  it('starts no attempt that could end past the total time', async () => {
    const { url, received } = await listen([503]);
    const { deps, sleeps } = fakeDeps();
    const tight = { ...policy, maxAttempts: 10, totalTimeMs: 6_000 };
    const delivery = await deliverWebhook(url, await samplePayload(), context, deps, tight);
    expect(delivery.outcome).toBe('failed');
    expect(sleeps).toEqual([500]);
    expect(received).toHaveLength(2);
  });

  it('records a refused connection and a timeout as failed attempts', async () => {
    const { url } = await listen([200], true);
    const { deps, log } = fakeDeps();
    const once = { ...policy, maxAttempts: 1, attemptTimeoutMs: 200 };
    expect(await deliverWebhook(url, await samplePayload(), context, deps, once)).toEqual({
      outcome: 'failed',
      attempts: 1,
      statusCode: null,
    });
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    await deliverWebhook(url, await samplePayload(), context, deps, once);
    expect(log.map((attempt) => [attempt.statusCode, attempt.error])).toEqual([
      [null, 'timeout'],
      [null, 'ECONNREFUSED'],
    ]);
  });

  it('delivers even when the delivery log cannot be written, and says so without the URL path', async () => {
    const { url } = await listen([200]);
    const { deps, warnings } = fakeDeps({
      record: async () => {
        throw new Error('database is locked');
      },
    });
    expect((await deliverWebhook(url, await samplePayload(), context, deps, policy)).outcome).toBe(
      'delivered',
    );
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).toContain('database is locked');
    expect(JSON.stringify(warnings)).not.toContain('secret-token');
  });
});

describe('webhookTarget', () => {
  it('keeps the scheme and host only', () => {
    expect(webhookTarget('https://user:pw@hooks.slack.com:8443/services/T/B/token?x=1')).toBe(
      'https://hooks.slack.com:8443',
    );
  });
});

describe('buildAlertPayload', () => {
  it('escapes Slack markup in text and keeps the structured rows as they are', async () => {
    const rule = parseRule({
      name: 'a<b>&c',
      queries: [{ text: 'FIND Host' }],
      when: 'query0.total > 0',
      actions: ['log'],
    });
    const row = { _key: 'h1', displayName: '<!channel> & <https://evil.example|click>' };
    const evaluation = await evaluateRule(
      rule,
      async () => ({ type: 'list', data: [row] }),
      undefined,
      new Date(0),
    );
    const payload = buildAlertPayload(rule, evaluation, null);
    expect(payload.text).toBe(
      'Vigil rule "a&lt;b&gt;&amp;c" fired (query0.total &gt; 0): 1 result.\n• &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;',
    );
    expect(payload).toMatchObject({ rule: 'a<b>&c', condition: 'query0.total > 0', truncated: false });
    expect(payload.rows).toEqual([{ query: 'query0', row }]);
  });

  it('names a table row by its first column', async () => {
    const rule = parseRule({
      name: 'r',
      queries: [{ text: 'FIND Host AS h RETURN h.hostname' }],
      when: 'any',
      actions: ['log'],
    });
    const data = [{ 'h.hostname': 'web-1' }, {}];
    const evaluation = await evaluateRule(
      rule,
      async () => ({ type: 'table', data }),
      undefined,
      new Date(0),
    );
    expect(buildAlertPayload(rule, evaluation, null).text).toBe(
      'Vigil rule "r" fired (any): 2 results.\n• h.hostname = "web-1"\n• (empty row)',
    );
  });
});
