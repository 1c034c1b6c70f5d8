import { z } from 'zod';
import type { Random } from '../common/random.ts';
import type { AgentStatus } from './data/agents.ts';
import type { OrgData } from './org-data.ts';

const count = z.number().int().min(0).max(1_000_000).default(0);

/** A churn request: how many agents to add, remove and change, and findings to add and remove. */
export const churnSchema = z
  .object({
    addAgents: count,
    removeAgents: count,
    changeAgents: count,
    addFindings: count,
    removeFindings: count,
  })
  .strict();

export type ChurnRequest = z.infer<typeof churnSchema>;

export interface ChurnResult {
  addedAgents: string[];
  removedAgents: string[];
  changedAgents: string[];
  addedFindings: Array<{ agentId: string; cveNumber: string }>;
  removedFindings: Array<{ agentId: string; cveNumber: string }>;
}

function presentIndices(data: OrgData): number[] {
  const present: number[] = [];
  for (let i = 0; i < data.agents.size; i++) if (data.agents.isPresent(i)) present.push(i);
  return present;
}

/** Takes up to n distinct random items from a list (the list is shuffled in place). */
function sample<T>(items: T[], n: number, random: Random): T[] {
  const take = Math.min(n, items.length);
  for (let i = 0; i < take; i++) {
    const j = random.int(i, items.length - 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items.slice(0, take);
}

/**
 * Applies churn the way a real fleet changes between syncs: agents are installed (new, online,
 * with findings), uninstalled, or change (status flips, agent upgrades, a fresh report time);
 * findings appear on and disappear from present agents. Returns exactly what changed.
 */
export function applyChurn(data: OrgData, request: ChurnRequest, random: Random, nowMs: number): ChurnResult {
  const { agents, vulnerabilities } = data;
  const result: ChurnResult = {
    addedAgents: [],
    removedAgents: [],
    changedAgents: [],
    addedFindings: [],
    removedFindings: [],
  };
  const present = presentIndices(data);
  const picked = sample(present, request.removeAgents + request.changeAgents, random);
  for (const index of picked.slice(0, request.removeAgents)) {
    result.removedAgents.push(agents.id(index));
    agents.remove(index);
  }
  for (const index of picked.slice(request.removeAgents)) {
    const record = agents.record(index);
    const status: AgentStatus = record.status === 'online' ? 'offline' : 'online';
    agents.change(index, { status, version: '3.1.0', lastReportedAt: nowMs, healthy: true });
    result.changedAgents.push(record.id);
  }
  for (let n = 0; n < request.addAgents; n++) {
    const index = agents.add();
    vulnerabilities.generateFor(index);
    result.addedAgents.push(agents.id(index));
  }
  vulnerabilities.invalidate();
  const candidates = presentIndices(data);
  for (let n = 0; n < request.addFindings && candidates.length > 0; n++) {
    const index = random.pick(candidates);
    const cve = vulnerabilities.drawCve(random);
    if (vulnerabilities.addFinding(index, cve)) {
      result.addedFindings.push({ agentId: agents.id(index), cveNumber: vulnerabilities.cve(cve).cveNumber });
    }
  }
  for (let n = 0; n < request.removeFindings && candidates.length > 0; n++) {
    const index = random.pick(candidates);
    const findings = vulnerabilities.findingsOf(index);
    if (findings.length === 0) continue;
    const cve = findings[random.int(0, findings.length - 1)] ?? 0;
    if (vulnerabilities.removeFinding(index, cve)) {
      result.removedFindings.push({
        agentId: agents.id(index),
        cveNumber: vulnerabilities.cve(cve).cveNumber,
      });
    }
  }
  return result;
}
