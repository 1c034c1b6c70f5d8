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

/** Every Hawk-authenticated route of the spec's checklist (§8), literal paths before parameterised ones. */
export function buildApiRouter(directory: Directory): Router<ApiHandler> {
  return new Router<ApiHandler>()
    .add('GET', '/help/hawk/self-test', selfTest)
    .add('GET', '/v2/agents', listAgents)
    .add('GET', '/v2/agents/:id', getAgent)
    .add('GET', '/v2/alerts', listAlerts)
    .add('GET', '/v2/alerts/severity-counts', severityCounts)
    .add('POST', '/v2/alerts/dismiss', dismissAlerts)
    .add('GET', '/v2/alerts/:id', getAlert)
    .add('GET', '/v2/alerts/:id/events', listAlertEvents)
    .add('GET', '/v2/vulnerabilities', listVulnerabilities)
    .add('GET', '/v2/vulnerabilities/suppressions', listSuppressions)
    .add('GET', '/v2/vulnerabilities/package/:pkg', listPackageVulnerabilities)
    .add('GET', '/v2/vulnerabilities/:cve', getVulnerability)
    .add('GET', '/v2/vulnerabilities/:cve/servers', listVulnerableServers)
    .add('GET', '/v2/rulesets', listRulesets)
    .add('POST', '/v2/rulesets', createRuleset)
    .add('GET', '/v2/rulesets/:rulesetId', getRuleset)
    .add('PUT', '/v2/rulesets/:rulesetId', updateRuleset)
    .add('DELETE', '/v2/rulesets/:rulesetId', deleteRuleset)
    .add('GET', '/v2/rulesets/:rulesetId/rules', listRules)
    .add('POST', '/v2/rulesets/:rulesetId/rules', createRule)
    .add('GET', '/v2/rulesets/:rulesetId/rules/:ruleId', getRule)
    .add('PUT', '/v2/rulesets/:rulesetId/rules/:ruleId', updateRule)
    .add('DELETE', '/v2/rulesets/:rulesetId/rules/:ruleId', deleteRule)
    .add('GET', '/v2/rules/:ruleId/tags', getRuleTags)
    .add('POST', '/v2/rules/:ruleId/tags', setRuleTags)
    .add('GET', '/v2/aws/ec2', listEc2)
    .add('GET', '/v2/organizations/members', listMembers(directory))
    .add('POST', '/v2/organizations/members', addMember(directory))
    .add('DELETE', '/v2/organizations/members/:userId', removeMember(directory))
    .add('POST', '/v2/organizations/invites', invite)
    .add('PUT', '/v2/organizations/invites', invite);
}
