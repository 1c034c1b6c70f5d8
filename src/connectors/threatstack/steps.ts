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
      async execute(context) {
        await context.writer.entities([toAccountEntity(config.orgId, config.orgName)]);
        context.progress(1);
      },
    },
    {
      id: stepIds.ec2,
      name: 'EC2 instances',
      entityTypes: [types.awsInstance],
      relationshipTypes: [],
      dependsOn: [],
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
      async execute(context) {
        for await (const page of context.client.iterateVulnerabilities()) {
          for (const cve of page) {
            await context.writer.entities([toCveEntity(cve)]);
            await writeFindings(context, cve);
            context.progress(1);
          }
        }
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
 * IDENTIFIED relationships of one CVE: from its agents[] (mapped a slice at a time, so a CVE found
 * on most of a large fleet never becomes one huge array), or from /servers when it has no agent list.
 */
async function writeFindings(context: Context, cve: TsCve): Promise<void> {
  const identified = (servers: TsVulnerableServer[]) =>
    servers.flatMap((s) => (s.agentId ? [agentIdentifiedCve(s.agentId, cve)] : []));
  if (cve.agents) {
    for (let i = 0; i < cve.agents.length; i += RELATIONSHIP_BATCH) {
      await context.writer.relationships(identified(cve.agents.slice(i, i + RELATIONSHIP_BATCH)));
    }
    return;
  }
  for await (const servers of context.client.iterateVulnerableServers(cve.cveNumber)) {
    await context.writer.relationships(identified(servers));
  }
}
