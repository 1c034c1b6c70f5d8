import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  FakeClock,
  signTc,
  specAccessId,
  specApiKey,
  startTcSim,
  type TcHarness,
  type TcResponse,
  tcRequest,
} from '../../helpers/threatconnect.ts';

const OWNERS = '/v2/owners';
const SIGNATURE = 'Signature data did not match expected result';

function expectFailure(response: TcResponse, status: number, message: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.json()).toEqual({ status: 'Failure', message });
}

function expectSuccess(response: TcResponse): void {
  expect(response.status, response.text).toBe(200);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.json()).toMatchObject({ status: 'Success', data: expect.any(Object) });
}

describe('ThreatConnect simulator: HMAC and TC-Token authentication (§2.5, D1, D2, D7)', () => {
  const clock = new FakeClock();
  const now = Math.floor(clock.now() / 1000);
  let h: TcHarness;
  beforeAll(async () => {
    h = await startTcSim({}, clock);
  });
  afterAll(() => h.close());

  it('accepts a request signed over the raw request-target with the API root', async () => {
    expect(h.sim.apiRoot).toBe('/api');
    expectSuccess(await h.raw('/api/v2/owners'));
    expectSuccess(await h.raw('/api/v2/groups/adversaries?owner=Common%20Community&resultLimit=5'));
  });

  it('rejects a signature made with the wrong secret', async () => {
    expectFailure(await h.call(OWNERS, { key: 'not-the-secret' }), 401, SIGNATURE);
  });

  it('rejects an unknown Access ID with Access Denied, even with a signature made by its own key', async () => {
    expectFailure(await h.call(OWNERS, { accessId: '99999999999999999999' }), 401, 'Access Denied');
  });

  it.each([
    ['no Authorization header', null],
    ['a Bearer token', 'Bearer abc'],
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['TC without a colon', 'TC 12345678901234567890'],
    ['a lowercase scheme', 'tc 12345678901234567890:abc='],
  ])('rejects %s with Access Denied', async (_name, authorization) => {
    expectFailure(await h.call(OWNERS, { authorization }), 401, 'Access Denied');
  });

  it.each([
    ['empty', ''],
    ['not a number', 'yesterday'],
    ['fractional', `${now}.5`],
    ['negative', `-${now}`],
  ])('rejects a %s Timestamp with Invalid timestamp', async (_name, timestamp) => {
    expectFailure(await h.call(OWNERS, { timestamp }), 401, 'Invalid timestamp');
  });

  it('checks the Timestamp before the Access ID (§2.5 order)', async () => {
    expectFailure(
      await h.call(OWNERS, { accessId: '99999999999999999999', timestamp: 'x' }),
      401,
      'Invalid timestamp',
    );
  });

  it('answers a request without a Timestamp header as a signature that cannot match (§2.6 family)', async () => {
    expectFailure(await h.call(OWNERS, { timestamp: null }), 401, SIGNATURE);
    expectFailure(await h.call(OWNERS, { timestamp: null, signedTimestamp: '' }), 401, SIGNATURE);
    expectFailure(
      await h.call(OWNERS, { accessId: '99999999999999999999', timestamp: null }),
      401,
      'Access Denied',
    );
  });

  it('accepts a skew of exactly 300 s either way and rejects 301 s', async () => {
    for (const skew of [-300, 300, 0, -1, 299]) {
      expectSuccess(await h.call(OWNERS, { timestamp: String(now + skew) }));
    }
    for (const skew of [-301, 301, 86_400]) {
      expectFailure(
        await h.call(OWNERS, { timestamp: String(now + skew) }),
        401,
        'Timestamp out of acceptable time range',
      );
    }
  });

  it('rejects a timestamp in milliseconds as out of range', async () => {
    expectFailure(
      await h.call(OWNERS, { timestamp: String(h.clock.now()) }),
      401,
      'Timestamp out of acceptable time range',
    );
  });

  it('rejects a signature whose timestamp differs from the header', async () => {
    expectFailure(await h.call(OWNERS, { signedTimestamp: String(now - 1) }), 401, SIGNATURE);
  });

  it('rejects a path signed without the API root (§9 pitfall 2)', async () => {
    expectFailure(await h.raw('/api/v2/owners', { signedTarget: '/v2/owners' }), 401, SIGNATURE);
  });

  it('rejects a request signed over the path alone when a query was sent', async () => {
    expectFailure(
      await h.raw('/api/v2/owners?resultLimit=2', { signedTarget: '/api/v2/owners' }),
      401,
      SIGNATURE,
    );
  });

  it('rejects a query re-encoded after signing (+ vs %20), and accepts each form signed as sent', async () => {
    const percent = '/api/v2/groups/adversaries?owner=Common%20Community&resultLimit=3';
    const plus = '/api/v2/groups/adversaries?owner=Common+Community&resultLimit=3';
    expectFailure(await h.raw(percent, { signedTarget: plus }), 401, SIGNATURE);
    expectFailure(await h.raw(plus, { signedTarget: percent }), 401, SIGNATURE);
    const [a, b] = [await h.raw(percent), await h.raw(plus)];
    expectSuccess(a);
    expectSuccess(b);
    expect(b.json()).toEqual(a.json());
  });

  it('rejects re-ordered query parameters', async () => {
    expectFailure(
      await h.raw('/api/v2/owners?resultLimit=2&resultStart=0', {
        signedTarget: '/api/v2/owners?resultStart=0&resultLimit=2',
      }),
      401,
      SIGNATURE,
    );
  });

  it('rejects a signature over the lowercase method', async () => {
    expectFailure(await h.call(OWNERS, { signedMethod: 'get' }), 401, SIGNATURE);
  });

  it('accepts the configured TC-Token without a Timestamp, and refuses any other token with Unauthorized', async () => {
    expectSuccess(await h.call(OWNERS, { token: h.identity.token }));
    expectFailure(await h.call(OWNERS, { token: `${h.identity.token}x` }), 401, 'Unauthorized');
  });

  it('follows the admin clock: a moved clock makes old stamps stale and new ones good', async () => {
    const moved = await admin<{ offsetMs: number }>(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 301_000 });
    expect(moved.json.offsetMs).toBe(301_000);
    try {
      expectFailure(await h.call(OWNERS), 401, 'Timestamp out of acceptable time range');
      expectSuccess(await h.call(OWNERS, { timestamp: String(now + 301) }));
    } finally {
      await admin(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 0 });
    }
    expectSuccess(await h.call(OWNERS));
  });
});

