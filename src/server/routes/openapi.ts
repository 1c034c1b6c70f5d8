import { z } from 'zod';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

/** `GET /openapi.json`: the OpenAPI 3.1 document, generated from the routes' zod schemas (viewer). */
export function openApiRoutes(): RoutePlugin {
  return async (app) => {
    app.get(
      '/openapi.json',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'This API as an OpenAPI 3.1 document',
          response: { 200: z.record(z.string(), z.unknown()), ...errorResponses() },
        },
      },
      async () => app.swagger() as unknown as Record<string, unknown>,
    );
  };
}
