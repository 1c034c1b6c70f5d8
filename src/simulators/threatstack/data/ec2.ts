import { randomFor, uniqueHex8 } from '../../common/random.ts';
import type { AgentRecord, AgentTable } from './agents.ts';
import { awsRegions, instanceTypes } from './vocabulary.ts';

/** Position in the EC2 listing: monitored instances (by agent index), then unmonitored ones. */
export type Ec2Cursor = [segment: 0 | 1, index: number];

export interface Ec2Listed {
  cursor: Ec2Cursor;
  json: (verbose: boolean) => Record<string, unknown>;
}

const DAY = 86_400_000;

/**
 * EC2 instances of one organization: one per present agent with an `instanceId` (monitored),
 * plus unmonitored instances that have no agent. Nothing is stored; each listing is generated.
 */
export class Ec2Inventory {
  readonly unmonitoredCount: number;
  private readonly accountId: string;

  constructor(
    private readonly seed: number,
    private readonly agents: AgentTable,
    private readonly orgName: string,
    private readonly anchorMs: number,
  ) {
    this.unmonitoredCount = Math.round(agents.size * 0.08);
    this.accountId = String(randomFor(seed, 'aws-account').int(100_000_000_000, 999_999_999_999));
  }

  counts(): { total: number; monitored: number; unmonitored: number } {
    let monitored = 0;
    for (let i = 0; i < this.agents.size; i++) {
      if (this.agents.isPresent(i) && this.agents.hasInstance(i)) monitored++;
    }
    return { total: monitored + this.unmonitoredCount, monitored, unmonitored: this.unmonitoredCount };
  }

  /** Instances after `after`, optionally only (un)monitored ones. */
  *iterate(monitored: boolean | undefined, after: Ec2Cursor | null): Generator<Ec2Listed> {
    if (monitored !== false && (after === null || after[0] === 0)) {
      for (let i = after === null ? 0 : after[1] + 1; i < this.agents.size; i++) {
        if (!this.agents.isPresent(i) || !this.agents.hasInstance(i)) continue;
        yield { cursor: [0, i], json: (verbose) => this.monitoredJson(this.agents.record(i), verbose) };
      }
    }
    if (monitored === true) return;
    const start = after !== null && after[0] === 1 ? after[1] + 1 : 0;
    for (let u = start; u < this.unmonitoredCount; u++) {
      yield { cursor: [1, u], json: (verbose) => this.unmonitoredJson(u, verbose) };
    }
  }

  private base(
    instanceId: string,
    privateIp: string,
    publicIp: string | null,
    region: string,
    name: string,
    random: ReturnType<typeof randomFor>,
  ): Record<string, unknown> {
    const running = random.chance(0.92);
    return {
      id: instanceId,
      kernelId: null,
      instanceType: random.pick(instanceTypes),
      privateDnsName: `ip-${privateIp.replaceAll('.', '-')}.${region}.compute.internal`,
      privateIpAddress: privateIp,
      groups: [{ ID: `sg-0${random.hex(16)}`, Name: random.pick(['default', 'web', 'internal', 'bastion']) }],
      subnetId: `subnet-0${random.hex(16)}`,
      keyName: random.pick(['ops-2023', 'deploy', 'legacy-key']),
      region,
      launchTime: new Date(this.anchorMs - random.int(1, 900) * DAY).toISOString(),
      imageId: `ami-0${random.hex(16)}`,
      architecture: 'x86_64',
      publicDnsName: publicIp ? `ec2-${publicIp.replaceAll('.', '-')}.compute-1.amazonaws.com` : '',
      publicIpAddress: publicIp ?? '',
      vpcId: `vpc-0${random.hex(16)}`,
      awsProfile: { ID: this.accountId, OrgName: this.orgName, Description: 'Threat Stack integration role' },
      monitored: false,
      tags: [{ Source: 'ec2', Key: 'Name', Value: name, Instance: instanceId }],
      state: running ? 'running' : 'stopped',
      stateCode: running ? 16 : 80,
    };
  }

  private monitoredJson(agent: AgentRecord, verbose: boolean): Record<string, unknown> {
    const random = randomFor(this.seed, 'ec2', agent.index);
    const json = this.base(
      agent.instanceId ?? '',
      agent.privateIp,
      agent.publicIp,
      agent.region,
      agent.name ?? agent.hostname,
      random,
    );
    json.monitored = true;
    if (verbose) {
      json.agents = [
        {
          id: agent.id,
          status: agent.status,
          createdAt: new Date(agent.createdAt).toISOString(),
          lastReportedAt: new Date(agent.lastReportedAt).toISOString(),
          version: agent.version,
          name: agent.name,
          description: agent.description,
          hostname: agent.hostname,
          isContainerAgent: false,
          kernel: agent.kernel,
          osVersion: agent.osVersion,
        },
      ];
    }
    return json;
  }

  private unmonitoredJson(u: number, verbose: boolean): Record<string, unknown> {
    const random = randomFor(this.seed, 'ec2-unmonitored', u);
    const privateIp = `10.200.${(u >> 8) & 255}.${u & 255}`;
    const json = this.base(
      `i-0b${uniqueHex8(u)}${random.hex(7)}`,
      privateIp,
      null,
      random.pick(awsRegions),
      `unmanaged-${u}`,
      random,
    );
    if (verbose) json.agents = [];
    return json;
  }
}
