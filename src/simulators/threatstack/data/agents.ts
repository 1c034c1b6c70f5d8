import { type Random, randomFor, uniqueHex8 } from '../../common/random.ts';
import { agentVersions, awsRegions, environments, hostRoles, operatingSystems, teams } from './vocabulary.ts';

export type AgentStatus = 'online' | 'offline';
export type AgentType = 'investigate' | 'monitor';

/** An agent as the API returns it (field order is the API's, see spec §2.1). */
export interface AgentJson {
  id: string;
  instanceId: string | null;
  status: AgentStatus;
  createdAt: string;
  lastReportedAt: string;
  version: string;
  name: string | null;
  description: string;
  hostname: string;
  ipAddresses: { private: string[]; link_local: string[]; public: string[] };
  tags: Array<{ source?: string; key: string; value: string }>;
  agentType: AgentType;
  osVersion: string;
  kernel: string;
  agentModuleHealth: { isHealthy: boolean } | null;
}

/** Everything generated for one agent, including facts the EC2 listing needs. */
export interface AgentRecord {
  index: number;
  id: string;
  instanceId: string | null;
  status: AgentStatus;
  createdAt: number;
  lastReportedAt: number;
  version: string;
  name: string | null;
  description: string;
  hostname: string;
  privateIp: string;
  publicIp: string | null;
  linkLocal: string;
  cidrSuffixes: boolean;
  /** Also reports its loopback addresses (`127.0.0.1/8`, `::1/128`), which the vendor's scripts filter out. */
  reportsLoopback: boolean;
  tags: AgentJson['tags'];
  agentType: AgentType;
  osVersion: string;
  kernel: string;
  healthy: boolean | null;
  region: string;
  environment: string;
  role: string;
}

/** Fields churn may change on an existing agent. */
export type AgentPatch = Partial<Pick<AgentRecord, 'status' | 'version' | 'lastReportedAt' | 'healthy'>>;

const DAY = 86_400_000;
const EC2_SHARE = 0.8;
/** Share of CIDR-reporting agents whose private addresses include the loopback ones. */
const LOOPBACK_SHARE = 0.15;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function uuidV1(random: Random): string {
  const variant = random.pick(['8', '9', 'a', 'b']);
  return `${random.hex(8)}-${random.hex(4)}-11${random.hex(2)}-${variant}${random.hex(3)}-${random.hex(12)}`;
}

