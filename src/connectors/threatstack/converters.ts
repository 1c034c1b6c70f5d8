import { relationship } from '../../graph/keys.ts';
import type { Entity, JsonValue, Properties, Relationship } from '../../graph/types.ts';
import { graphEntities, graphRelationships } from '../../graph/vocabulary.ts';
import type { TsAgent, TsAlert, TsCve, TsEc2Instance } from './types.ts';

/**
 * Pure converters from Threat Stack objects to graph objects (DESIGN.md graph model,
 * JupiterOne conventions). No I/O; unit-tested on fixtures.
 */

/** The entity types this connector writes (names from the graph vocabulary). */
export const types = {
  account: graphEntities.threatstackAccount.type,
  agent: graphEntities.threatstackAgent.type,
  alert: graphEntities.threatstackAlert.type,
  awsInstance: graphEntities.awsInstance.type,
  server: graphEntities.server.type,
  cve: graphEntities.cve.type,
} as const;

/** The relationship types this connector writes (names from the graph vocabulary). */
export const relationshipTypes = {
  accountHasAgent: graphRelationships.threatstackAccountHasAgent.type,
  agentProtectsInstance: graphRelationships.threatstackAgentProtectsAwsInstance.type,
  agentProtectsServer: graphRelationships.threatstackAgentProtectsServer.type,
  agentIdentifiedCve: graphRelationships.threatstackAgentIdentifiedCve.type,
  agentHasAlert: graphRelationships.threatstackAgentHasAlert.type,
} as const;

/** JupiterOne's hostname normalisation: first DNS label, lower-case, spaces → '-', only [a-z0-9-] kept. */
export function normalizeHostname(hostname: string): string {
  return (hostname.split('.')[0] ?? '')
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/[^a-z0-9-]/g, '');
}

/** An address without its CIDR suffix (agents report `10.0.1.15/24` or `10.0.1.15`). */
export function stripCidr(address: string): string {
  return address.split('/')[0] ?? address;
}

/** Loopback addresses (`127.0.0.0/8`, `::1`), which agents may report and which identify no host. */
export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/** An agent's addresses of one kind, without CIDR suffixes and without loopback ones. */
function hostAddresses(addresses: readonly string[] | null | undefined): string[] {
  return (addresses ?? []).map(stripCidr).filter((ip) => !isLoopbackAddress(ip));
}

