import type { z } from 'zod';
import { HttpError } from '../../common/http.ts';
import type { CveAgentsMode } from '../cve-agents.ts';
import type { Membership, User } from '../identity.ts';
import type { OrgData } from '../org-data.ts';
import { type PageTokens, scopeOf, takePage } from '../pagination.ts';

/** An authenticated API request, as route handlers see it. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  rawBody: Buffer;
  data: OrgData;
  user: User;
  membership: Membership;
  now: number;
  tokens: PageTokens;
  /** How CVEs list their `agents[]` (fidelity switch). */
  cveAgents: CveAgentsMode;
}

export interface ApiReply {
  status: number;
  json: unknown;
}

export type ApiHandler = (req: ApiRequest) => ApiReply | Promise<ApiReply>;

export function ok(json: unknown): ApiReply {
  return { status: 200, json };
}

export function notFound(what: string): HttpError {
  return new HttpError(404, `${what} not found`);
}

/** Parses a JSON request body with a schema; failures are 400 with the problems listed. */
export function parseBody<T>(req: ApiRequest, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(req.rawBody.toString('utf8') || 'null');
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new HttpError(400, `Invalid request body: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Reads a query parameter that must take one of `allowed` values (required unless `optional`). */
export function enumParam<T extends string>(
  req: ApiRequest,
  name: string,
  allowed: readonly T[],
  optional = false,
): T | undefined {
  const value = req.query.get(name);
  if (value === null && optional) return undefined;
  if (value === null || !allowed.includes(value as T)) {
    throw new HttpError(400, `Query parameter ${name} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** A boolean query parameter (`true`/`false`), or undefined when absent. */
export function booleanParam(req: ApiRequest, ...names: string[]): boolean | undefined {
  for (const name of names) {
    const value = req.query.get(name);
    if (value === null) continue;
    if (value !== 'true' && value !== 'false')
      throw new HttpError(400, `Query parameter ${name} must be true or false`);
    return value === 'true';
  }
  return undefined;
}

/**
 * Serves one page of a token-paginated list (D5): reads the cursor from `token` (bound to the
 * route and filters), takes 100 items after it, and issues the next token, or `null` on the last page.
 */
export function listPage<T, C>(
  req: ApiRequest,
  key: string,
  cursorSchema: z.ZodType<C>,
  iterate: (after: C | null) => Iterator<T>,
  cursorOf: (item: T) => C,
  render: (item: T) => unknown,
): ApiReply {
  const scope = scopeOf(req.path, req.query);
  const token = req.query.get('token');
  let after: C | null = null;
  if (token !== null && token !== '') {
    const parsed = cursorSchema.safeParse(req.tokens.read(token, scope));
    if (!parsed.success) throw new HttpError(400, 'Invalid token');
    after = parsed.data;
  }
  const { items, more } = takePage(iterate(after));
  const last = items[items.length - 1];
  return ok({
    [key]: items.map(render),
    token: more && last !== undefined ? req.tokens.issue(scope, cursorOf(last)) : null,
  });
}

/** Iterates an in-memory array after an index cursor. */
export function* arrayAfter<T>(items: readonly T[], after: number | null): Generator<[number, T]> {
  for (let i = after === null ? 0 : after + 1; i < items.length; i++) {
    const item = items[i];
    if (item !== undefined) yield [i, item];
  }
}
