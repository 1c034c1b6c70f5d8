import { z } from 'zod';
import {
  addControlRoutes,
  adminOk as ok,
  parseAdminBody as parse,
  type AdminHandler as SharedAdminHandler,
} from '../common/admin.ts';
import { HttpError, Router } from '../common/http.ts';
import { churnSchema } from './churn.ts';
import { formatCveAgentsMode, parseCveAgentsMode } from './cve-agents.ts';
import type { ThreatStackSimulation } from './simulation.ts';
import { parseLenientIso } from './time.ts';
import { toWebhookSummary } from './webhook.ts';

type AdminHandler = SharedAdminHandler<ThreatStackSimulation>;

function orgOf(sim: ThreatStackSimulation, query: URLSearchParams | { orgId?: string | undefined }): string {
  const orgId =
    (query instanceof URLSearchParams ? query.get('org') : query.orgId) ?? sim.directory.primary.id;
  if (!sim.hasOrg(orgId)) throw new HttpError(404, `No organization ${orgId}`);
  return orgId;
}

const stats: AdminHandler = (sim, { query }) => {
  const since = query.get('alertsSince');
  const sinceMs = since === null ? undefined : parseLenientIso(since);
  if (sinceMs === null) throw new HttpError(400, 'alertsSince must be an ISO-8601 date or date-time');
  return ok(sim.stats(orgOf(sim, query), sinceMs));
};

const findings: AdminHandler = (sim, { query }) => ok(sim.findings(orgOf(sim, query)));

const cveAgentsView = (sim: ThreatStackSimulation) => ok({ mode: formatCveAgentsMode(sim.cveAgents) });

/** Switches how `/v2/vulnerabilities` lists `agents[]`: `{"mode":"full"|"cap:N"|"absent"}`. */
const setCveAgents: AdminHandler = (sim, { body }) => {
  const { mode } = parse(z.object({ mode: z.string() }).strict(), body);
  const parsed = parseCveAgentsMode(mode);
  if (parsed === null) throw new HttpError(400, `mode must be full, cap:N or absent, not '${mode}'`);
  sim.cveAgents = parsed;
  return cveAgentsView(sim);
};

const credentials: AdminHandler = (sim) =>
  ok({
    organizations: sim.directory.organizations,
    users: sim.directory.personaEntries().map(([persona, user]) => ({
      persona,
      userId: user.id,
      apiKey: user.apiKey,
      email: user.email,
    })),
    memberships: sim.directory.allMemberships(),
  });

const churn: AdminHandler = (sim, { query, body }) =>
  ok(sim.churn(orgOf(sim, query), parse(churnSchema, body)));

const memberBody = z.object({ userId: z.string(), orgId: z.string().optional() }).strict();

const revokeMember: AdminHandler = (sim, { body }) => {
  const input = parse(memberBody, body);
  const orgId = orgOf(sim, input);
  if (!sim.directory.revoke(orgId, input.userId))
    throw new HttpError(404, `User ${input.userId} is not a member`);
  return ok({ userId: input.userId, orgId, revoked: true });
};

const restoreMember: AdminHandler = (sim, { body }) => {
  const input = parse(memberBody.extend({ role: z.enum(['admin', 'user', 'reader']).default('user') }), body);
  const orgId = orgOf(sim, input);
  if (!sim.directory.addMember(orgId, input.userId, input.role))
    throw new HttpError(404, `No user ${input.userId}`);
  return ok({ userId: input.userId, orgId, revoked: false });
};

const emitBody = z
  .object({ url: z.url(), alertId: z.string().optional(), orgId: z.string().optional() })
  .strict();

/** Sends one alert (the given one, else the newest visible) to a URL and reports every attempt. */
const emitWebhook: AdminHandler = async (sim, { body }) => {
  const input = parse(emitBody, body);
  const data = sim.orgData(orgOf(sim, input));
  const now = sim.clock.now();
  const alert =
    input.alertId === undefined
      ? [...data.alerts.iterate({}, null, now)].pop()
      : data.alerts.get(input.alertId, now);
  if (!alert)
    throw new HttpError(404, input.alertId ? `No visible alert ${input.alertId}` : 'No visible alert');
  return ok({
    payload: { alerts: [toWebhookSummary(alert, data.org)] },
    ...(await sim.webhooks.deliverNow(input.url, alert, data.org)),
  });
};

const setWebhookTarget: AdminHandler = (sim, { body }) => {
  const input = parse(z.object({ url: z.url().nullable() }).strict(), body);
  sim.webhooks.setTarget(input.url);
  return ok({ target: sim.webhooks.url });
};

const webhookLog: AdminHandler = (sim) =>
  ok({ target: sim.webhooks.url, deliveries: sim.webhooks.deliveries });

const actionBody = z
  .object({
    technique: z.string().regex(/^T\d{4}(\.\d{3})?$/, 'must be an ATT&CK technique id such as T1059.004'),
    agentId: z.string().optional(),
    hostname: z.string().optional(),
    commandLine: z.string().min(1),
    time: z.string().optional(),
    user: z.string().optional(),
    orgId: z.string().optional(),
  })
  .strict()
  .refine(
    (a) => (a.agentId === undefined) !== (a.hostname === undefined),
    'give exactly one of agentId or hostname',
  );

