import { z } from 'zod';
import type { Rule, Ruleset } from '../data/rules.ts';
import type { OrgData } from '../org-data.ts';
import {
  type ApiHandler,
  type ApiRequest,
  arrayAfter,
  listPage,
  notFound,
  ok,
  parseBody,
} from './context.ts';

const indexCursor = z.number().int().min(-1);

function rulesetJson(data: OrgData, ruleset: Ruleset): Record<string, unknown> {
  const assigned = ruleset.name === 'CloudTrail Rule Set' ? [] : presentAgentIds(data);
  return {
    id: ruleset.id,
    name: ruleset.name,
    description: ruleset.description,
    createdAt: ruleset.createdAt,
    updatedAt: ruleset.updatedAt,
    rules: ruleset.ruleIds,
    agents: assigned,
  };
}

function presentAgentIds(data: OrgData): string[] {
  const ids: string[] = [];
  for (let i = 0; i < data.agents.size; i++) if (data.agents.isPresent(i)) ids.push(data.agents.id(i));
  return ids;
}

const rulesetBody = z.object({
  name: z.string().min(1),
  description: z.string().default(''),
  ruleIds: z.array(z.string()).default([]),
});

const tag = z.object({ source: z.string(), key: z.string(), value: z.string() });

const ruleBody = z.object({
  name: z.string().min(1),
  title: z.string().min(1),
  type: z.enum([
    'Host',
    'File',
    'CloudTrail',
    'ThreatIntel',
    'Winsec',
    'KubernetesAudit',
    'KubernetesConfig',
  ]),
  severityOfAlerts: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  alertDescription: z.string().default(''),
  aggregateFields: z.array(z.string()).default([]),
  filter: z.string().default(''),
  window: z.number().int().min(0).default(3600),
  threshold: z.number().int().min(1).default(1),
  suppressions: z.array(z.string()).default([]),
  enabled: z.boolean().default(true),
  fileIntegrityPaths: z.array(z.object({ path: z.string(), recursive: z.boolean() })).optional(),
  ignoreFiles: z.array(z.string()).optional(),
  eventsToMonitor: z.array(z.string()).optional(),
});

function rulesetOr404(req: ApiRequest): Ruleset {
  const ruleset = req.data.rules.ruleset(req.params.rulesetId ?? '');
  if (!ruleset) throw notFound('Ruleset');
  return ruleset;
}

/** GET /v2/rulesets[?agentId=…] */
export const listRulesets: ApiHandler = (req) => {
  const agentId = req.query.get('agentId');
  const all = req.data.rules.listRulesets();
  const rulesets =
    agentId === null
      ? all
      : all.filter((r) => (rulesetJson(req.data, r).agents as string[]).includes(agentId));
  return listPage(
    req,
    'rulesets',
    indexCursor,
    (after) => arrayAfter(rulesets, after),
    ([i]) => i,
    ([, r]) => rulesetJson(req.data, r),
  );
};

export const getRuleset: ApiHandler = (req) => ok(rulesetJson(req.data, rulesetOr404(req)));

export const createRuleset: ApiHandler = (req) =>
  ok(rulesetJson(req.data, req.data.rules.createRuleset(parseBody(req, rulesetBody))));

export const updateRuleset: ApiHandler = (req) => {
  const updated = req.data.rules.updateRuleset(req.params.rulesetId ?? '', parseBody(req, rulesetBody));
  if (!updated) throw notFound('Ruleset');
  return ok(rulesetJson(req.data, updated));
};

/** DELETE /v2/rulesets/:id → the agent ids that had the ruleset. */
export const deleteRuleset: ApiHandler = (req) => {
  const ruleset = rulesetOr404(req);
  const agents = rulesetJson(req.data, ruleset).agents;
  req.data.rules.deleteRuleset(ruleset.id);
  return ok({ agents });
};

export const listRules: ApiHandler = (req) => {
  const rules = req.data.rules.rulesOf(rulesetOr404(req).id);
  return listPage(
    req,
    'rules',
    indexCursor,
    (after) => arrayAfter(rules, after),
    ([i]) => i,
    ([, rule]) => rule,
  );
};

function ruleOr404(req: ApiRequest): Rule {
  const rule = req.data.rules.rule(req.params.ruleId ?? '');
  if (!rule || rule.rulesetId !== req.params.rulesetId) throw notFound('Rule');
  return rule;
}

export const getRule: ApiHandler = (req) => ok(ruleOr404(req));

export const createRule: ApiHandler = (req) => {
  const ruleset = rulesetOr404(req);
  return ok(req.data.rules.createRule(ruleset.id, parseBody(req, ruleBody)));
};

export const updateRule: ApiHandler = (req) => {
  const updated = req.data.rules.updateRule(
    req.params.rulesetId ?? '',
    req.params.ruleId ?? '',
    parseBody(req, ruleBody),
  );
  if (!updated) throw notFound('Rule');
  return ok(updated);
};

export const deleteRule: ApiHandler = (req) => {
  if (!req.data.rules.deleteRule(req.params.rulesetId ?? '', req.params.ruleId ?? '')) throw notFound('Rule');
  return ok({});
};

/** GET /v2/rules/:ruleId/tags → inclusion/exclusion, or 404 "No tags found for rule …". */
export const getRuleTags: ApiHandler = (req) => {
  const ruleId = req.params.ruleId ?? '';
  if (!req.data.rules.rule(ruleId)) throw notFound('Rule');
  const tags = req.data.rules.tagsOf(ruleId);
  if (!tags) return { status: 404, json: { errors: [`No tags found for rule ${ruleId}`] } };
  return ok(tags);
};

const tagsBody = z.object({ inclusion: z.array(tag).default([]), exclusion: z.array(tag).default([]) });

export const setRuleTags: ApiHandler = (req) => {
  const ruleId = req.params.ruleId ?? '';
  if (!req.data.rules.rule(ruleId)) throw notFound('Rule');
  const tags = parseBody(req, tagsBody);
  req.data.rules.setTags(ruleId, tags);
  return ok(tags);
};
