import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../common/http.ts';
import { PAGE_SIZE, PageTokens, scopeOf, takePage } from './pagination.ts';

const tokens = new PageTokens(Buffer.from('a test secret of some length'));
const alertsScope = scopeOf('/v2/alerts', new URLSearchParams('status=active&severity=1'));

/** What `read` threw, or null when it returned. */
function readError(reader: PageTokens, token: string, scope: string): unknown {
  try {
    reader.read(token, scope);
    return null;
  } catch (error) {
    return error;
  }
}

function expectInvalidToken(error: unknown): void {
  expect(error).toBeInstanceOf(HttpError);
  expect(error).toMatchObject({ status: 400, message: 'Invalid token' });
}

const urlSafe = /^[A-Za-z0-9_.-]+$/;
const tokenAlphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'];

describe('scopeOf', () => {
  it('ignores the token parameter', () => {
    expect(scopeOf('/v2/alerts', new URLSearchParams('status=active&token=abc.def'))).toBe(
      scopeOf('/v2/alerts', new URLSearchParams('status=active')),
    );
    expect(scopeOf('/v2/agents', new URLSearchParams('token=x'))).toBe(
      scopeOf('/v2/agents', new URLSearchParams()),
    );
  });

  it('ignores the order of the parameters', () => {
    expect(
      scopeOf('/v2/alerts', new URLSearchParams('severity=1&token=t&status=active&from=2024-01-01')),
    ).toBe(scopeOf('/v2/alerts', new URLSearchParams('from=2024-01-01&status=active&severity=1')));
  });

  it.each([
    ['another path', '/v2/agents', 'status=active&severity=1'],
    ['another value', '/v2/alerts', 'status=dismissed&severity=1'],
    ['a missing filter', '/v2/alerts', 'status=active'],
    ['an extra filter', '/v2/alerts', 'status=active&severity=1&agentId=a1'],
    ['the same text in one value', '/v2/alerts', 'severity=1%26status%3Dactive'],
    ['the same text split differently', '/v2/alerts', 'severity=1%26status=active'],
    ['a value moved into the key', '/v2/alerts', 'status%3Dactive=&severity=1'],
  ])('differs for %s', (_name, path, query) => {
    expect(scopeOf(path, new URLSearchParams(query))).not.toBe(alertsScope);
  });

  it('a value that spells out other filters never shares their scope (property)', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', 'b', '=', '&', '%', ' '),
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(text, text, text, text, (k1, v1, k2, v2) => {
        fc.pre(k1 !== k2 && k1 !== 'token' && k2 !== 'token');
        const split = new URLSearchParams([
          [k1, v1],
          [k2, v2],
        ]);
        const joined = new URLSearchParams([[k1, `${v1}&${k2}=${v2}`]]);
        expect(scopeOf('/v2/alerts', joined)).not.toBe(scopeOf('/v2/alerts', split));
      }),
    );
  });
});

describe('PageTokens', () => {
  it('round-trips a cursor under the same scope', () => {
    const cursor = { createdAt: 1_700_000_000_000, id: '65e0d430fb6ffbea8c6e26fe' };
    expect(tokens.read(tokens.issue(alertsScope, cursor), alertsScope)).toEqual(cursor);
  });

  it('round-trips any JSON cursor, and every token is URL-safe (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (cursor, path) => {
        const scope = scopeOf(path, new URLSearchParams());
        const token = tokens.issue(scope, cursor);
        expect(token).toMatch(urlSafe);
        expect(encodeURIComponent(token)).toBe(token);
        expect(tokens.read(token, scope)).toEqual(JSON.parse(JSON.stringify(cursor)));
      }),
    );
  });

  it('is deterministic for one secret, and another secret rejects it', () => {
    const token = tokens.issue(alertsScope, 41);
    expect(new PageTokens(Buffer.from('a test secret of some length')).issue(alertsScope, 41)).toBe(token);
    expectInvalidToken(readError(new PageTokens(Buffer.from('another secret')), token, alertsScope));
  });

  it('a token read under another scope (other filters or route) is an Invalid token', () => {
    const token = tokens.issue(alertsScope, 99);
    for (const scope of [
      scopeOf('/v2/alerts', new URLSearchParams('status=dismissed&severity=1')),
      scopeOf('/v2/alerts', new URLSearchParams('status=active')),
      scopeOf('/v2/agents', new URLSearchParams('status=active&severity=1')),
    ]) {
      expectInvalidToken(readError(tokens, token, scope));
    }
    // The same filters in another order, with the token itself among them, still match.
    const sameFilters = scopeOf('/v2/alerts', new URLSearchParams(`token=${token}&severity=1&status=active`));
    expect(tokens.read(token, sameFilters)).toBe(99);
  });

  it.each([
    ['empty', ''],
    ['without a MAC', 'eyJhIjoxfQ'],
    ['with an extra part', 'a.b.c'],
    ['garbage', '%%%'],
  ])('a token that is %s is an Invalid token', (_name, token) => {
    expectInvalidToken(readError(tokens, token, alertsScope));
  });

  it('a token altered in any single character is an Invalid token (property)', () => {
    const cursor = fc.oneof(fc.nat(), fc.record({ createdAt: fc.nat(), id: fc.string() }), fc.jsonValue());
    const tampered = cursor
      .map((c) => tokens.issue(alertsScope, c))
      .chain((token) =>
        fc.record({
          token: fc.constant(token),
          index: fc.nat(token.length - 1),
          replacement: fc.constantFrom(...tokenAlphabet),
        }),
      )
      .filter(({ token, index, replacement }) => token[index] !== replacement);
    fc.assert(
      fc.property(tampered, ({ token, index, replacement }) => {
        const altered = token.slice(0, index) + replacement + token.slice(index + 1);
        expectInvalidToken(readError(tokens, altered, alertsScope));
      }),
      { numRuns: 500 },
    );
  });

  it('a token cut short or extended is an Invalid token', () => {
    const token = tokens.issue(alertsScope, { after: 12 });
    for (const altered of [token.slice(0, -1), token.slice(1), `${token}A`, `A${token}`, `${token}.`]) {
      expectInvalidToken(readError(tokens, altered, alertsScope));
    }
  });
});

describe('takePage', () => {
  function* counting(total: number, pulled: { count: number }): Generator<number> {
    for (let i = 0; i < total; i++) {
      pulled.count++;
      yield i;
    }
  }

  it.each([
    { total: 0, limit: 3, items: [], more: false },
    { total: 2, limit: 3, items: [0, 1], more: false },
    { total: 3, limit: 3, items: [0, 1, 2], more: false },
    { total: 4, limit: 3, items: [0, 1, 2], more: true },
    { total: 10, limit: 3, items: [0, 1, 2], more: true },
  ])('$total items with limit $limit → $items, more $more', ({ total, limit, items, more }) => {
    expect(takePage(counting(total, { count: 0 }), limit)).toEqual({ items, more });
  });

  it('pages of 100 by default (D5), exact on the boundary', () => {
    expect(PAGE_SIZE).toBe(100);
    const full = takePage(counting(100, { count: 0 }));
    expect(full.items).toHaveLength(100);
    expect(full.more).toBe(false);
    const over = takePage(counting(101, { count: 0 }));
    expect(over.items).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(over.more).toBe(true);
  });

  it('pulls at most one item beyond the page (works on endless sources)', () => {
    const pulled = { count: 0 };
    const page = takePage(counting(Number.POSITIVE_INFINITY, pulled), 5);
    expect(page).toEqual({ items: [0, 1, 2, 3, 4], more: true });
    expect(pulled.count).toBe(6);
  });
});