function epochMs(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** Tags as `tag.<Key>` properties (J1 convention); later duplicates win. */
function tagProperties(
  tags: Array<{ key?: string | null; value?: string | null }> | null | undefined,
): Properties {
  const properties: Properties = {};
  for (const tag of tags ?? []) if (tag.key) properties[`tag.${tag.key}`] = tag.value ?? null;
  return properties;
}

function compact(properties: Record<string, JsonValue | undefined>): Properties {
  const out: Properties = {};
  for (const [key, value] of Object.entries(properties)) if (value !== undefined) out[key] = value;
  return out;
}

export const accountKey = graphEntities.threatstackAccount.key;
export const agentKey = graphEntities.threatstackAgent.key;

export function toAccountEntity(orgId: string, orgName: string): Entity {
  return {
    _key: accountKey(orgId),
    _type: types.account,
    _class: graphEntities.threatstackAccount.class,
    displayName: `Threat Stack - ${orgName}`,
    properties: { accountId: orgId, name: orgName, vendor: 'Threat Stack' },
  };
}

export function toAgentEntity(agent: TsAgent): Entity {
  const privateIps = hostAddresses(agent.ipAddresses?.private);
  const publicIps = hostAddresses(agent.ipAddresses?.public);
  return {
    _key: agentKey(agent.id),
    _type: types.agent,
    _class: graphEntities.threatstackAgent.class,
    displayName: agent.name || agent.hostname || agent.id,
    properties: compact({
      id: agent.id,
      instanceId: agent.instanceId ?? null,
      status: agent.status,
      active: agent.status.toLowerCase() === 'online',
      version: agent.version ?? null,
      name: agent.name ?? null,
      description: agent.description ?? null,
      hostname: agent.hostname ? normalizeHostname(agent.hostname) : null,
      fqdn: agent.hostname ?? null,
      ipAddresses: [...privateIps, ...publicIps],
      privateIpAddress: privateIps[0] ?? null,
      publicIpAddress: publicIps[0] ?? null,
      agentType: agent.agentType ?? null,
      kernel: agent.kernel ?? null,
      osVersion: agent.osVersion ?? null,
      isHealthy: agent.agentModuleHealth?.isHealthy ?? null,
      createdOn: epochMs(agent.createdAt),
      lastReportedOn: epochMs(agent.lastReportedAt),
      function: ['FIM', 'activity-monitor', 'vulnerability-scan'],
      ...tagProperties(agent.tags),
    }),
    rawData: agent as JsonValue,
  };
}

export const awsInstanceKey = graphEntities.awsInstance.key;
export const serverKey = graphEntities.server.key;

export function toAwsInstanceEntity(instance: TsEc2Instance): Entity {
  const tags = tagProperties(
    (instance.tags ?? []).map((t) => ({ key: t.Key ?? null, value: t.Value ?? null })),
  );
  return {
    _key: awsInstanceKey(instance.id),
    _type: types.awsInstance,
    _class: graphEntities.awsInstance.class,
    displayName: (tags['tag.Name'] as string | null | undefined) || instance.id,
    properties: compact({
      instanceId: instance.id,
      instanceType: instance.instanceType ?? null,
      region: instance.region ?? null,
      state: instance.state ?? null,
      active: instance.state === 'running',
      privateIpAddress: instance.privateIpAddress || null,
      publicIpAddress: instance.publicIpAddress || null,
      privateDnsName: instance.privateDnsName || null,
      publicDnsName: instance.publicDnsName || null,
      vpcId: instance.vpcId ?? null,
      subnetId: instance.subnetId ?? null,
      imageId: instance.imageId ?? null,
      launchTime: epochMs(instance.launchTime),
      monitored: instance.monitored ?? null,
      ...tags,
    }),
    rawData: instance as JsonValue,
  };
}

/** The host an agent protects: its EC2 instance by `instanceId`, else a server by normalised hostname. */
export function toProtectedHost(
  agent: TsAgent,
): { entity: Entity | null; relationship: Relationship } | null {
  const from = { _key: agentKey(agent.id), _type: types.agent };
  if (agent.instanceId) {
    const target = { _key: awsInstanceKey(agent.instanceId), _type: types.awsInstance };
    return { entity: null, relationship: relationship(from, 'PROTECTS', target) };
  }
  const hostname = agent.hostname ? normalizeHostname(agent.hostname) : '';
  if (hostname === '') return null;
  const server: Entity = {
    _key: serverKey(hostname),
    _type: types.server,
    _class: graphEntities.server.class,
    displayName: hostname,
    properties: { hostname, fqdn: agent.hostname ?? null },
  };
  return { entity: server, relationship: relationship(from, 'PROTECTS', server) };
}

export function accountHasAgent(orgId: string, agentId: string): Relationship {
  return relationship({ _key: accountKey(orgId), _type: types.account }, 'HAS', {
    _key: agentKey(agentId),
    _type: types.agent,
  });
}

export const cveKey = graphEntities.cve.key;

export function toCveEntity(cve: TsCve): Entity {
  const name = cve.cveNumber.toUpperCase();
  const { agents: _affected, ...vendorFields } = cve;
  return {
    _key: cveKey(cve.cveNumber),
    _type: types.cve,
    _class: graphEntities.cve.class,
    displayName: name,
    properties: compact({
      name,
      webLink: `https://nvd.nist.gov/vuln/detail/${name}`,
      package: cve.reportedPackage ?? null,
      findings: cve.systemPackage ?? null,
      severity: cve.severity ?? null,
      vector: cve.vectorType ?? null,
      suppressed: cve.isSuppressed ?? false,
    }),
    // The affected-agent list lives in IDENTIFIED relationships, not in the entity,
    // so that a host gaining or losing a CVE does not rewrite the CVE itself.
    rawData: vendorFields as JsonValue,
  };
}

/** agent IDENTIFIED cve, carrying what the finding says (package, finding, severity, vector, suppressed). */
export function agentIdentifiedCve(agentId: string, cve: TsCve): Relationship {
  return relationship(
    { _key: agentKey(agentId), _type: types.agent },
    'IDENTIFIED',
    { _key: cveKey(cve.cveNumber), _type: types.cve },
    {
      package: cve.reportedPackage ?? null,
      finding: cve.systemPackage ?? null,
      severity: cve.severity ?? null,
      vector: cve.vectorType ?? null,
      suppressed: cve.isSuppressed ?? false,
    },
  );
}

export const alertKey = graphEntities.threatstackAlert.key;

export function toAlertEntity(alert: TsAlert): Entity {
  return {
    _key: alertKey(alert.id),
    _type: types.alert,
    _class: graphEntities.threatstackAlert.class,
    displayName: alert.title || alert.id,
    properties: compact({
      id: alert.id,
      title: alert.title ?? null,
      severity: alert.severity,
      dataSource: alert.dataSource ?? null,
      createdOn: epochMs(alert.createdAt),
      dismissed: alert.isDismissed ?? false,
      dismissedOn: epochMs(alert.dismissedAt),
      dismissReason: alert.dismissReason ?? null,
      dismissedBy: alert.dismissedBy ?? null,
      agentId: alert.agentId ?? null,
      ruleId: alert.ruleId ?? null,
      rulesetId: alert.rulesetId ?? null,
      open: !(alert.isDismissed ?? false),
    }),
    rawData: alert as JsonValue,
  };
}

export function agentHasAlert(agentId: string, alertId: string): Relationship {
  return relationship({ _key: agentKey(agentId), _type: types.agent }, 'HAS', {
    _key: alertKey(alertId),
    _type: types.alert,
  });
}
