import { z } from 'zod';
import { VigilError } from '../../errors.ts';
import type { HealthPort } from '../ports.ts';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

const liveSchema = z.object({ status: z.literal('ok') });
const readySchema = z.object({ status: z.literal('ready') });

/** `/healthz` (the process answers) and `/readyz` (the database and the job runtime answer); both public. */
export function healthRoutes(health: HealthPort): RoutePlugin {
  return async (app) => {
    app.get(
      '/healthz',
      {
        config: { access: 'public' },
        schema: {
          summary: 'The process is up',
          security: [],
          response: { 200: liveSchema, ...errorResponses([], { isPublic: true }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );
    app.get(
      '/readyz',
      {
        config: { access: 'public' },
        schema: {
          summary: 'The database and the job runtime are available',
          security: [],
          response: { 200: readySchema, ...errorResponses([503], { isPublic: true }) },
        },
      },
      async (request) => {
        const [database, jobs] = await Promise.allSettled([health.checkDatabase(), health.checkJobs()]);
        const failed = Object.entries({ database, jobs }).filter(
          ([, result]) => result.status === 'rejected',
        );
        const failing = failed.map(([part]) => part);
        if (failing.length > 0) {
          const reasons = Object.fromEntries(
            failed.map(([part, result]) => [part, result.status === 'rejected' ? String(result.reason) : '']),
          );
          request.log.warn({ reasons }, 'not ready');
          throw new VigilError('NOT_READY', `Not ready: ${failing.join(' and ')} unavailable.`, {
            hint: 'The server log names the reason; check the database (VIGIL_DB) and the job runtime.',
          });
        }
        return { status: 'ready' as const };
      },
    );
  };
}
