import { z } from 'zod';
import type { RunDetail, RunListItem } from '../../app/runs.ts';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

/** What the run routes call (`vigil.runs`). */
export interface RunsPort {
  list(options: { integration?: string | undefined; limit: number }): Promise<RunListItem[]>;
  show(runId: string): Promise<RunDetail>;
}

const runFields = {
  id: z.string(),
  integrationId: z.string(),
  integration: z.string().nullable(),
  status: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
};

const runSchema = z
  .object({
    ...runFields,
    changes: z.object({ created: z.number(), updated: z.number(), deleted: z.number() }),
  })
  .meta({ id: 'Run' });

const runDetailSchema = z
  .object({
    ...runFields,
    steps: z.array(
      z.object({
        stepId: z.string(),
        name: z.string().nullable(),
        status: z.string(),
        startedAt: z.string(),
        finishedAt: z.string(),
        durationMs: z.number(),
        items: z.number().nullable(),
        types: z.array(z.string()),
        error: z.object({ code: z.string(), message: z.string() }).nullable(),
      }),
    ),
    changes: z.array(
      z.object({
        kind: z.string(),
        type: z.string(),
        created: z.number(),
        updated: z.number(),
        deleted: z.number(),
      }),
    ),
    requests: z.record(z.string(), z.number()).nullable(),
  })
  .meta({ id: 'RunDetail' });

/** `/runs` (viewer): sync runs newest first, optionally of one integration; one run with its steps. */
export function runRoutes(runs: RunsPort): RoutePlugin {
  return async (app) => {
    app.get(
      '/runs',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'List sync runs, newest first',
          querystring: z.object({
            integration: z.string().min(1).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(50),
          }),
          response: { 200: z.object({ runs: z.array(runSchema) }), ...errorResponses([400, 404]) },
        },
      },
      async (request) => ({ runs: await runs.list(request.query) }),
    );
    app.get(
      '/runs/:runId',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'Show one run with its steps, changes and request counters',
          params: z.object({ runId: z.string().min(1).max(128) }),
          response: { 200: z.object({ run: runDetailSchema }), ...errorResponses([400, 404]) },
        },
      },
      async (request) => ({ run: await runs.show(request.params.runId) }),
    );
  };
}
