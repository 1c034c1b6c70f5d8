import { createHash } from 'node:crypto';
import { SimClock } from '../common/clock.ts';
import { FaultInjector } from '../common/faults.ts';
import { randomFor } from '../common/random.ts';
import { RollingWindowLimiter } from '../common/rate-limit.ts';
import { applyChurn, type ChurnRequest, type ChurnResult } from './churn.ts';
import {
  type CveAgentsMode,
  findingRequestBounds,
  formatCveAgentsMode,
  listedAgentCount,
} from './cve-agents.ts';
import { HawkVerifier } from './hawk-auth.ts';
import { Directory } from './identity.ts';
import type { ThreatStackSimOptions } from './options.ts';
import { generateOrgData, type OrgData } from './org-data.ts';
import { PAGE_SIZE, PageTokens } from './pagination.ts';
import { type DeliveryOptions, defaultDeliveryOptions, WebhookDispatcher } from './webhook.ts';

/** Seams a test can replace: the base clock and the sleep used between webhook retries. */
export interface SimulationDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Sizes of the secondary (staging) organization, which exists so that `ext` checks can be tested. */
const secondarySizes = { agents: 12, offlineRatio: 0.25, cves: 40, findingsPerAgent: 3, alerts: 10 };

/**
 * The whole simulated Threat Stack: identities, the organizations' data, and the controls the
 * admin API turns (clock, faults, rate limit, churn, detection, webhooks). Transport-free, so
 * it can be driven by the HTTP server or directly.
 */
export class ThreatStackSimulation {
  readonly clock: SimClock;
  readonly directory: Directory;
  readonly faults: FaultInjector;
  readonly limiter: RollingWindowLimiter;
  readonly tokens: PageTokens;
  readonly verifier: HawkVerifier;
  readonly webhooks: WebhookDispatcher;
  readonly requestsByStatus = new Map<number, number>();
  /** API requests per route: method and route pattern, e.g. `GET /v2/vulnerabilities/{cve}/servers`. */
  readonly requestsByRoute = new Map<string, number>();
  /** How `/v2/vulnerabilities` lists `agents[]` now (the admin API may change it at run time). */
  cveAgents: CveAgentsMode;
  private readonly orgs = new Map<string, OrgData>();
  private churnRuns = 0;

  constructor(
    readonly options: ThreatStackSimOptions,
    deps: SimulationDeps = {},
  ) {
    this.clock = new SimClock(deps.now);
    this.cveAgents = options.cveAgents;
    const anchorMs = Math.floor(this.clock.now() / 3_600_000) * 3_600_000;
    this.directory = new Directory(options.seed, anchorMs);
    const dismissers = this.directory.activeMembers(this.directory.primary.id).map((m) => m.user.email);
    const now = () => this.clock.now();
    const latency = options.detectionLatencySeconds * 1000;
    this.orgs.set(
      this.directory.primary.id,
      generateOrgData(
        options.seed,
        this.directory.primary,
        { ...options, detectionLatencyMs: latency },
        anchorMs,
        now,
        dismissers,
      ),
    );
    this.orgs.set(
      this.directory.secondary.id,
      generateOrgData(
        (options.seed + 7919) >>> 0,
        this.directory.secondary,
        { ...secondarySizes, detectionLatencyMs: latency },
        anchorMs,
        now,
        dismissers,
      ),
    );
    this.faults = new FaultInjector(options.faults, options.seed);
    this.limiter = new RollingWindowLimiter(options.rateLimit, now);
    this.tokens = new PageTokens(
      createHash('sha256').update(`threatstack-sim-tokens:${options.seed}`).digest(),
    );
    this.verifier = new HawkVerifier(this.directory, this.clock);
    const delivery: DeliveryOptions = {
      ...defaultDeliveryOptions,
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    };
    this.webhooks = new WebhookDispatcher(delivery);
  }

  get primary(): OrgData {
    return this.orgData(this.directory.primary.id);
  }

  orgData(orgId: string): OrgData {
    const data = this.orgs.get(orgId);
    if (!data) throw new Error(`no organization ${orgId}`);
    return data;
  }

  hasOrg(orgId: string): boolean {
    return this.orgs.has(orgId);
  }

  /** Counts one API request by its answer's status and by its route (`GET (no route)` when none matched). */
  countRequest(status: number, route: string): void {
    this.requestsByStatus.set(status, (this.requestsByStatus.get(status) ?? 0) + 1);
    this.requestsByRoute.set(route, (this.requestsByRoute.get(route) ?? 0) + 1);
  }

  churn(orgId: string, request: ChurnRequest): ChurnResult {
    const random = randomFor(this.options.seed, 'churn', this.churnRuns++);
    return applyChurn(this.orgData(orgId), request, random, this.clock.now());
  }

  /** Ground truth for an organization, for tests to compare a synced graph against. */
  stats(orgId: string, alertsSinceMs?: number): Record<string, unknown> {
    const data = this.orgData(orgId);
    const agents = data.agents.counts();
    let withInstance = 0;
    for (let i = 0; i < data.agents.size; i++) {
      if (data.agents.isPresent(i) && data.agents.hasInstance(i)) withInstance++;
    }
    let suppressed = 0;
    const listed: Array<{ affected: number; listed: number | null }> = [];
    for (let j = 0; j < data.vulnerabilities.cveCount; j++) {
      const affected = data.vulnerabilities.agentsOf(j).length;
      if (affected === 0) continue;
      listed.push({ affected, listed: listedAgentCount(this.cveAgents, affected) });
      if (data.vulnerabilities.cve(j).isSuppressed) suppressed++;
    }
    const now = this.clock.now();
    const byStatus = Object.fromEntries([...this.requestsByStatus].sort(([a], [b]) => a - b));
    const byRoute = Object.fromEntries([...this.requestsByRoute].sort(([a], [b]) => a.localeCompare(b)));
    return {
      organization: data.org,
      now: new Date(now).toISOString(),
      agents: { ...agents, withInstance, withoutInstance: agents.total - withInstance },
      ec2: data.ec2.counts(),
      cves: { total: listed.length, suppressed },
      findings: data.vulnerabilities.findingCount(),
      findingRequests: findingRequestBounds(listed, PAGE_SIZE),
      alerts: {
        ...data.alerts.counts(now),
        ...(alertsSinceMs === undefined ? {} : { since: data.alerts.counts(now, alertsSinceMs) }),
      },
      rulesets: data.rules.listRulesets().length,
      rules: data.rules.allRules().length,
      members: this.directory.activeMembers(orgId).length,
      actions: data.detection.actions.length,
      requests: { total: [...this.requestsByStatus.values()].reduce((a, b) => a + b, 0), byStatus, byRoute },
      faultsInjected: this.faults.injected,
    };
  }

  /**
   * Ground truth of the findings: every CVE currently listed, with all its affected agents and
   * how many of them its `agents[]` shows in the current `cveAgents` mode (null: key left out).
   */
  findings(orgId: string): {
    cveAgents: string;
    cves: Array<{ cveNumber: string; agentIds: string[]; listed: number | null }>;
  } {
    const { vulnerabilities, agents } = this.orgData(orgId);
    const cves = [];
    for (let j = 0; j < vulnerabilities.cveCount; j++) {
      const affected = vulnerabilities.agentsOf(j);
      if (affected.length === 0) continue;
      cves.push({
        cveNumber: vulnerabilities.cve(j).cveNumber,
        agentIds: Array.from(affected, (i) => agents.id(i)),
        listed: listedAgentCount(this.cveAgents, affected.length),
      });
    }
    return { cveAgents: formatCveAgentsMode(this.cveAgents), cves };
  }
}