function ipFromIndex(prefix: string, index: number): string {
  return `${prefix}.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
}

/**
 * The agents of one organization. Only a status per agent and the churn overlays are held in
 * memory; every other field is generated on demand from (seed, index), so 100 000 agents cost
 * a few hundred kilobytes. Indices are stable: removed agents leave a hole, added ones append.
 */
export class AgentTable {
  private readonly statuses: AgentStatus[] = [];
  private readonly removed = new Set<number>();
  private readonly patches = new Map<number, AgentPatch>();
  private readonly idCache: Array<string | undefined> = [];
  private readonly hostnameCache: Array<string | undefined> = [];
  private idIndex: Map<string, number> | null = null;

  constructor(
    private readonly seed: number,
    initialCount: number,
    private readonly offlineRatio: number,
    private readonly anchorMs: number,
  ) {
    for (let i = 0; i < initialCount; i++) this.statuses.push(this.generatedStatus(i));
  }

  /** Number of indices ever allocated (present or removed). */
  get size(): number {
    return this.statuses.length;
  }

  isPresent(index: number): boolean {
    return index >= 0 && index < this.statuses.length && !this.removed.has(index);
  }

  status(index: number): AgentStatus {
    return this.statuses[index] ?? 'offline';
  }

  /** Present agents by status. */
  counts(): { online: number; offline: number; total: number } {
    let online = 0;
    let offline = 0;
    for (let i = 0; i < this.statuses.length; i++) {
      if (this.removed.has(i)) continue;
      if (this.statuses[i] === 'online') online++;
      else offline++;
    }
    return { online, offline, total: online + offline };
  }

  id(index: number): string {
    let id = this.idCache[index];
    if (id === undefined) {
      const random = randomFor(this.seed, 'agent-id', index);
      id = random.chance(0.12)
        ? Math.floor(this.createdAt(index) / 1000)
            .toString(16)
            .padStart(8, '0') + random.hex(16)
        : uuidV1(random);
      this.idCache[index] = id;
    }
    return id;
  }

  hostname(index: number): string {
    let hostname = this.hostnameCache[index];
    if (hostname === undefined) {
      hostname = this.record(index).hostname;
      this.hostnameCache[index] = hostname;
    }
    return hostname;
  }

  /** The index of a present agent by id, or undefined. */
  indexOf(id: string): number | undefined {
    if (this.idIndex === null) {
      this.idIndex = new Map();
      for (let i = 0; i < this.statuses.length; i++) this.idIndex.set(this.id(i), i);
    }
    const index = this.idIndex.get(id);
    return index !== undefined && this.isPresent(index) ? index : undefined;
  }

  /** Appends a newly installed agent and returns its index. */
  add(): number {
    const index = this.statuses.length;
    this.statuses.push('online');
    this.patches.set(index, { status: 'online', lastReportedAt: this.anchorMs });
    this.idIndex?.set(this.id(index), index);
    return index;
  }

  remove(index: number): void {
    this.removed.add(index);
  }

  change(index: number, patch: AgentPatch): void {
    this.patches.set(index, { ...this.patches.get(index), ...patch });
    if (patch.status) this.statuses[index] = patch.status;
  }

  private generatedStatus(index: number): AgentStatus {
    return randomFor(this.seed, 'agent-status', index).chance(this.offlineRatio) ? 'offline' : 'online';
  }

  private createdAt(index: number): number {
    const random = randomFor(this.seed, 'agent-created', index);
    return this.anchorMs - random.int(30, 1200) * DAY - random.int(0, DAY / 1000) * 1000 - random.int(0, 999);
  }

  /** Whether the agent runs on an EC2 instance (cheap: the first draw of its record). */
  hasInstance(index: number): boolean {
    return randomFor(this.seed, 'agent', index).chance(EC2_SHARE);
  }

  /** Generates the full record of agent `index` (present or not). */
  record(index: number): AgentRecord {
    const random = randomFor(this.seed, 'agent', index);
    const ec2 = random.chance(EC2_SHARE);
    const role = random.pick(hostRoles);
    const environment = random.pick(environments);
    const region = random.pick(awsRegions);
    const os = random.pick(operatingSystems);
    const version = random.pick(agentVersions);
    const shortName = `${role}-${environment}-${pad(index, 5)}`;
    const privateIp = ipFromIndex(ec2 ? '10' : '172', ec2 ? index : index + (16 << 16));
    const customHostname = !ec2 || random.chance(0.4);
    const hostname = customHostname
      ? `${shortName}.${random.pick(['internal', 'corp.local', 'svc.cluster'])}`
      : `ip-${privateIp.replaceAll('.', '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;
    const status = this.statuses[index] ?? this.generatedStatus(index);
    const team = random.pick(teams);
    const createdAt = this.createdAt(index);
    const lastReportedAt =
      status === 'online'
        ? this.anchorMs - random.int(0, 600) * 1000
        : Math.max(createdAt + DAY, this.anchorMs - random.int(1, 60) * DAY);
    const modern = version >= '2.4';
    const record: AgentRecord = {
      index,
      id: this.id(index),
      // 17 hex digits like real ids; `a` + a unique part keeps every agent's instance distinct.
      instanceId: ec2 ? `i-0a${uniqueHex8(index)}${random.hex(7)}` : null,
      status,
      createdAt,
      lastReportedAt,
      version,
      name: random.chance(0.9) ? shortName : null,
      description: random.chance(0.2) ? 'Managed by Terraform' : '',
      hostname,
      privateIp,
      publicIp:
        ec2 && random.chance(0.4)
          ? `54.${random.int(64, 250)}.${random.int(0, 255)}.${random.int(1, 254)}`
          : null,
      linkLocal: `fe80::${random.hex(3)}:${random.hex(2)}ff:fe${random.hex(2)}:${random.hex(4)}`,
      cidrSuffixes: modern,
      // Drawn from its own stream, so that adding this case changed no other generated field.
      reportsLoopback: modern && randomFor(this.seed, 'agent-loopback', index).chance(LOOPBACK_SHARE),
      tags: ec2
        ? [
            { source: 'ec2', key: 'Name', value: shortName },
            { source: 'ec2', key: 'Environment', value: environment },
            { source: 'ec2', key: 'Team', value: team },
          ]
        : [{ key: 'team', value: team }],
      agentType: random.chance(0.7) ? 'investigate' : 'monitor',
      osVersion: os.osVersion,
      kernel: random.pick(os.kernels),
      healthy: modern ? random.chance(0.95) : null,
      region,
      environment,
      role,
    };
    return { ...record, ...this.patches.get(index) };
  }
}

/** The API's JSON form of an agent. */
export function toAgentJson(agent: AgentRecord): AgentJson {
  const suffix = (ip: string, bits: number) => (agent.cidrSuffixes ? `${ip}/${bits}` : ip);
  return {
    id: agent.id,
    instanceId: agent.instanceId,
    status: agent.status,
    createdAt: new Date(agent.createdAt).toISOString(),
    lastReportedAt: new Date(agent.lastReportedAt).toISOString(),
    version: agent.version,
    name: agent.name,
    description: agent.description,
    hostname: agent.hostname,
    ipAddresses: {
      private: agent.reportsLoopback
        ? ['127.0.0.1/8', suffix(agent.privateIp, 24), '::1/128']
        : [suffix(agent.privateIp, 24)],
      link_local: [suffix(agent.linkLocal, 64)],
      public: agent.publicIp ? [suffix(agent.publicIp, 32)] : [],
    },
    tags: agent.tags,
    agentType: agent.agentType,
    osVersion: agent.osVersion,
    kernel: agent.kernel,
    agentModuleHealth: agent.healthy === null ? null : { isHealthy: agent.healthy },
  };
}
