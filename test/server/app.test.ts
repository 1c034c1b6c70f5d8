import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorResponses, type RoutePlugin } from '../../src/server/route-module.ts';
import { bearer, type Harness, openHarness } from './harness.ts';

const unauthenticatedHint =
  'Send Authorization: Bearer <token>; an admin creates tokens with `vigil tokens create`.';

describe('the HTTP API', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await openHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('answers /healthz and /readyz without a token', async () => {
    const live = await harness.app.inject({ url: '/healthz' });
    expect([live.statusCode, live.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await harness.app.inject({ url: '/readyz' });
    expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('answers /readyz 503 naming the failing parts, without their reasons', async () => {
    harness.health.databaseFailure = 'connection refused to db.internal';
    const one = await harness.app.inject({ url: '/readyz' });
    expect(one.statusCode).toBe(503);
    expect(one.json()).toEqual({
      error: {
        code: 'NOT_READY',
        message: 'Not ready: database unavailable.',
        hint: 'The server log names the reason; check the database (VIGIL_DB) and the job runtime.',
      },
    });
    harness.health.jobsFailure = 'queue stopped';
    const both = await harness.app.inject({ url: '/readyz' });
    expect(both.json().error.message).toBe('Not ready: database and jobs unavailable.');
    expect(both.body).not.toContain('db.internal');
    expect(harness.logText()).toContain('connection refused to db.internal');
  });

  it('answers an unknown route 404 NOT_FOUND', async () => {
    const answer = await harness.app.inject({ url: '/api/v1/nothing?x=1' });
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: 'No route GET /api/v1/nothing.',
        hint: 'GET /openapi.json lists the routes.',
      },
    });
  });

  it('answers 401 with WWW-Authenticate for no, malformed, unknown and revoked tokens', async () => {
    const revoked = await harness.tokenFor('admin', 'old');
    await harness.tokens.revoke('old');
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'This route requires an API token.'],
      [{ authorization: 'Basic dXNlcjpwYXNz' }, 'The Authorization header is not a Bearer token.'],
      [bearer('vgl_unknown'), 'The API token is unknown or revoked.'],
      [bearer('not-even-prefixed'), 'The API token is unknown or revoked.'],
      [bearer(revoked), 'The API token is unknown or revoked.'],
    ];
    for (const [headers, message] of cases) {
      const answer = await harness.app.inject({ url: '/metrics', headers });
      expect(answer.statusCode).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="vigil"');
      expect(answer.json()).toEqual({
        error: { code: 'UNAUTHENTICATED', message, hint: unauthenticatedHint },
      });
    }
  });

  it('answers 403 FORBIDDEN when the role is too low', async () => {
    const viewer = await harness.tokenFor('viewer', 'dash');
    const answer = await harness.app.inject({ url: '/api/v1/tokens', headers: bearer(viewer) });
    expect(answer.statusCode).toBe(403);
    expect(answer.json()).toEqual({
      error: {
        code: 'FORBIDDEN',
        message: "This route requires the admin role; token 'dash' is viewer.",
        hint: 'Use a token with the admin role or higher.',
      },
    });
  });

  it('never logs the Authorization header or the webhook secret', async () => {
    const viewer = await harness.tokenFor('viewer', 'dash');
    await harness.app.inject({ url: '/metrics', headers: bearer(viewer) });
    await harness.app.inject({
      method: 'POST',
      url: '/webhooks/threatstack/int-ts-1/the-secret-xyz',
      payload: {},
    });
    const lines = harness.logLines.filter((line) => line.msg === 'request');
    expect(lines.map((line) => [line.url, line.status, line.token])).toEqual([
      ['/metrics', 200, 'dash'],
      ['/webhooks/threatstack/int-ts-1/[redacted]', 401, null],
    ]);
    expect(harness.logText()).not.toContain(viewer);
    expect(harness.logText()).not.toContain(viewer.slice(4));
    expect(harness.logText()).not.toContain('the-secret-xyz');
  });
});

