import { z } from 'zod';
import type { IntegrationDetail } from '../../app/integrations.ts';
import type { ConnectivityResult } from '../../integrations/connectivity-types.ts';
import type { IntegrationView } from '../../integrations/registry.ts';
import type { SyncSummary } from '../../sync/types.ts';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

/** What the integration routes call (the application's integrations service provides it). */
export interface IntegrationsPort {
  list(): Promise<IntegrationDetail[]>;
  show(reference: string): Promise<IntegrationDetail>;
  add(
    request: {
      kind: string;
      name: string;
      fields: Record<string, unknown>;
      apiKey: string;
      takeOver?: boolean;
    },
    options: { firstSync: false },
  ): Promise<{ integration: IntegrationView; tookOverFrom: string | null }>;
  update(
    reference: string,
    changes: { fields: Record<string, unknown>; apiKey?: string | undefined },
  ): Promise<IntegrationDetail>;
  remove(reference: string, options: { purge?: boolean }): Promise<{ removed: IntegrationView }>;
  test(reference: string): Promise<ConnectivityResult>;
  sync(reference: string): Promise<{ title: string; report: SyncSummary }>;
}

const runBriefSchema = z.object({
  id: z.string(),
  status: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});

const integrationSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    source: z.string(),
    apiKey: z.literal('[set]').nullable().describe('never the key: whether one is stored'),
    config: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Integration' });

const integrationDetailSchema = integrationSchema
  .extend({ lastRun: runBriefSchema.nullable() })
  .meta({ id: 'IntegrationDetail' });

const nameParams = z.object({ name: z.string().min(1).max(128) });
const apiKeySchema = z.string().trim().min(1, 'an API key cannot be empty').max(4096);
const fieldsSchema = z
  .record(z.string(), z.unknown())
  .default({})
  .describe('config fields by name (host, port, orgId …); see `vigil help integrations add`');

const syncSchema = z.object({
  title: z.string(),
  run: z.object({
    runId: z.string(),
    status: z.string(),
    startedAt: z.string(),
    finishedAt: z.string(),
    durationMs: z.number(),
  }),
});

const testSchema = z.object({
  code: z.string(),
  message: z.string(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
  retryAfterMs: z.number().optional(),
});

/** An integration as answered: its configuration as a plain record (the schema's shape). */
function shaped<View extends { config: object }>(
  view: View,
): Omit<View, 'config'> & { config: Record<string, unknown> } {
  return { ...view, config: Object.fromEntries(Object.entries(view.config)) };
}

/**
 * `/integrations`: viewers list and show; operators test and sync now (the sync runs while the
 * request waits and answers its run); admins add (without a first sync: POST …/sync for that),
 * update and remove. API keys go in, never out.
 */
export function integrationRoutes(integrations: IntegrationsPort): RoutePlugin {
  return async (app) => {
    app.get(
      '/integrations',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'List integrations with their last sync',
          response: {
            200: z.object({ integrations: z.array(integrationDetailSchema) }),
            ...errorResponses(),
          },
        },
      },
      async () => ({ integrations: (await integrations.list()).map(shaped) }),
    );
    app.get(
      '/integrations/:name',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'Show an integration (by name or id)',
          params: nameParams,
          response: {
            200: z.object({ integration: integrationDetailSchema }),
            ...errorResponses([400, 404]),
          },
        },
      },
      async (request) => ({ integration: shaped(await integrations.show(request.params.name)) }),
    );
    app.post(
      '/integrations',
      {
        config: { access: 'admin' },
        schema: {
          summary: 'Add an integration (no first sync: POST /integrations/{name}/sync)',
          body: z.object({
            kind: z.string().min(1),
            name: z.string().min(1).max(128),
            fields: fieldsSchema,
            apiKey: apiKeySchema,
            takeOver: z.boolean().default(false),
          }),
          response: {
            201: z.object({ integration: integrationSchema, tookOverFrom: z.string().nullable() }),
            ...errorResponses([400, 409]),
          },
        },
      },
      async (request, reply) => {
        const added = await integrations.add(request.body, { firstSync: false });
        return reply
          .code(201)
          .send({ integration: shaped(added.integration), tookOverFrom: added.tookOverFrom });
      },
    );
    app.patch(
      '/integrations/:name',
      {
        config: { access: 'admin' },
        schema: {
          summary: 'Change settings and/or the API key',
          params: nameParams,
          body: z.object({ fields: fieldsSchema, apiKey: apiKeySchema.optional() }),
          response: {
            200: z.object({ integration: integrationDetailSchema }),
            ...errorResponses([400, 404, 409]),
          },
        },
      },
      async (request) => ({
        integration: shaped(await integrations.update(request.params.name, request.body)),
      }),
    );
    app.delete(
      '/integrations/:name',
      {
        config: { access: 'admin' },
        schema: {
          summary: 'Remove an integration (purge=true deletes its graph rows too)',
          params: nameParams,
          querystring: z.object({ purge: z.enum(['true', 'false']).default('false') }),
          response: { 200: z.object({ removed: integrationSchema }), ...errorResponses([400, 404]) },
        },
      },
      async (request) => {
        const { removed } = await integrations.remove(request.params.name, {
          purge: request.query.purge === 'true',
        });
        return { removed: shaped(removed) };
      },
    );
    app.post(
      '/integrations/:name/test',
      {
        config: { access: 'operator' },
        schema: {
          summary: 'Run the layered connectivity test (code OK when every layer passed)',
          params: nameParams,
          response: { 200: testSchema, ...errorResponses([400, 404]) },
        },
      },
      async (request) => integrations.test(request.params.name),
    );
    app.post(
      '/integrations/:name/sync',
      {
        config: { access: 'operator' },
        schema: {
          summary: 'Sync now; answers when the run ended',
          params: nameParams,
          response: { 200: syncSchema, ...errorResponses([400, 404, 409]) },
        },
      },
      async (request) => {
        const { title, report } = await integrations.sync(request.params.name);
        const { runId, status, startedAt, finishedAt, durationMs } = report;
        return { title, run: { runId, status, startedAt, finishedAt, durationMs } };
      },
    );
  };
}
