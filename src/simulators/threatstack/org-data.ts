import { AgentTable } from './data/agents.ts';
import { AlertStore } from './data/alerts.ts';
import { Ec2Inventory } from './data/ec2.ts';
import { RuleStore } from './data/rules.ts';
import { VulnerabilityTable } from './data/vulnerabilities.ts';
import { DetectionEngine } from './detection.ts';
import type { Organization } from './identity.ts';

export interface Invite {
  sentToEmail: string;
  role: string;
  status: 'pending';
}

/** Everything one organization holds. */
export interface OrgData {
  org: Organization;
  agents: AgentTable;
  vulnerabilities: VulnerabilityTable;
  ec2: Ec2Inventory;
  rules: RuleStore;
  alerts: AlertStore;
  detection: DetectionEngine;
  invites: Invite[];
}

export interface OrgSizes {
  agents: number;
  offlineRatio: number;
  cves: number;
  findingsPerAgent: number;
  alerts: number;
  detectionLatencyMs: number;
}

/** Generates an organization's data from its seed; large tables stay lazy (see each table). */
export function generateOrgData(
  seed: number,
  org: Organization,
  sizes: OrgSizes,
  anchorMs: number,
  now: () => number,
  dismissers: string[],
): OrgData {
  const agents = new AgentTable(seed, sizes.agents, sizes.offlineRatio, anchorMs);
  const vulnerabilities = new VulnerabilityTable(seed, sizes.cves, sizes.findingsPerAgent, agents, anchorMs);
  const rules = new RuleStore(seed, now, anchorMs);
  const alerts = new AlertStore(seed, sizes.alerts, agents, rules, anchorMs, dismissers);
  return {
    org,
    agents,
    vulnerabilities,
    ec2: new Ec2Inventory(seed, agents, org.name, anchorMs),
    rules,
    alerts,
    detection: new DetectionEngine(seed, agents, alerts, rules, sizes.detectionLatencyMs),
    invites: [],
  };
}
