import { randomFor } from '../../common/random.ts';
import type { AgentTable } from './agents.ts';
import { distributionSuffixes, vulnerablePackages } from './vocabulary.ts';

export type CveSeverity = 'low' | 'medium' | 'high';

export interface CveRecord {
  index: number;
  cveNumber: string;
  packageName: string;
  reportedPackage: string;
  systemPackage: string;
  vectorType: 'network' | 'local' | 'adjacent';
  severity: CveSeverity;
  isSuppressed: boolean;
  securityNotices: Array<{ type: string; id: string }>;
  publishedAt: number;
}

const DAY = 86_400_000;

/**
 * The CVE catalogue and the per-agent findings of one organization. Findings are stored as
 * compact integer arrays: a fixed block per initial agent plus overrides for agents churn
 * touched; the inverse (CVE → agents) is a CSR index rebuilt lazily after any change.
 * CVE popularity is Zipf-like, as in real fleets (a few CVEs affect most hosts).
 */
export class VulnerabilityTable {
  private readonly catalogue: CveRecord[] = [];
  private readonly cumulativeWeights: Float64Array;
  private readonly baseFindings: Int32Array;
  private readonly baseAgents: number;
  private readonly perAgent: number;
  private readonly overrides = new Map<number, Int32Array>();
  private index: { offsets: Int32Array; agents: Int32Array } | null = null;

  constructor(
    private readonly seed: number,
    cveCount: number,
    findingsPerAgent: number,
    private readonly agents: AgentTable,
    anchorMs: number,
  ) {
    for (let j = 0; j < cveCount; j++) this.catalogue.push(generateCve(seed, j, anchorMs));
    this.cumulativeWeights = new Float64Array(cveCount);
    let total = 0;
    for (let j = 0; j < cveCount; j++) {
      total += 1 / (j + 1) ** 0.9;
      this.cumulativeWeights[j] = total;
    }
    this.perAgent = Math.min(findingsPerAgent, cveCount);
    this.baseAgents = agents.size;
    this.baseFindings = new Int32Array(this.baseAgents * this.perAgent);
    for (let i = 0; i < this.baseAgents; i++) {
      this.baseFindings.set(this.drawFindings(i), i * this.perAgent);
    }
  }

  get cveCount(): number {
    return this.catalogue.length;
  }

  cve(index: number): CveRecord {
    const cve = this.catalogue[index];
    if (!cve) throw new Error(`no CVE at ${index}`);
    return cve;
  }

  /** The catalogue index of a CVE number (case-insensitive), or undefined. */
  indexOfCve(cveNumber: string): number | undefined {
    const upper = cveNumber.toUpperCase();
    return this.catalogue.find((c) => c.cveNumber === upper)?.index;
  }

  /** CVE indices affecting an agent (whether or not the agent is present). */
  findingsOf(agentIndex: number): Int32Array {
    const override = this.overrides.get(agentIndex);
    if (override) return override;
    if (agentIndex < this.baseAgents) {
      return this.baseFindings.subarray(agentIndex * this.perAgent, (agentIndex + 1) * this.perAgent);
    }
    return new Int32Array(0);
  }

  /** Present agents affected by a CVE, in agent index order. */
  agentsOf(cveIndex: number): Int32Array {
    const { offsets, agents } = this.inverse();
    return agents.subarray(offsets[cveIndex] ?? 0, offsets[cveIndex + 1] ?? 0);
  }

  /** Number of findings on present agents. */
  findingCount(): number {
    const { agents } = this.inverse();
    return agents.length;
  }

  /** Gives a newly added agent its findings. */
  generateFor(agentIndex: number): void {
    this.overrides.set(agentIndex, this.drawFindings(agentIndex));
    this.index = null;
  }

  /** Adds a finding; returns false when the agent already has it. */
  addFinding(agentIndex: number, cveIndex: number): boolean {
    const current = this.findingsOf(agentIndex);
    if (current.includes(cveIndex)) return false;
    const next = new Int32Array(current.length + 1);
    next.set(current);
    next[current.length] = cveIndex;
    this.overrides.set(agentIndex, next);
    this.index = null;
    return true;
  }

