import type { FastifyInstance } from 'fastify';

const webhookPath = /^(\/webhooks\/[^/?]+\/[^/?]+\/)[^/?]+/;

/** A request URL fit for logs and messages: the webhook path's secret segment is replaced. */
export function redactUrl(url: string): string {
  return url.replace(webhookPath, '$1[redacted]');
}

/**
 * Tags every answer with `X-Request-Id` (what an INTERNAL_ERROR's hint quotes) and logs one line
 * per answered request: method, URL (webhook secret redacted), route, status,
 * duration and the token's name when one authenticated. Headers are never logged, so neither
 * is Authorization.
 */
export function installRequestLogging(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: redactUrl(request.url),
        route: request.routeOptions.url ?? null,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        token: request.principal?.name ?? null,
      },
      'request',
    );
  });
}
