import type { IntegrationStep, StepContext } from '../../sync/types.ts';
import {
  accountHasAgent,
  agentHasAlert,
  agentIdentifiedCve,
  relationshipTypes,
  toAccountEntity,
  toAgentEntity,
  toAlertEntity,
  toAwsInstanceEntity,
  toCveEntity,
  toProtectedHost,
  types,
} from './converters.ts';
import type { TsAgent, TsAlert, TsCve, TsEc2Instance, TsVulnerableServer } from './types.ts';

/** What the steps need from a Threat Stack client (ThreatStackClient provides it). */
export interface ThreatStackReader {
  /** Proves the key, the clock and the organization (the account step's call). */
  selfTest(): Promise<void>;
  iterateAgents(status: 'online' | 'offline'): AsyncGenerator<TsAgent[]>;
  iterateEc2Instances(): AsyncGenerator<TsEc2Instance[]>;
  /** Pages of CVEs; a page may parse its CVEs lazily, so iterate it once. */
  iterateVulnerabilities(): AsyncGenerator<Iterable<TsCve>>;
  iterateVulnerableServers(cveNumber: string): AsyncGenerator<TsVulnerableServer[]>;
  iterateAlerts(filter: {
    status: 'active' | 'dismissed';
    from?: Date;
    until?: Date;
  }): AsyncGenerator<TsAlert[]>;
}

export interface ThreatStackSyncConfig {
  orgId: string;
  orgName: string;
  /** Alerts created in the last N days are synced (older ones stay in the graph: alerts are history). */
  alertsDays: number;
}

type Step = IntegrationStep<ThreatStackReader>;
type Context = StepContext<ThreatStackReader>;

/** Findings of one CVE are mapped to relationships this many at a time. */
const RELATIONSHIP_BATCH = 5_000;

export const stepIds = {
  account: 'fetch-account',
  ec2: 'fetch-ec2-instances',
  agents: 'fetch-agents',
  vulnerabilities: 'fetch-vulnerabilities',
  alerts: 'fetch-alerts',
} as const;

/**
 * The Threat Stack sync (C6): account; EC2 instances; agents online and offline with the hosts
 * they protect; CVEs with the agents they were identified on; alerts of the last N days.
 */
export function threatStackSteps(config: ThreatStackSyncConfig): Step[] {
  return [
    {
      id: stepIds.account,
      name: 'Account',
      entityTypes: [types.account],
      relationshipTypes: [],
      dependsOn: [],
      // The account is written only once the vendor accepted the key in this organization, so a
      // wrong TS_ORGANIZATION_ID fails here and creates no account; every other step waits on it.
      async execute(context) {
        await context.client.selfTest();
        await context.writer.entities([toAccountEntity(config.orgId, config.orgName)]);
        context.progress(1);
      },
    },
    {
      id: stepIds.ec2,
      name: 'EC2 instances',
      entityTypes: [types.awsInstance],
      relationshipTypes: [],
      dependsOn: [stepIds.account],
      async execute(context) {
        for await (const page of context.client.iterateEc2Instances()) {
          await context.writer.entities(page.map(toAwsInstanceEntity));
          context.progress(page.length);
        }
      },
    },
    {
      id: stepIds.agents,
      name: 'Agents and protected hosts',
      entityTypes: [types.agent, types.server],
      relationshipTypes: [
        relationshipTypes.accountHasAgent,
        relationshipTypes.agentProtectsInstance,
        relationshipTypes.agentProtectsServer,
      ],
      dependsOn: [stepIds.account],
      async execute(context) {
        for (const status of ['online', 'offline'] as const) {
          for await (const page of context.client.iterateAgents(status)) {
            const hosts = page.map(toProtectedHost);
            await context.writer.entities([
              ...page.map(toAgentEntity),
              ...hosts.flatMap((host) => (host?.entity ? [host.entity] : [])),
            ]);
            await context.writer.relationships([
              ...page.map((agent) => accountHasAgent(config.orgId, agent.id)),
              ...hosts.flatMap((host) => (host ? [host.relationship] : [])),
            ]);
            context.progress(page.length);
          }
        }
      },
    },
    {
      id: stepIds.vulnerabilities,
      name: 'Vulnerabilities',
      entityTypes: [types.cve],
      relationshipTypes: [relationshipTypes.agentIdentifiedCve],
      dependsOn: [stepIds.agents],
      // Each CVE's agents[] is used as it comes; /servers is read for the CVEs whose list is absent
      // and, at the end, for those whose list may have been cut (see LongestAgentLists).
      async execute(context) {
        const longest = new LongestAgentLists();
        for await (const page of context.client.iterateVulnerabilities()) {
          for (const cve of page) {
            await context.writer.entities([toCveEntity(cve)]);
            if (cve.agents) {
              await writeIdentified(context, cve, cve.agents);
              longest.offer(cve, cve.agents);
            } else {
              await writeServersOf(context, cve, new Set());
            }
            context.progress(1);
          }
        }
        for (const { cve, listed } of longest.cves) await writeServersOf(context, cve, listed);
      },
    },
    {
      id: stepIds.alerts,
      name: `Alerts (last ${config.alertsDays} days)`,
      entityTypes: [types.alert],
      relationshipTypes: [relationshipTypes.agentHasAlert],
      dependsOn: [stepIds.agents],
      // Alerts are history: one older than the window, or received by webhook, stays in the graph.
      history: true,
      async execute(context) {
        const from = new Date(context.now() - config.alertsDays * 86_400_000);
        for (const status of ['active', 'dismissed'] as const) {
          for await (const page of context.client.iterateAlerts({ status, from })) {
            await context.writer.entities(page.map(toAlertEntity));
            await context.writer.relationships(
              page.flatMap((alert) => (alert.agentId ? [agentHasAlert(alert.agentId, alert.id)] : [])),
            );
            context.progress(page.length);
          }
        }
      },
    },
  ];
}