describe('ThreatConnect simulator: the legacy 403 switch (D1)', () => {
  let h: TcHarness;
  beforeAll(async () => {
    h = await startTcSim({ authFailureStatus: 403 });
  });
  afterAll(() => h.close());

  it('turns every authentication failure into 403 with the same message', async () => {
    expectFailure(await h.call(OWNERS, { key: 'wrong' }), 403, SIGNATURE);
    expectFailure(await h.call(OWNERS, { authorization: null }), 403, 'Access Denied');
    expectFailure(await h.call(OWNERS, { timestamp: 'x' }), 403, 'Invalid timestamp');
    expectFailure(await h.call(OWNERS, { timestamp: null }), 403, SIGNATURE);
    expectFailure(await h.call(OWNERS, { token: 'nope' }), 403, 'Unauthorized');
    const stale = String(Math.floor(h.clock.now() / 1000) - 301);
    expectFailure(await h.call(OWNERS, { timestamp: stale }), 403, 'Timestamp out of acceptable time range');
  });

  it('leaves other statuses alone', async () => {
    expectSuccess(await h.call(OWNERS));
    expectFailure(await h.call('/v2/groups/adversaries/1'), 404, 'The requested resource was not found');
  });
});

/** The §2.4 table, as published in the spec. */
const vectors = {
  1: ['/api/v2/owners', 'aUIosniPhGNH+ms7CXJnG0xMh6IdYsESa6Tg8Kb6N40='],
  2: ['/v2/owners', 'whrkZa2HVFLY29CNyKoQeDI04cmwdcbI9reParJc2QI='],
  3: [
    '/api/v2/groups/adversaries?owner=Common%20Community&resultStart=0&resultLimit=100',
    '59yAcBCLH/E/OsViPuJP91O+pRthf0+pRnrMpgiMm1s=',
  ],
  4: [
    '/api/v2/groups/adversaries?owner=Common+Community&resultStart=0&resultLimit=100',
    'nHWKeq9EW3A5L/Ntoew4kuf4fvXv0XHHP5XFlOBjEtQ=',
  ],
  5: [
    '/api/v2/groups/adversaries/12345/groups/threats?resultStart=0&resultLimit=100',
    '2gIYBJ1UOCBzxWbsyDqTTQx4tRbNHYhU86KhWVJ3U1Y=',
  ],
} as const;
const ROW_6_SIGNATURE = 'F1CKzVDrGAkm0xVpcJEWqbQ+I2ocb++jNT5DIun0ZwM=';

