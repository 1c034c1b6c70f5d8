import { z } from 'zod';
import { prometheusContentType, type VigilMetrics } from '../metrics.ts';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

/** `GET /metrics`: the Prometheus text exposition (viewer). */
export function metricsRoutes(metrics: VigilMetrics): RoutePlugin {
  return async (app) => {
    app.get(
      '/metrics',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'Metrics in the Prometheus text format',
          response: {
            200: {
              description: 'Prometheus text exposition',
              content: { 'text/plain': { schema: z.string() } },
            },
            ...errorResponses(),
          },
        },
      },
      async (_request, reply) => reply.type(prometheusContentType).send(await metrics.registry.render()),
    );
  };
}
