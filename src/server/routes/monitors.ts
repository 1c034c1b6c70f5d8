import { z } from 'zod';
import type { MonitorDetails } from '../../app/monitors.ts';
import type { DriftAlertView, MonitorSummary } from '../../monitors/model.ts';
import { monitorInputSchema } from '../../monitors/model.ts';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

/** What the monitor routes call (`vigil.monitors`). */
export interface MonitorsPort {
  add(input: unknown): Promise<MonitorSummary>;
  list(): Promise<MonitorSummary[]>;
  show(reference: string): Promise<MonitorDetails>;
  remove(reference: string): Promise<MonitorSummary>;
  run(reference: string): Promise<{ runId: string; validationIds: string[] }>;
  dismiss(driftId: string): Promise<DriftAlertView>;
}

const verdictCounts = z.record(z.string(), z.number());

const monitorSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    integration: z.object({ id: z.string(), name: z.string() }),
    actor: z.object({ key: z.string(), name: z.string() }).nullable(),
    techniques: z.array(z.string()),
    host: z.string(),
    every: z.string(),
    expect: z.enum(['detected', 'prevented', 'either']),
    lastRunAt: z.string().nullable(),
    nextRunAt: z.string().nullable(),
    openDrift: z.number(),
    warning: z.string().nullable(),
    actions: z
      .array(z.string())
      .describe('webhook targets by scheme and host only (a path may hold a token)'),
  })
  .meta({ id: 'MonitorSummary' });

const monitorRunSchema = z
  .object({
    runId: z.string(),
    validationId: z.string().nullable(),
    validationIds: z.array(z.string()),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    status: z.enum(['running', 'complete']),
    byVerdict: verdictCounts,
  })
  .meta({ id: 'MonitorRun' });

const driftAlertSchema = z
  .object({
    id: z.string(),
    technique: z.string(),
    previous: z.string().nullable(),
    current: z.string(),
    expected: z.string(),
    validationId: z.string(),
    raisedAt: z.string(),
    status: z.enum(['ACTIVE', 'DISMISSED']),
  })
  .meta({ id: 'DriftAlert' });

const monitorParams = z.object({ name: z.string().min(1).max(128).describe('monitor name or id') });

/**
 * `/monitors` (CONTRACTS-API.md): viewers list and show monitors with their runs and drift;
 * operators run one now and dismiss drift; admins add and remove monitors.
 */
export function monitorRoutes(monitors: MonitorsPort): RoutePlugin {
  return async (app) => {
    app.get(
      '/monitors',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'List monitors',
          response: { 200: z.object({ monitors: z.array(monitorSummarySchema) }), ...errorResponses() },
        },
      },
      async () => ({ monitors: await monitors.list() }),
    );
    app.get(
      '/monitors/:name',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'Show a monitor, its runs (newest first) and its drift alerts (open and dismissed)',
          params: monitorParams,
          response: {
            200: z.object({
              monitor: monitorSummarySchema,
              runs: z.array(monitorRunSchema),
              drift: z.array(driftAlertSchema),
            }),
            ...errorResponses([400, 404]),
          },
        },
      },
      async (request) => monitors.show(request.params.name),
    );
    app.post(
      '/monitors',
      {
        config: { access: 'admin' },
        schema: {
          summary: 'Add a monitor: an actor or techniques, run on a host every interval, with an expectation',
          body: monitorInputSchema,
          response: { 201: monitorSummarySchema, ...errorResponses([400, 404]) },
        },
      },
      async (request, reply) => reply.code(201).send(await monitors.add(request.body)),
    );
    app.delete(
      '/monitors/:name',
      {
        config: { access: 'admin' },
        schema: {
          summary: 'Remove a monitor with its runs and drift alerts (its validations stay)',
          params: monitorParams,
          response: { 204: z.null(), ...errorResponses([400, 404]) },
        },
      },
      async (request, reply) => {
        await monitors.remove(request.params.name);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/monitors/:name/run',
      {
        config: { access: 'operator' },
        schema: {
          summary: 'Run a monitor now; its drift is compared when every verdict is in',
          params: monitorParams,
          response: {
            202: z.object({
              validationId: z.string().nullable(),
              runId: z.string(),
              validationIds: z.array(z.string()),
            }),
            ...errorResponses([400, 404]),
          },
        },
      },
      async (request, reply) => {
        const started = await monitors.run(request.params.name);
        return reply.code(202).send({ validationId: started.validationIds[0] ?? null, ...started });
      },
    );
    app.post(
      '/monitor-drift/:id/dismiss',
      {
        config: { access: 'operator' },
        schema: {
          summary: 'Dismiss a drift alert',
          params: z.object({ id: z.string().min(1).max(128) }),
          response: { 200: z.object({ drift: driftAlertSchema }), ...errorResponses([400, 404]) },
        },
      },
      async (request) => ({ drift: await monitors.dismiss(request.params.id) }),
    );
  };
}