describe('the HTTP API with resource modules', () => {
  const failing: RoutePlugin = async (app) => {
    app.get(
      '/boom',
      {
        config: { access: 'viewer' },
        schema: { response: { 200: z.object({ ok: z.boolean() }), ...errorResponses() } },
      },
      async () => {
        throw new Error('database password hunter2 leaked');
      },
    );
    app.get(
      '/items',
      {
        config: { access: 'viewer' },
        schema: {
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(100) }),
          response: { 200: z.object({ limit: z.number() }), ...errorResponses([400]) },
        },
      },
      async (request) => ({ limit: request.query.limit }),
    );
  };
  let harness: Harness;

  beforeEach(async () => {
    harness = await openHarness({ resources: [failing] });
  });

  afterEach(async () => {
    await harness.close();
  });

  it('mounts them under /api/v1 and answers an unknown throw 500 INTERNAL_ERROR without internals', async () => {
    const viewer = await harness.tokenFor('viewer');
    const answer = await harness.app.inject({ url: '/api/v1/boom', headers: bearer(viewer) });
    expect(answer.statusCode).toBe(500);
    const requestId = answer.headers['x-request-id'];
    expect(requestId).toMatch(/^req-/);
    expect(answer.json()).toEqual({
      error: {
        code: 'INTERNAL_ERROR',
        message: 'The server failed while answering this request.',
        hint: `This is a bug in Vigil; the server log has the details under request id ${requestId}.`,
      },
    });
    expect(answer.body).not.toContain('hunter2');
    const logged = harness.logLines.find((line) => line.msg === 'request failed');
    expect(logged?.reqId).toBe(requestId);
  });

  it('answers a query that fails its schema 400 INPUT_INVALID naming the field', async () => {
    const viewer = await harness.tokenFor('viewer');
    const answer = await harness.app.inject({ url: '/api/v1/items?limit=0', headers: bearer(viewer) });
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toEqual({
      error: {
        code: 'INPUT_INVALID',
        message: 'querystring.limit: Too small: expected number to be >=1',
        hint: 'Correct the fields named; /openapi.json describes every route.',
      },
    });
    const ok = await harness.app.inject({ url: '/api/v1/items?limit=5', headers: bearer(viewer) });
    expect(ok.json()).toEqual({ limit: 5 });
  });

  it('refuses to build with a route that declares no access', async () => {
    const open: RoutePlugin = async (app) => {
      app.get('/open', async () => ({}));
    };
    await expect(openHarness({ resources: [open] })).rejects.toThrow(
      'Route GET /api/v1/open declares no config.access',
    );
  });
});

describe('the per-token rate limit', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await openHarness({ rateLimit: { burst: 2, perSecond: 0.5 } });
  });

  afterEach(async () => {
    await harness.close();
  });

  it('answers 429 API_RATE_LIMITED with Retry-After past the burst, per token, and refills with time', async () => {
    const first = await harness.tokenFor('viewer', 'first');
    const second = await harness.tokenFor('viewer', 'second');
    const get = (token: string) => harness.app.inject({ url: '/metrics', headers: bearer(token) });
    expect((await get(first)).statusCode).toBe(200);
    expect((await get(first)).statusCode).toBe(200);
    const limited = await get(first);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(limited.json()).toEqual({
      error: {
        code: 'API_RATE_LIMITED',
        message: "Token 'first' exceeded its request rate.",
        hint: 'Wait for the Retry-After seconds, then retry; spread requests out.',
      },
    });
    expect((await get(second)).statusCode).toBe(200);
    harness.clock.ms += 2000;
    expect((await get(first)).statusCode).toBe(200);
    expect((await get(first)).statusCode).toBe(429);
  });

  it('does not limit the public routes', async () => {
    for (let i = 0; i < 5; i += 1)
      expect((await harness.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});
