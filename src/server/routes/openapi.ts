import { z } from 'zod';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

/** The document's outline; @fastify/swagger builds the rest from the routes. */
const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/** `GET /openapi.json`: the OpenAPI 3.1 document, generated from the routes' zod schemas (viewer). */
export function openApiRoutes(): RoutePlugin {
  return async (app) => {
    app.get(
      '/openapi.json',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'This API as an OpenAPI 3.1 document',
          response: { 200: openApiDocumentSchema, ...errorResponses() },
        },
      },
      async () => openApiDocumentSchema.parse(app.swagger()),
    );
  };
}
