import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../common/http.ts';

/** Page size of every list endpoint (decision D5). */
export const PAGE_SIZE = 100;

/**
 * The filters a token is bound to: the route path plus every query parameter except `token`,
 * sorted, so that the same filters in another order still match.
 */
export function scopeOf(path: string, query: URLSearchParams): string {
  // Keys and values are percent-encoded so that a value holding `&` or `=` cannot spell out other filters.
  const pairs = [...query.entries()]
    .filter(([key]) => key !== 'token')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return `${path}?${pairs.sort().join('&')}`;
}

/**
 * Opaque, URL-safe page tokens (decision D5): base64url(cursor JSON) + "." + a MAC binding it to
 * the scope (route and filters). A token presented with other filters, or altered, is rejected
 * with 400 `Invalid token`.
 */
export class PageTokens {
  constructor(private readonly secret: Buffer) {}

  issue(scope: string, cursor: unknown): string {
    const payload = Buffer.from(JSON.stringify(cursor)).toString('base64url');
    return `${payload}.${this.mac(scope, payload)}`;
  }

  read(token: string, scope: string): unknown {
    const [payload, mac, extra] = token.split('.');
    if (payload === undefined || mac === undefined || extra !== undefined) throw invalidToken();
    const expected = Buffer.from(this.mac(scope, payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalidToken();
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalidToken();
    }
  }

  private mac(scope: string, payload: string): string {
    return createHmac('sha256', this.secret).update(`${scope}\n${payload}`).digest('base64url').slice(0, 22);
  }
}

function invalidToken(): HttpError {
  return new HttpError(400, 'Invalid token');
}

/** Takes up to `limit` items and reports whether at least one more exists (so the last page is exact). */
export function takePage<T>(source: Iterator<T>, limit = PAGE_SIZE): { items: T[]; more: boolean } {
  const items: T[] = [];
  for (let next = source.next(); !next.done; next = source.next()) {
    if (items.length === limit) return { items, more: true };
    items.push(next.value);
  }
  return { items, more: false };
}
