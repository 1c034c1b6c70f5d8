import { z } from 'zod';
import type { Principal } from '../../app/tokens.ts';
import { formatInterval, ruleInputSchema } from '../../rules/model.ts';
import type { RuleDetails } from '../../rules/service.ts';
import type { StoredRule } from '../../rules/stored.ts';
import { describeAction } from '../../rules/webhook.ts';
import type { RuleAlertRecord, RuleAlertStatus } from '../../store/types.ts';
import { errorResponses, type RoutePlugin } from '../route-module.ts';

/** What the rule routes call (`vigil.rules`). */
export interface RulesPort {
  addRule(input: unknown): Promise<StoredRule>;
  listRules(): Promise<StoredRule[]>;
  showRule(reference: string): Promise<RuleDetails>;
  removeRule(reference: string): Promise<void>;
  listAlerts(filter: { rule?: string; status?: RuleAlertStatus; limit?: number }): Promise<RuleAlertRecord[]>;
  dismissAlert(id: string, by: string): Promise<RuleAlertRecord>;
}

const ruleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    queries: z.array(z.object({ label: z.string(), text: z.string() })),
    when: z.string(),
    actions: z
      .array(z.string())
      .describe('webhook targets by scheme and host only (a path may hold a token)'),
    every: z.string().nullable(),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Rule' });

const ruleAlertSchema = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    ruleName: z.string(),
    status: z.enum(['ACTIVE', 'INACTIVE', 'DISMISSED']),
    openedAt: z.string(),
    lastFiredAt: z.string(),
    clearedAt: z.string().nullable(),
    dismissedAt: z.string().nullable(),
    dismissedBy: z.string().nullable(),
    rowCount: z.number(),
    rows: z.unknown(),
  })
  .meta({ id: 'RuleAlert' });

const deliverySchema = z
  .object({
    deliveryId: z.string(),
    attempt: z.number(),
    ruleId: z.string(),
    alertId: z.string().nullable(),
    target: z.string().describe('scheme and host only'),
    attemptedAt: z.string(),
    statusCode: z.number().nullable(),
    outcome: z.enum(['delivered', 'retrying', 'failed']),
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

/** A rule as answered: the condition as written, webhook URLs cut to scheme and host. */
function ruleView(rule: StoredRule): z.infer<typeof ruleSchema> {
  return {
    id: rule.id,
    name: rule.name,
    queries: rule.queries,
    when: rule.conditionText,
    actions: rule.actions.map(describeAction),
    every: rule.intervalMs === undefined ? null : formatInterval(rule.intervalMs),
    enabled: rule.enabled,
    createdAt: rule.createdAt,
    updatedAt: rule.updatedAt,
  };
}

const ruleParams = z.object({ rule: z.string().min(1).max(128).describe('rule id or name') });

/**
 * `/rules` and `/rule-alerts`: viewers read rules, their alerts and their webhook delivery log;
 * operators dismiss alerts (as their token's name); admins add and remove rules.
 */
export function ruleRoutes(rules: RulesPort): RoutePlugin {
  return async (app) => {
    app.get(
      '/rules',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'List alert rules',
          response: { 200: z.object({ rules: z.array(ruleSchema) }), ...errorResponses() },
        },
      },
      async () => ({ rules: (await rules.listRules()).map(ruleView) }),
    );
    app.get(
      '/rules/:rule',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'Show a rule, when it was last evaluated and its open alert',
          params: ruleParams,
          response: {
            200: z.object({
              rule: ruleSchema,
              lastEvaluatedAt: z.string().nullable(),
              openAlert: ruleAlertSchema.nullable(),
            }),
            ...errorResponses([400, 404]),
          },
        },
      },
      async (request) => {
        const details = await rules.showRule(request.params.rule);
        return {
          rule: ruleView(details.rule),
          lastEvaluatedAt: details.lastEvaluatedAt ?? null,
          openAlert: details.openAlert ?? null,
        };
      },
    );
    app.get(
      '/rules/:rule/deliveries',
      {
        config: { access: 'viewer' },
        schema: {
          summary: "The rule's last webhook delivery attempts, newest first",
          params: ruleParams,
          response: { 200: z.object({ deliveries: z.array(deliverySchema) }), ...errorResponses([400, 404]) },
        },
      },
      async (request) => ({ deliveries: (await rules.showRule(request.params.rule)).deliveries }),
    );
    app.post(
      '/rules',
      {
        config: { access: 'admin' },
        schema: {
          summary: 'Add a rule: J1QL queries, a condition (when) and actions (webhook:<url> | log)',
          body: ruleInputSchema,
          response: { 201: z.object({ rule: ruleSchema }), ...errorResponses([400]) },
        },
      },
      async (request, reply) => reply.code(201).send({ rule: ruleView(await rules.addRule(request.body)) }),
    );
    app.delete(
      '/rules/:rule',
      {
        config: { access: 'admin' },
        schema: {
          summary: 'Remove a rule (its alerts and delivery log stay, as history)',
          params: ruleParams,
          response: { 200: z.object({ removed: ruleSchema }), ...errorResponses([400, 404]) },
        },
      },
      async (request) => {
        const { rule } = await rules.showRule(request.params.rule);
        await rules.removeRule(rule.id);
        return { removed: ruleView(rule) };
      },
    );
    app.get(
      '/rule-alerts',
      {
        config: { access: 'viewer' },
        schema: {
          summary: 'Rule alerts, newest first, optionally of one rule and/or status',
          querystring: z.object({
            rule: z.string().min(1).max(128).optional(),
            status: z.enum(['ACTIVE', 'INACTIVE', 'DISMISSED']).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
          response: { 200: z.object({ alerts: z.array(ruleAlertSchema) }), ...errorResponses([400, 404]) },
        },
      },
      async (request) => {
        const { rule, status, limit } = request.query;
        return {
          alerts: await rules.listAlerts({
            limit,
            ...(rule === undefined ? {} : { rule }),
            ...(status === undefined ? {} : { status }),
          }),
        };
      },
    );
    app.post(
      '/rule-alerts/:id/dismiss',
      {
        config: { access: 'operator' },
        schema: {
          summary: 'Dismiss a rule alert (recorded as dismissed by the token name)',
          params: z.object({ id: z.string().min(1).max(128) }),
          response: { 200: z.object({ alert: ruleAlertSchema }), ...errorResponses([400, 404]) },
        },
      },
      async (request) => ({
        alert: await rules.dismissAlert(request.params.id, principalName(request.principal)),
      }),
    );
  };
}

function principalName(principal: Principal | undefined): string {
  return principal === undefined ? 'api' : `token:${principal.name}`;
}