const recordAction: AdminHandler = (sim, { body }) => {
  const input = parse(actionBody, body);
  const time = input.time === undefined ? undefined : parseLenientIso(input.time);
  if (time === null) throw new HttpError(400, 'time must be an ISO-8601 date-time');
  const data = sim.orgData(orgOf(sim, input));
  const { action, alert } = data.detection.record({ ...input, time }, sim.clock.now());
  if (alert) sim.webhooks.enqueue(alert, data.org);
  sim.webhooks.pump(sim.clock.now());
  return { status: 201, json: action };
};

const listActions: AdminHandler = (sim, { query }) =>
  ok({ actions: sim.orgData(orgOf(sim, query)).detection.actions });

const getAction: AdminHandler = (sim, { query, params }) => {
  const action = sim.orgData(orgOf(sim, query)).detection.action(params.id ?? '');
  if (!action) throw new HttpError(404, `No action ${params.id}`);
  return ok(action);
};

function detectionView(sim: ThreatStackSimulation, orgId: string): unknown {
  const { rules, detection } = sim.orgData(orgId);
  return {
    rulesetId: rules.detectionRulesetId,
    aggregateAlerts: detection.aggregateAlerts,
    rules: rules.rulesOf(rules.detectionRulesetId).map((rule) => {
      const technique = /\((T\d{4}(?:\.\d{3})?)\)$/.exec(rule.name)?.[1] ?? '';
      return {
        technique,
        ruleId: rule.id,
        title: rule.title,
        severity: rule.severityOfAlerts,
        enabled: rule.enabled,
        latencySeconds: detection.latencyFor(technique) / 1000,
        aggregateFields: rule.aggregateFields,
        windowSeconds: rule.window,
      };
    }),
  };
}

const detectionBody = z
  .object({
    orgId: z.string().optional(),
    defaultLatencySeconds: z.number().min(0).optional(),
    /** Alert aggregation by the rules' `aggregateFields` and `window` (see aggregation.ts). */
    aggregateAlerts: z.boolean().optional(),
    rules: z
      .array(
        z
          .object({
            technique: z.string().regex(/^T\d{4}(\.\d{3})?$/),
            title: z.string().min(1).optional(),
            severity: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
            enabled: z.boolean().optional(),
            latencySeconds: z.number().min(0).optional(),
            aggregateFields: z.array(z.string().min(1)).optional(),
            windowSeconds: z.number().int().min(0).optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** Adds, changes or disables detection rules; a technique without a rule gets one in the detection ruleset. */
const putDetection: AdminHandler = (sim, { body }) => {
  const input = parse(detectionBody, body);
  const orgId = orgOf(sim, input);
  const { rules, detection } = sim.orgData(orgId);
  if (input.defaultLatencySeconds !== undefined)
    detection.setDefaultLatency(input.defaultLatencySeconds * 1000);
  if (input.aggregateAlerts !== undefined) detection.aggregateAlerts = input.aggregateAlerts;
  for (const change of input.rules) {
    const existing = rules
      .rulesOf(rules.detectionRulesetId)
      .find((r) => r.name.endsWith(`(${change.technique})`));
    if (existing) {
      existing.title = change.title ?? existing.title;
      existing.severityOfAlerts = change.severity ?? existing.severityOfAlerts;
      existing.enabled = change.enabled ?? existing.enabled;
      existing.aggregateFields = change.aggregateFields ?? existing.aggregateFields;
      existing.window = change.windowSeconds ?? existing.window;
    } else {
      const title = change.title ?? `Activity matching ${change.technique}`;
      rules.createRule(rules.detectionRulesetId, {
        name: `${title} (${change.technique})`,
        title,
        type: 'Host',
        severityOfAlerts: change.severity ?? 2,
        alertDescription: `${title}.`,
        aggregateFields: change.aggregateFields ?? ['exe', 'user', 'command', 'hostname'],
        filter: 'event_type = "audit"',
        window: change.windowSeconds ?? 3600,
        threshold: 1,
        suppressions: [],
        enabled: change.enabled ?? true,
      });
    }
    if (change.latencySeconds !== undefined)
      detection.setLatency(change.technique, change.latencySeconds * 1000);
  }
  return ok(detectionView(sim, orgId));
};

/** The loopback-only admin API under /_sim/ (no Hawk), documented in the README. */
export function buildAdminRouter(): Router<AdminHandler> {
  const router = new Router<AdminHandler>()
    .add('GET', '/_sim/stats', stats)
    .add('GET', '/_sim/findings', findings)
    .add('GET', '/_sim/cve-agents', (sim) => cveAgentsView(sim))
    .add('PUT', '/_sim/cve-agents', setCveAgents)
    .add('GET', '/_sim/credentials', credentials);
  return addControlRoutes(
    router,
    (sim) => sim,
    (sim) => sim.webhooks.pump(sim.clock.now()),
  )
    .add('POST', '/_sim/churn', churn)
    .add('POST', '/_sim/members/revoke', revokeMember)
    .add('POST', '/_sim/members/restore', restoreMember)
    .add('POST', '/_sim/webhooks/emit', emitWebhook)
    .add('PUT', '/_sim/webhooks/target', setWebhookTarget)
    .add('GET', '/_sim/webhooks', webhookLog)
    .add('POST', '/_sim/actions', recordAction)
    .add('GET', '/_sim/actions', listActions)
    .add('GET', '/_sim/actions/:id', getAction)
    .add('GET', '/_sim/detection', (sim, { query }) => ok(detectionView(sim, orgOf(sim, query))))
    .add('PUT', '/_sim/detection', putDetection);
}
