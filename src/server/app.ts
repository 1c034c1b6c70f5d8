import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { installAuthentication } from './auth.ts';
import { installErrorHandling } from './error-handler.ts';
import type { RateLimitSettings, ServerDeps } from './ports.ts';
import { TokenBucketLimiter } from './rate-limit.ts';
import { installRequestLogging } from './request-log.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { uiRoutes } from './ui.ts';

/** The per-token rate when none is configured: bursts of 100, 20 requests a second sustained. */
export const defaultRateLimit: RateLimitSettings = { burst: 100, perSecond: 20 };

/** The prefix of the resource routes. */
export const apiPrefix = '/api/v1';

async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vigil API',
        version: '1',
        description:
          'Vigil: Threat Stack and ThreatConnect in one graph. Bearer API tokens with roles viewer < operator < admin.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
}

/**
 * Builds the HTTP API (not listening: see `startServer`). Every route is a zod-typed module
 * from `routes/`, guarded by its declared access (see `route-module.ts`), answering errors as
 * `{"error":{"code","message","hint"}}`; `/openapi.json` is generated from the same schemas.
 * The caller closes the instance.
 */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  installRequestLogging(app);
  const limiter = new TokenBucketLimiter({ ...(deps.rateLimit ?? defaultRateLimit), now: deps.now });
  installAuthentication(app, deps.tokens, limiter);
  await registerOpenApi(app);

  await app.register(healthRoutes(deps.health));
  await app.register(metricsRoutes(deps.metrics));
  await app.register(openApiRoutes());
  await app.register(webhookRoutes(deps.webhooks, deps.metrics));
  await app.register(tokenRoutes(deps.tokens), { prefix: apiPrefix });
  for (const resource of deps.resources ?? []) await app.register(resource, { prefix: apiPrefix });
  await app.register(uiRoutes());
  await app.ready();
  return app;
}
