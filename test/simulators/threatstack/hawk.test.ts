import { createHmac } from 'node:crypto';
import Hawk from 'hawk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type SimHarness, startSim, verifyServerAuthorization } from '../../helpers/threatstack.ts';

function parseChallenge(header: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [, name, value] of (header ?? '').matchAll(/(\w+)="([^"]*)"/g))
    attributes[name ?? ''] = value ?? '';
  return attributes;
}

describe('Threat Stack simulator: Hawk authentication (D1–D4, D10)', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim();
  });
  afterAll(() => h.close());

  it('accepts a good request and signs the response with Server-Authorization', async () => {
    const response = await h.call('GET', '/help/hawk/self-test');
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ authenticated: true });
    expect(response.headers['server-authorization']).toMatch(/^Hawk mac="[^"]+", hash="[^"]+"$/);
    expect(() => verifyServerAuthorization(response, h.identity)).not.toThrow();
  });

  it('a tampered response body fails the client-side Server-Authorization check', async () => {
    const response = await h.call('GET', '/v2/agents?status=online');
    expect(() => verifyServerAuthorization({ ...response, text: `${response.text} ` }, h.identity)).toThrow();
  });

  it('rejects a bad MAC without a Server-Authorization header', async () => {
    const header = `Hawk id="${h.identity.userId}", ts="${Math.floor(h.clock.now() / 1000)}", nonce="x1", ext="${h.identity.orgId}", mac="AAAA"`;
    const response = await h.call('GET', '/v2/agents?status=online', { authorization: header });
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({ errors: ['Bad mac'] });
    expect(response.headers['www-authenticate']).toBe('Hawk error="Bad mac"');
    expect(response.headers['server-authorization']).toBeUndefined();
  });

  it('rejects a request signed with the wrong key', async () => {
    const response = await h.call('GET', '/v2/agents?status=online', { key: 'not-the-key' });
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({ errors: ['Bad mac'] });
  });

  it('rejects an unknown user id', async () => {
    const response = await h.call('GET', '/help/hawk/self-test', {
      authorization: `Hawk id="000000000000000000000000", ts="${Math.floor(h.clock.now() / 1000)}", nonce="abc", ext="${h.identity.orgId}", mac="Zm9v"`,
    });
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({ errors: ['Unknown credentials'] });
  });

  it('rejects a missing or non-Hawk Authorization header', async () => {
    for (const authorization of [null, 'Bearer abc']) {
      const response = await h.call('GET', '/v2/agents?status=online', { authorization });
      expect(response.status).toBe(401);
      expect(response.json()).toEqual({ errors: ['Missing authentication'] });
    }
  });

  it('rejects a Hawk header without its required attributes', async () => {
    const response = await h.call('GET', '/v2/agents?status=online', {
      authorization: `Hawk id="${h.identity.userId}"`,
    });
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({ errors: ['Missing attributes'] });
  });

  it('rejects a stale timestamp with a ts/tsm challenge the client can verify and use', async () => {
    const skewed = Math.floor(h.clock.now() / 1000) - 61;
    const response = await h.call('GET', '/v2/agents?status=online', { timestampSec: skewed });
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({ errors: ['Stale timestamp'] });
    const challenge = parseChallenge(response.headers['www-authenticate'] as string);
    expect(challenge.error).toBe('Stale timestamp');
    expect(Number(challenge.ts)).toBe(Math.floor(h.clock.now() / 1000));
    const expectedTsm = createHmac('sha256', h.identity.apiKey)
      .update(`hawk.1.ts\n${challenge.ts}\n`)
      .digest('base64');
    expect(challenge.tsm).toBe(expectedTsm);
    const corrected = await h.call('GET', '/v2/agents?status=online', { timestampSec: Number(challenge.ts) });
    expect(corrected.status).toBe(200);
  });

  it('accepts a timestamp just inside the ±60 s window', async () => {
    const ts = Math.floor(h.clock.now() / 1000);
    expect((await h.call('GET', '/help/hawk/self-test', { timestampSec: ts - 59 })).status).toBe(200);
    expect((await h.call('GET', '/help/hawk/self-test', { timestampSec: ts + 59 })).status).toBe(200);
  });

  it('rejects a replayed nonce', async () => {
    const first = await h.call('GET', '/v2/agents?status=online', { nonce: 'replay-1' });
    expect(first.status).toBe(200);
    const replay = await h.call('GET', '/v2/agents?status=online', { nonce: 'replay-1' });
    expect(replay.status).toBe(401);
    expect(replay.json()).toEqual({ errors: ['Invalid nonce'] });
  });

  it('rejects a wrong or missing ext (organization)', async () => {
    for (const ext of ['5537c4284e9684df7e000014', null]) {
      const response = await h.call('GET', '/v2/agents?status=online', { ext });
      expect(response.status).toBe(401);
      expect(response.json()).toEqual({ errors: ['Invalid organization'] });
    }
  });

  it('accepts ext naming the second organization the admin belongs to, and serves that organization', async () => {
    const { json: creds } = await admin<{ organizations: Array<{ id: string }> }>(
      h.sim.url,
      'GET',
      '/_sim/credentials',
    );
    const staging = creds.organizations[1]?.id ?? '';
    const response = await h.call('GET', '/v2/agents?status=online', { ext: staging });
    expect(response.status).toBe(200);
    const ids = response.json<{ agents: unknown[] }>().agents.length;
    expect(ids).toBeLessThanOrEqual(12);
  });

  it('requires and verifies the payload hash on a request with a body', async () => {
    const body = JSON.stringify({ role: 'user', email: 'new.person@example.com' });
    const noHash = await h.call('POST', '/v2/organizations/invites', { body, omitHash: true });
    expect(noHash.status).toBe(401);
    expect(noHash.json()).toEqual({ errors: ['Missing required payload hash'] });
    const good = await h.call('POST', '/v2/organizations/invites', { body });
    expect(good.status).toBe(200);
    expect(good.json()).toEqual({ sentToEmail: 'new.person@example.com', role: 'user', status: 'pending' });
  });

  it('rejects a body that does not match its payload hash', async () => {
    const signedBody = JSON.stringify({ role: 'user', email: 'a@example.com' });
    const { header } = Hawk.client.header(`${h.sim.url}/v2/organizations/invites`, 'POST', {
      credentials: { id: h.identity.userId, key: h.identity.apiKey, algorithm: 'sha256' },
      ext: h.identity.orgId,
      timestamp: Math.floor(h.clock.now() / 1000),
      payload: signedBody,
      contentType: 'application/json',
    });
    const sentBody = JSON.stringify({ role: 'admin', email: 'a@example.com' });
    const response = await h.call('POST', '/v2/organizations/invites', {
      body: sentBody,
      authorization: header,
    });
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({ errors: ['Bad payload hash'] });
  });

  it('rejects a query string that was re-ordered after signing', async () => {
    const response = await h.call('GET', '/v2/agents?type=investigate&status=online', {
      signedPath: '/v2/agents?status=online&type=investigate',
    });
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({ errors: ['Bad mac'] });
  });
});
