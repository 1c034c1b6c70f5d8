import { describe, expect, it } from 'vitest';
import { authorizationHeaders, signature, timestampSecondsAt } from './signer.ts';

/** The worked examples of spec §2.4, frozen. */
const accessId = '12345678901234567890';
const apiKey = 's3cr3tK3y-Example-0123456789abcdefghij';
const timestamp = 1700000000;

const vectors: Array<{ row: number; target: string; method: string; expected: string }> = [
  {
    row: 1,
    target: '/api/v2/owners',
    method: 'GET',
    expected: 'aUIosniPhGNH+ms7CXJnG0xMh6IdYsESa6Tg8Kb6N40=',
  },
  { row: 2, target: '/v2/owners', method: 'GET', expected: 'whrkZa2HVFLY29CNyKoQeDI04cmwdcbI9reParJc2QI=' },
  {
    row: 3,
    target: '/api/v2/groups/adversaries?owner=Common%20Community&resultStart=0&resultLimit=100',
    method: 'GET',
    expected: '59yAcBCLH/E/OsViPuJP91O+pRthf0+pRnrMpgiMm1s=',
  },
  {
    row: 4,
    target: '/api/v2/groups/adversaries?owner=Common+Community&resultStart=0&resultLimit=100',
    method: 'GET',
    expected: 'nHWKeq9EW3A5L/Ntoew4kuf4fvXv0XHHP5XFlOBjEtQ=',
  },
  {
    row: 5,
    target: '/api/v2/groups/adversaries/12345/groups/threats?resultStart=0&resultLimit=100',
    method: 'GET',
    expected: '2gIYBJ1UOCBzxWbsyDqTTQx4tRbNHYhU86KhWVJ3U1Y=',
  },
  {
    row: 6,
    target: '/api/v2/groups/adversaries/12345/groups/threats?resultStart=0&resultLimit=100',
    method: 'get',
    expected: 'F1CKzVDrGAkm0xVpcJEWqbQ+I2ocb++jNT5DIun0ZwM=',
  },
];

describe('signature (spec §2.4 worked examples)', () => {
  it.each(vectors)('row $row: $method $target', ({ target, method, expected }) => {
    expect(signature(target, method, timestamp, apiKey)).toBe(expected);
  });

  it('distinguishes what the vendor distinguishes: API root, space encoding and method case', () => {
    const [row1, row2, row3, row4, row5, row6] = vectors.map((v) =>
      signature(v.target, v.method, timestamp, apiKey),
    );
    expect(new Set([row1, row2, row3, row4, row5, row6]).size).toBe(6);
  });

  it('depends on the timestamp and on every byte of the key', () => {
    const base = signature('/api/v2/owners', 'GET', timestamp, apiKey);
    expect(signature('/api/v2/owners', 'GET', timestamp + 1, apiKey)).not.toBe(base);
    expect(signature('/api/v2/owners', 'GET', timestamp, `${apiKey.slice(0, -1)}J`)).not.toBe(base);
  });

  it('refuses a timestamp that is not whole seconds', () => {
    expect(() => signature('/v2/owners', 'GET', 1_700_000_000_123.5, apiKey)).toThrow(RangeError);
    expect(() => signature('/v2/owners', 'GET', -1, apiKey)).toThrow(RangeError);
  });
});

describe('authorizationHeaders', () => {
  it('builds the headers of the spec’s request #1', () => {
    expect(
      authorizationHeaders({
        pathAndQuery: '/api/v2/owners',
        method: 'GET',
        timestampSeconds: timestamp,
        accessId,
        apiKey,
      }),
    ).toEqual({
      Authorization: 'TC 12345678901234567890:aUIosniPhGNH+ms7CXJnG0xMh6IdYsESa6Tg8Kb6N40=',
      Timestamp: '1700000000',
    });
  });

  it('never carries the key itself', () => {
    const headers = authorizationHeaders({
      pathAndQuery: '/v2/whoami',
      method: 'GET',
      timestampSeconds: timestamp,
      accessId,
      apiKey,
    });
    expect(JSON.stringify(headers)).not.toContain(apiKey);
  });
});

describe('timestampSecondsAt', () => {
  it('turns epoch milliseconds into whole seconds, rounding down', () => {
    expect(timestampSecondsAt(1_700_000_000_999)).toBe(timestamp);
    expect(timestampSecondsAt(1_700_000_000_000)).toBe(timestamp);
  });
});