/**
 * IDENTIFIED relationships of one CVE to the given agents, mapped a slice at a time (so a CVE
 * found on most of a large fleet never becomes one huge array).
 */
async function writeIdentified(context: Context, cve: TsCve, agents: TsVulnerableServer[]): Promise<void> {
  for (let i = 0; i < agents.length; i += RELATIONSHIP_BATCH) {
    const slice = agents.slice(i, i + RELATIONSHIP_BATCH);
    await context.writer.relationships(
      slice.flatMap((s) => (s.agentId ? [agentIdentifiedCve(s.agentId, cve)] : [])),
    );
  }
}

/** IDENTIFIED relationships of one CVE from every page of its `/servers`, but for the agents in `written`. */
async function writeServersOf(context: Context, cve: TsCve, written: ReadonlySet<string>): Promise<void> {
  for await (const servers of context.client.iterateVulnerableServers(cve.cveNumber)) {
    await writeIdentified(
      context,
      cve,
      servers.filter((s) => s.agentId && !written.has(s.agentId)),
    );
  }
}

/**
 * The CVEs whose `agents[]` may have been cut, with the agent ids they listed. No field of the
 * API says how many agents a CVE affects (the spec documents none), so completeness is proven by
 * comparison: a vendor that caps the list cuts every longer one to the same length, so a list
 * shorter than the longest of the listing was not cut. Only the lists as long as the longest stay
 * unproven — at least one, even when nothing was cut, because a cap equal to that length would look
 * the same — and their CVEs are read again from `/servers`.
 */
class LongestAgentLists {
  private length = -1;
  private unproven: Array<{ cve: TsCve; listed: Set<string> }> = [];

  get cves(): ReadonlyArray<{ cve: TsCve; listed: ReadonlySet<string> }> {
    return this.unproven;
  }

  offer(cve: TsCve, agents: TsVulnerableServer[]): void {
    if (agents.length < this.length) return;
    if (agents.length > this.length) {
      this.length = agents.length;
      this.unproven = [];
    }
    const { agents: _listed, ...withoutAgents } = cve;
    this.unproven.push({
      cve: withoutAgents,
      listed: new Set(agents.flatMap((a) => (a.agentId ? [a.agentId] : []))),
    });
  }
}