  /** Removes a finding; returns false when the agent did not have it. */
  removeFinding(agentIndex: number, cveIndex: number): boolean {
    const current = this.findingsOf(agentIndex);
    if (!current.includes(cveIndex)) return false;
    this.overrides.set(
      agentIndex,
      current.filter((c) => c !== cveIndex),
    );
    this.index = null;
    return true;
  }

  /** Call after agents are removed or added so the inverse index is rebuilt. */
  invalidate(): void {
    this.index = null;
  }

  /** A CVE index drawn with the popularity weights (used by churn). */
  drawCve(random: { next(): number }): number {
    const total = this.cumulativeWeights[this.cumulativeWeights.length - 1] ?? 0;
    const target = random.next() * total;
    let lo = 0;
    let hi = this.cumulativeWeights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulativeWeights[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private drawFindings(agentIndex: number): Int32Array {
    const random = randomFor(this.seed, 'findings', agentIndex);
    const chosen = new Int32Array(this.perAgent);
    if (this.perAgent * 2 > this.catalogue.length) {
      // Most of the catalogue: weighted rejection sampling would crawl, so shuffle uniformly instead.
      const all = Int32Array.from(this.catalogue.keys());
      for (let i = 0; i < this.perAgent; i++) {
        const j = random.int(i, all.length - 1);
        [all[i], all[j]] = [all[j] ?? 0, all[i] ?? 0];
      }
      return all.slice(0, this.perAgent);
    }
    let n = 0;
    while (n < this.perAgent) {
      const cve = this.drawCve(random);
      if (!chosen.subarray(0, n).includes(cve)) chosen[n++] = cve;
    }
    return chosen;
  }

  private inverse(): { offsets: Int32Array; agents: Int32Array } {
    if (this.index) return this.index;
    const counts = new Int32Array(this.catalogue.length + 1);
    for (let i = 0; i < this.agents.size; i++) {
      if (!this.agents.isPresent(i)) continue;
      for (const cve of this.findingsOf(i)) counts[cve + 1] = (counts[cve + 1] ?? 0) + 1;
    }
    const offsets = new Int32Array(this.catalogue.length + 1);
    for (let j = 0; j < this.catalogue.length; j++) offsets[j + 1] = (offsets[j] ?? 0) + (counts[j + 1] ?? 0);
    const agents = new Int32Array(offsets[this.catalogue.length] ?? 0);
    const cursor = offsets.slice(0, this.catalogue.length);
    for (let i = 0; i < this.agents.size; i++) {
      if (!this.agents.isPresent(i)) continue;
      for (const cve of this.findingsOf(i)) {
        const at = cursor[cve] ?? 0;
        agents[at] = i;
        cursor[cve] = at + 1;
      }
    }
    this.index = { offsets, agents };
    return this.index;
  }
}

function generateCve(seed: number, index: number, anchorMs: number): CveRecord {
  const random = randomFor(seed, 'cve', index);
  const pkg = random.pick(vulnerablePackages);
  const version = random.pick(pkg.versions);
  const year = random.int(2014, 2025);
  const severityRoll = random.next();
  const vectorRoll = random.next();
  const suppressed = random.chance(0.05);
  return {
    index,
    cveNumber: `CVE-${year}-${1000 + index * 13 + random.int(0, 12)}`,
    packageName: pkg.name,
    reportedPackage: `${pkg.name} ${version}`,
    systemPackage: `${pkg.name} ${version}-${random.int(1, 40)}.${random.pick(distributionSuffixes)}`,
    vectorType: vectorRoll < 0.6 ? 'network' : vectorRoll < 0.95 ? 'local' : 'adjacent',
    severity: severityRoll < 0.3 ? 'low' : severityRoll < 0.75 ? 'medium' : 'high',
    isSuppressed: suppressed,
    securityNotices: random.chance(0.35)
      ? [{ type: 'ALAS', id: `ALAS2-${year}-${random.int(1000, 2600)}` }]
      : [],
    publishedAt: Math.min(anchorMs - DAY, Date.UTC(year, random.int(0, 11), random.int(1, 28))),
  };
}