describe('ThreatConnect simulator: the §2.4 worked examples as frozen vectors', () => {
  const identity = { accessId: specAccessId, apiKey: specApiKey, token: 'unused' };
  const clock = new FakeClock(1_700_000_000_000);
  let withRoot: TcHarness;
  let withoutRoot: TcHarness;

  /** Sends `target` with exactly the spec's headers for the given signature. */
  const send = (h: TcHarness, target: string, signature: string) =>
    tcRequest(h.sim.url, identity, target, clock.now(), {
      timestamp: '1700000000',
      authorization: `TC ${specAccessId}:${signature}`,
    });

  beforeAll(async () => {
    withRoot = await startTcSim({ accessId: specAccessId, apiKey: specApiKey }, clock);
    withoutRoot = await startTcSim({ accessId: specAccessId, apiKey: specApiKey, apiRoot: '' }, clock);
  });
  afterAll(async () => {
    await withRoot.close();
    await withoutRoot.close();
  });

  it("the test's own signer reproduces all six rows", () => {
    for (const [target, signature] of Object.values(vectors)) {
      expect(signTc(specApiKey, target, 'GET', '1700000000')).toBe(signature);
    }
    expect(signTc(specApiKey, vectors[5][0], 'get', '1700000000')).toBe(ROW_6_SIGNATURE);
  });

  it('request 1 (/api/v2/owners) → 200 with the owners', async () => {
    const response = await send(withRoot, ...vectors[1]);
    expectSuccess(response);
    expect(response.json<{ data: { resultCount: number } }>().data.resultCount).toBe(4);
  });

  it('request 2 (/v2/owners) → 200 on a simulator without an API root, and refused with one', async () => {
    expectSuccess(await send(withoutRoot, ...vectors[2]));
    // With an API root the same target is outside it: authenticated, then not found.
    expectFailure(await send(withRoot, ...vectors[2]), 404, 'The requested resource was not found');
  });

  it('requests 3 and 4 → 200, both scoped to Common Community; each only with its own signature', async () => {
    const three = await send(withRoot, ...vectors[3]);
    const four = await send(withRoot, ...vectors[4]);
    expectSuccess(three);
    expectSuccess(four);
    const data = three.json<{ data: { adversary: Array<{ ownerName: string }> } }>().data;
    expect(data.adversary.length).toBe(20);
    expect(new Set(data.adversary.map((a) => a.ownerName))).toEqual(new Set(['Common Community']));
    expect(four.json()).toEqual(three.json());
    expectFailure(await send(withRoot, vectors[3][0], vectors[4][1]), 401, SIGNATURE);
    expectFailure(await send(withRoot, vectors[4][0], vectors[3][1]), 401, SIGNATURE);
  });

  it('request 5 → 200 with the threats of adversary 12345; the lowercase-method signature (row 6) → 401', async () => {
    const five = await send(withRoot, ...vectors[5]);
    expectSuccess(five);
    const data = five.json<{ data: { resultCount: number; threat: unknown[] } }>().data;
    expect(data.resultCount).toBeGreaterThanOrEqual(3);
    expect(data.threat).toHaveLength(data.resultCount);
    expectFailure(await send(withRoot, vectors[5][0], ROW_6_SIGNATURE), 401, SIGNATURE);
  });
});
