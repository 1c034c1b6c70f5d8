import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ErrorCode, errorRegistry } from '../errors.ts';
import type { ApiTokenRole } from '../store/types.ts';

/**
 * How routes are written: each resource is one module `routes/<resource>.ts` exporting a factory
 * that takes its port and returns a fastify plugin (`RoutePlugin`). Every route declares
 * `config.access` — `'public'` or the least role that may call it — and zod schemas for its
 * params, query, body and each response, error statuses included (`errorResponses`). The server
 * refuses to start with a route that declares no access.
 */
export type RoutePlugin = FastifyPluginAsyncZod;

/** Who may call a route: anyone (`public`), or a bearer token of at least this role. */
export type RouteAccess = 'public' | ApiTokenRole;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifySchema {
    /** The route's access, copied from `config.access` and published in /openapi.json (set by the server). */
    'x-vigil-access'?: RouteAccess;
  }
}

const errorCodes = Object.keys(errorRegistry) as [ErrorCode, ...ErrorCode[]];

/** The body of every error answer: `{"error":{"code","message","hint"}}`. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string(),
      hint: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });

/** The error statuses every token-protected route may answer. */
const protectedErrorStatuses = [401, 403, 429, 500] as const;

/**
 * Response schemas for error statuses: those of every protected route, plus `extra` (e.g. 400,
 * 404). Public routes pass `{ isPublic: true }` to leave out 401, 403 and 429.
 */
export function errorResponses(
  extra: readonly number[] = [],
  options: { isPublic?: boolean } = {},
): Record<number, typeof errorBodySchema> {
  const statuses = options.isPublic === true ? [500] : [...protectedErrorStatuses];
  return Object.fromEntries([...statuses, ...extra].map((status) => [status, errorBodySchema]));
}
