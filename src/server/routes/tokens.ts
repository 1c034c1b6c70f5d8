import { z } from 'zod';
import { apiTokenRoles, tokenNameSchema } from '../../app/tokens.ts';
import type { TokenAdminPort } from '../ports.ts';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

const roleSchema = z.enum(apiTokenRoles);

const tokenSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });

const nameParamsSchema = z.object({ name: z.string().min(1).max(64) });

/**
 * `/me` (viewer): who the calling token belongs to (the web UI hides what its role may not do).
 * `/tokens` (admin): list, create (the token is in the answer, once) and revoke API tokens.
 */
export function tokenRoutes(tokens: TokenAdminPort): RoutePlugin {
  return async (app) => {
    app.get(
      '/me',
      {
        config: { access: 'viewer' },
        schema: {
          summary: "The calling token's name and role",
          response: { 200: z.object({ name: z.string(), role: roleSchema }), ...errorResponses() },
        },
      },
      async (request) => {
        const principal = request.principal!;
        return { name: principal.name, role: principal.role };
      },
    );
    app.get(
      '/tokens',
      {
        config: { access: 'admin' },
        schema: {
          summary: 'List API tokens (never their values)',
          response: { 200: z.object({ tokens: z.array(tokenSummarySchema) }), ...errorResponses() },
        },
      },
      async () => ({ tokens: await tokens.list() }),
    );
    app.post(
      '/tokens',
      {
        config: { access: 'admin' },
        schema: {
          summary: 'Create an API token; its value is shown in this answer only',
          body: z.object({ name: tokenNameSchema, role: roleSchema }),
          response: {
            201: z.object({ token: z.string(), apiToken: tokenSummarySchema }),
            ...errorResponses([400]),
          },
        },
      },
      async (request, reply) => {
        const created = await tokens.create(request.body);
        return reply.code(201).send({ token: created.token, apiToken: created.summary });
      },
    );
    app.delete(
      '/tokens/:name',
      {
        config: { access: 'admin' },
        schema: {
          summary: 'Revoke an API token by name',
          params: nameParamsSchema,
          response: { 200: z.object({ apiToken: tokenSummarySchema }), ...errorResponses([400, 404]) },
        },
      },
      async (request) => ({ apiToken: await tokens.revoke(request.params.name) }),
    );
  };
}
