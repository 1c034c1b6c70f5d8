import { z } from 'zod';
import type { CreatedValidation, RunRequest } from '../../app/validation.ts';
import type { ValidationReport } from '../../app/validation-report.ts';
import type { ValidationSummary } from '../../store/types.ts';
import { passRuleSchema, techniqueIdSchema } from '../../validation/action.ts';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

/** What the validation routes call (`vigil.validations`). */
export interface ValidationsPort {
  list(limit: number): Promise<ValidationSummary[]>;
  /** NOT_FOUND when unknown. */
  show(id: string): Promise<ValidationReport>;
  /** Runs the techniques with the executor, then creates the validation (`vigil validate run`). */
  run(request: RunRequest): Promise<CreatedValidation>;
}

/** Stored JSON the report passes through as it is. */
const jsonValue = z.unknown();
const statusSchema = z.enum(['running', 'complete']);

const validationSummarySchema = z
  .object({
    id: z.string(),
    integrationId: z.string(),
    name: z.string(),
    createdAt: z.string(),
    status: statusSchema,
    actions: z.number().describe('how many actions it holds'),
    verdicts: z.number().describe('how many of them have their verdict'),
  })
  .meta({ id: 'ValidationSummary' });

const actionSchema = z.object({
  id: z.string(),
  technique: z.string(),
  target: z.object({
    agentId: z.string().optional(),
    hostname: z.string().optional(),
    ips: z.array(z.string()),
    ports: z.array(z.number()),
  }),
  commandLine: z.string().optional(),
  marker: z.string().optional(),
  processId: z.number().optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  outcome: z.string(),
  source: z.string(),
  expected: z.string().optional(),
});

const validationReportSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    integration: z.object({ id: z.string(), name: z.string().nullable() }),
    createdAt: z.string(),
    status: statusSchema,
    passRules: jsonValue,
    settings: jsonValue.describe('the window settings and correlation options frozen at creation'),
    verdicts: z.record(z.string(), z.number()).describe('verdict counts over the actions that have one'),
    actions: z.array(
      z.object({
        action: actionSchema,
        progress: z.object({
          pollsDone: z.number(),
          polls: z.number(),
          nextPollAt: z.string().nullable(),
          windowsSearched: z.array(z.object({ index: z.number(), from: z.string(), until: z.string() })),
        }),
        verdict: z.string().nullable().describe('null until the last poll has run'),
        correlation: jsonValue.describe('pass rule, result and evidence (alerts, events, matched fields)'),
        suspicious: jsonValue.describe('null unless the integration saves suspicious events'),
        correlatedAt: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'ValidationReport' });

const createdSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    actions: z.number(),
    firstPollAt: z.string().describe('when the first poll is due'),
    skipped: z.array(z.object({ where: z.string(), reason: z.string() })),
  })
  .meta({ id: 'CreatedValidation' });

const runBodySchema = z.object({
  integration: z.string().min(1).max(128).describe('the Threat Stack integration to search (name or id)'),
  techniques: z.array(techniqueIdSchema).min(1).max(100),
  host: z.string().trim().min(1).max(255).describe('the host to run them on'),
  executor: z.literal('simulator').default('simulator'),
  name: z.string().trim().min(1).max(200).optional(),
  command: z.string().trim().min(1).max(4096).optional().describe('default an echo of the technique'),
  passRule: passRuleSchema.optional(),
});

/**
 * `/validations`: viewers list them and read a report (actions, poll progress, verdicts,
 * evidence, suspicious events); operators start one (`vigil validate run`: the executor runs
 * each technique, then the polls run as jobs of `vigil serve`).
 */
export function validationRoutes(validations: ValidationsPort): RoutePlugin {
  return async (app) => {
    app.get(
      '/validations',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'List validations, newest first, with their action and verdict counts',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }),
          response: {
            200: z.object({ validations: z.array(validationSummarySchema) }),
            ...errorResponses([400]),
          },
        },
      },
      async (request) => ({ validations: await validations.list(request.query.limit) }),
    );
    app.get(
      '/validations/:id',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'One validation: actions, poll progress, verdicts, evidence, suspicious events',
          params: z.object({ id: z.string().min(1).max(128) }),
          response: { 200: validationReportSchema, ...errorResponses([400, 404]) },
        },
      },
      async (request) => validations.show(request.params.id),
    );
    app.post(
      '/validations',
      {
        config: { access: 'operator' },
        schema: {
          summary: 'Run techniques on a host with an executor, then look for them in Threat Stack',
          body: runBodySchema,
          response: { 201: createdSchema, ...errorResponses([400, 404, 502]) },
        },
      },
      async (request, reply) => {
        const { integration, techniques, host, executor, name, command, passRule } = request.body;
        const created = await validations.run({
          integration,
          techniques,
          host,
          executor,
          name,
          command,
          passRule,
        });
        return reply.code(201).send(created);
      },
    );
  };
}
