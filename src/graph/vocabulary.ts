/**
 * The graph's vocabulary (DESIGN.md, graph model): every entity type with its J1 class and key
 * builder, and every relationship type with its verb and ends. Connectors build their entities
 * with it and readers (query, coverage, rules) find them by it, so no reader depends on a
 * connector. A type's name, class or key format never changes once released: stored graphs and
 * saved queries rely on them.
 */

/** An entity type: `_type`, `_class` (J1 data model) and how its `_key` is built. */
export interface EntityVocabulary<Id> {
  type: string;
  class: string;
  key(id: Id): string;
}

export const graphEntities = {
  threatstackAccount: {
    type: 'threatstack_account',
    class: 'Account',
    /** By organization id. */
    key: (orgId: string) => `threatstack:account:${orgId}`,
  },
  threatstackAgent: {
    type: 'threatstack_agent',
    class: 'HostAgent',
    key: (agentId: string) => `threatstack:agent:${agentId}`,
  },
  /** Mapped: an EC2 instance another integration may own, matched by instance id. */
  awsInstance: {
    type: 'aws_instance',
    class: 'Host',
    key: (instanceId: string) => `aws:instance:${instanceId}`,
  },
  /** Mapped: a host matched by its normalised hostname (first DNS label, lower-case). */
  server: {
    type: 'server',
    class: 'Host',
    key: (normalizedHostname: string) => `server:${normalizedHostname}`,
  },
  /** Mapped: keyed by the lower-case CVE id, e.g. `cve-2018-19932`. */
  cve: {
    type: 'cve',
    class: 'Vulnerability',
    key: (cveId: string) => cveId.toLowerCase(),
  },
  threatstackAlert: {
    type: 'threatstack_alert',
    class: 'Finding',
    key: (alertId: string) => `threatstack:alert:${alertId}`,
  },
  threatconnectAccount: {
    type: 'threatconnect_account',
    class: 'Account',
    /** By the instance's host name, lower-case. */
    key: (host: string) => `threatconnect:account:${host.toLowerCase()}`,
  },
  threatconnectOwner: {
    type: 'threatconnect_owner',
    class: 'Organization',
    key: (ownerId: number) => `threatconnect:owner:${ownerId}`,
  },
  threatconnectAdversary: {
    type: 'threatconnect_adversary',
    class: 'ThreatActor',
    key: (groupId: number) => `threatconnect:adversary:${groupId}`,
  },
  threatconnectThreat: {
    type: 'threatconnect_threat',
    class: 'Threat',
    key: (groupId: number) => `threatconnect:threat:${groupId}`,
  },
  /** By ATT&CK id (`T1566`, `T1566.001`), upper-case. */
  mitreAttackTechnique: {
    type: 'mitre_attack_technique',
    class: 'Technique',
    key: (techniqueId: string) => `mitre:attack:${techniqueId.toUpperCase()}`,
  },
  /** Discovered in validation evidence: a host or IP no known entity matches. */
  networkDevice: {
    type: 'network_device',
    class: 'Device',
    key: (ipOrHostname: string) => `device:${ipOrHostname}`,
  },
} as const;

/** A relationship type: `_type` = `<from>_<verb lower>_<to>`, `_class` = the verb. */
export interface RelationshipVocabulary {
  type: string;
  class: string;
  from: string;
  to: string;
}

export const graphRelationships = {
  threatstackAccountHasAgent: {
    type: 'threatstack_account_has_threatstack_agent',
    class: 'HAS',
    from: 'threatstack_account',
    to: 'threatstack_agent',
  },
  /** By the agent's `instanceId`. */
  threatstackAgentProtectsAwsInstance: {
    type: 'threatstack_agent_protects_aws_instance',
    class: 'PROTECTS',
    from: 'threatstack_agent',
    to: 'aws_instance',
  },
  /** By hostname, for an agent without an instance id. */
  threatstackAgentProtectsServer: {
    type: 'threatstack_agent_protects_server',
    class: 'PROTECTS',
    from: 'threatstack_agent',
    to: 'server',
  },
  /** Properties: package, finding, severity, vector, suppressed. */
  threatstackAgentIdentifiedCve: {
    type: 'threatstack_agent_identified_cve',
    class: 'IDENTIFIED',
    from: 'threatstack_agent',
    to: 'cve',
  },
  threatstackAgentHasAlert: {
    type: 'threatstack_agent_has_threatstack_alert',
    class: 'HAS',
    from: 'threatstack_agent',
    to: 'threatstack_alert',
  },
  threatconnectAccountHasOwner: {
    type: 'threatconnect_account_has_threatconnect_owner',
    class: 'HAS',
    from: 'threatconnect_account',
    to: 'threatconnect_owner',
  },
  threatconnectOwnerOwnsAdversary: {
    type: 'threatconnect_owner_owns_threatconnect_adversary',
    class: 'OWNS',
    from: 'threatconnect_owner',
    to: 'threatconnect_adversary',
  },
  threatconnectAdversaryUsesThreat: {
    type: 'threatconnect_adversary_uses_threatconnect_threat',
    class: 'USES',
    from: 'threatconnect_adversary',
    to: 'threatconnect_threat',
  },
  threatconnectAdversaryUsesTechnique: {
    type: 'threatconnect_adversary_uses_mitre_attack_technique',
    class: 'USES',
    from: 'threatconnect_adversary',
    to: 'mitre_attack_technique',
  },
  threatconnectThreatUsesTechnique: {
    type: 'threatconnect_threat_uses_mitre_attack_technique',
    class: 'USES',
    from: 'threatconnect_threat',
    to: 'mitre_attack_technique',
  },
} as const;
