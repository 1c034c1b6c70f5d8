import { Router } from '../../common/http.ts';
import type { Directory } from '../identity.ts';
import { getAgent, listAgents, listEc2 } from './agents.ts';
import { dismissAlerts, getAlert, listAlertEvents, listAlerts, severityCounts } from './alerts.ts';
import type { ApiHandler } from './context.ts';
import { addMember, invite, listMembers, removeMember } from './organizations.ts';
import {
  createRule,
  createRuleset,
  deleteRule,
  deleteRuleset,
  getRule,
  getRuleset,
  getRuleTags,
  listRules,
  listRulesets,
  setRuleTags,
  updateRule,
  updateRuleset,
} from './rules.ts';
import {
  getVulnerability,
  listPackageVulnerabilities,
  listSuppressions,
  listVulnerabilities,
  listVulnerableServers,
} from './vulnerabilities.ts';

const selfTest: ApiHandler = () => ({ status: 200, json: { authenticated: true } });

/** A route's handler and its name in the request counters: method and pattern, e.g. `GET /v2/agents/{id}`. */
export interface ApiRoute {
  route: string;
  handler: ApiHandler;
}

/** Every Hawk-authenticated route of the spec's checklist (§8), literal paths before parameterised ones. */
export function buildApiRouter(directory: Directory): Router<ApiRoute> {
  const routes: Array<[string, string, ApiHandler]> = [
    ['GET', '/help/hawk/self-test', selfTest],
    ['GET', '/v2/agents', listAgents],
    ['GET', '/v2/agents/:id', getAgent],
    ['GET', '/v2/alerts', listAlerts],
    ['GET', '/v2/alerts/severity-counts', severityCounts],
    ['POST', '/v2/alerts/dismiss', dismissAlerts],
    ['GET', '/v2/alerts/:id', getAlert],
    ['GET', '/v2/alerts/:id/events', listAlertEvents],
    ['GET', '/v2/vulnerabilities', listVulnerabilities],
    ['GET', '/v2/vulnerabilities/suppressions', listSuppressions],
    ['GET', '/v2/vulnerabilities/package/:pkg', listPackageVulnerabilities],
    ['GET', '/v2/vulnerabilities/:cve', getVulnerability],
    ['GET', '/v2/vulnerabilities/:cve/servers', listVulnerableServers],
    ['GET', '/v2/rulesets', listRulesets],
    ['POST', '/v2/rulesets', createRuleset],
    ['GET', '/v2/rulesets/:rulesetId', getRuleset],
    ['PUT', '/v2/rulesets/:rulesetId', updateRuleset],
    ['DELETE', '/v2/rulesets/:rulesetId', deleteRuleset],
    ['GET', '/v2/rulesets/:rulesetId/rules', listRules],
    ['POST', '/v2/rulesets/:rulesetId/rules', createRule],
    ['GET', '/v2/rulesets/:rulesetId/rules/:ruleId', getRule],
    ['PUT', '/v2/rulesets/:rulesetId/rules/:ruleId', updateRule],
    ['DELETE', '/v2/rulesets/:rulesetId/rules/:ruleId', deleteRule],
    ['GET', '/v2/rules/:ruleId/tags', getRuleTags],
    ['POST', '/v2/rules/:ruleId/tags', setRuleTags],
    ['GET', '/v2/aws/ec2', listEc2],
    ['GET', '/v2/organizations/members', listMembers(directory)],
    ['POST', '/v2/organizations/members', addMember(directory)],
    ['DELETE', '/v2/organizations/members/:userId', removeMember(directory)],
    ['POST', '/v2/organizations/invites', invite],
    ['PUT', '/v2/organizations/invites', invite],
  ];
  const router = new Router<ApiRoute>();
  for (const [method, path, handler] of routes) {
    router.add(method, path, { route: `${method} ${path.replace(/:(\w+)/g, '{$1}')}`, handler });
  }
  return router;
}
