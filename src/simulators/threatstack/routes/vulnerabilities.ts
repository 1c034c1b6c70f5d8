import { z } from 'zod';
import { type CveAgentsMode, listedAgentCount } from '../cve-agents.ts';
import type { CveRecord } from '../data/vulnerabilities.ts';
import type { OrgData } from '../org-data.ts';
import {
  type ApiHandler,
  type ApiRequest,
  booleanParam,
  enumParam,
  listPage,
  notFound,
  ok,
} from './context.ts';

const indexCursor = z.number().int().min(-1);

/** A CVE as the API shows it, its `agents[]` capped or left out as the `cveAgents` mode says. */
function cveJson(data: OrgData, cve: CveRecord, mode: CveAgentsMode): Record<string, unknown> {
  const affected = data.vulnerabilities.agentsOf(cve.index);
  const listed = listedAgentCount(mode, affected.length);
  const json: Record<string, unknown> = {
    cveNumber: cve.cveNumber,
    reportedPackage: cve.reportedPackage,
    systemPackage: cve.systemPackage,
    vectorType: cve.vectorType,
    severity: cve.severity,
    isSuppressed: cve.isSuppressed,
    securityNotices: cve.securityNotices,
  };
  if (listed === null) return json;
  const agents = new Array(listed);
  for (let k = 0; k < listed; k++) {
    const i = affected[k] ?? 0;
    agents[k] = { agentId: data.agents.id(i), hostname: data.agents.hostname(i) };
  }
  json.agents = agents;
  return json;
}

function cveOrNotFound(req: ApiRequest): CveRecord {
  const index = req.data.vulnerabilities.indexOfCve(req.params.cve ?? '');
  if (index === undefined || req.data.vulnerabilities.agentsOf(index).length === 0)
    throw notFound('Vulnerability');
  return req.data.vulnerabilities.cve(index);
}

/**
 * GET /v2/vulnerabilities[?status=active][&hasSecurityNotices=true][&agentId=…] → CVEs found on at
 * least one present agent, each with its `agents[]` (all of them, the first N, or none: the
 * `cveAgents` mode). Suppressed CVEs are listed with
 * `isSuppressed: true` (status=active means "currently found", which includes them).
 */
export const listVulnerabilities: ApiHandler = (req) => {
  enumParam(req, 'status', ['active'] as const, true);
  const notices = booleanParam(req, 'hasSecurityNotices');
  const agentId = req.query.get('agentId');
  const { vulnerabilities, agents } = req.data;
  let agentCves: Set<number> | null = null;
  if (agentId !== null) {
    const index = agents.indexOf(agentId);
    agentCves = new Set(index === undefined ? [] : vulnerabilities.findingsOf(index));
  }
  return listPage(
    req,
    'cves',
    indexCursor,
    function* (after) {
      for (let j = after === null ? 0 : after + 1; j < vulnerabilities.cveCount; j++) {
        if (vulnerabilities.agentsOf(j).length === 0) continue;
        if (agentCves !== null && !agentCves.has(j)) continue;
        const cve = vulnerabilities.cve(j);
        if (notices !== undefined && cve.securityNotices.length > 0 !== notices) continue;
        yield cve;
      }
    },
    (cve) => cve.index,
    (cve) => cveJson(req.data, cve, req.cveAgents),
  );
};

/** GET /v2/vulnerabilities/:cve → one CVE. */
export const getVulnerability: ApiHandler = (req) => ok(cveJson(req.data, cveOrNotFound(req), req.cveAgents));

/** GET /v2/vulnerabilities/:cve/servers → `{servers:[{agentId, hostname}], token}`. */
export const listVulnerableServers: ApiHandler = (req) => {
  const cve = cveOrNotFound(req);
  const affected = req.data.vulnerabilities.agentsOf(cve.index);
  const { agents } = req.data;
  return listPage(
    req,
    'servers',
    indexCursor,
    function* (after) {
      for (let k = after === null ? 0 : after + 1; k < affected.length; k++) yield k;
    },
    (k) => k,
    (k) => {
      const i = affected[k] ?? 0;
      return { agentId: agents.id(i), hostname: agents.hostname(i) };
    },
  );
};

/** GET /v2/vulnerabilities/package/:pkg → CVEs of a package (by name, or name and version). */
export const listPackageVulnerabilities: ApiHandler = (req) => {
  const wanted = (req.params.pkg ?? '').toLowerCase();
  const { vulnerabilities } = req.data;
  return listPage(
    req,
    'packages',
    indexCursor,
    function* (after) {
      for (let j = after === null ? 0 : after + 1; j < vulnerabilities.cveCount; j++) {
        const cve = vulnerabilities.cve(j);
        const found = vulnerabilities.agentsOf(j).length;
        if (found === 0) continue;
        if (cve.packageName !== wanted && cve.reportedPackage.toLowerCase() !== wanted) continue;
        yield { cve, found };
      }
    },
    ({ cve }) => cve.index,
    ({ cve, found }) => ({
      package: cve.reportedPackage,
      systemPackage: cve.systemPackage,
      cveNumber: cve.cveNumber,
      severity: cve.severity,
      vectorType: cve.vectorType,
      isSuppressed: cve.isSuppressed,
      affectedServers: found,
    }),
  );
};

/** GET /v2/vulnerabilities/suppressions[?active=true|false] → one suppression per suppressed CVE. */
export const listSuppressions: ApiHandler = (req) => {
  const active = booleanParam(req, 'active');
  if (active === false) {
    return listPage(
      req,
      'suppressions',
      indexCursor,
      () => [][Symbol.iterator](),
      () => 0,
      () => null,
    );
  }
  const { vulnerabilities } = req.data;
  return listPage(
    req,
    'suppressions',
    indexCursor,
    function* (after) {
      for (let j = after === null ? 0 : after + 1; j < vulnerabilities.cveCount; j++) {
        const cve = vulnerabilities.cve(j);
        if (cve.isSuppressed) yield cve;
      }
    },
    (cve) => cve.index,
    (cve) => ({
      id: `supp-${cve.cveNumber.toLowerCase()}`,
      cveNumber: cve.cveNumber,
      package: cve.reportedPackage,
      reason: 'Risk accepted: not exploitable in our configuration',
      active: true,
      createdAt: new Date(cve.publishedAt).toISOString(),
    }),
  );
};
