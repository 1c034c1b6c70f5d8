import { type Random, randomFor } from '../../common/random.ts';

export type RuleType =
  | 'Host'
  | 'File'
  | 'CloudTrail'
  | 'ThreatIntel'
  | 'Winsec'
  | 'KubernetesAudit'
  | 'KubernetesConfig';

export interface Rule {
  id: string;
  rulesetId: string;
  name: string;
  title: string;
  type: RuleType;
  createdAt: string;
  updatedAt: string;
  severityOfAlerts: 1 | 2 | 3;
  alertDescription: string;
  aggregateFields: string[];
  filter: string;
  window: number;
  threshold: number;
  suppressions: string[];
  enabled: boolean;
  fileIntegrityPaths?: Array<{ path: string; recursive: boolean }>;
  ignoreFiles?: string[];
  eventsToMonitor?: string[];
}

/** The writable fields of a rule (what POST/PUT bodies carry). */
export type RuleInput = Omit<Rule, 'id' | 'rulesetId' | 'createdAt' | 'updatedAt'>;

export interface Ruleset {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
  ruleIds: string[];
}

export interface RuleTags {
  inclusion: Array<{ source: string; key: string; value: string }>;
  exclusion: Array<{ source: string; key: string; value: string }>;
}

/** A rule the simulator's detection engine maps an ATT&CK technique to. */
export interface DetectionRuleSeed {
  technique: string;
  title: string;
  severity: 1 | 2 | 3;
  filter: string;
}

/** Techniques covered out of the box; anything else is missed unless the admin API adds a rule. */
export const defaultDetections: DetectionRuleSeed[] = [
  {
    technique: 'T1059.004',
    title: 'Shell spawned by a network-facing service',
    severity: 2,
    filter: 'event_type = "audit" and syscall = "execve" and exe = "/bin/sh"',
  },
  {
    technique: 'T1105',
    title: 'Remote file download with curl or wget',
    severity: 2,
    filter: 'event_type = "audit" and exe in ("/usr/bin/curl", "/usr/bin/wget")',
  },
  {
    technique: 'T1003.008',
    title: 'Read of /etc/shadow',
    severity: 1,
    filter: 'event_type = "audit" and filename = "/etc/shadow"',
  },
  {
    technique: 'T1053.003',
    title: 'Crontab modified',
    severity: 2,
    filter: 'event_type = "audit" and exe = "/usr/bin/crontab"',
  },
  {
    technique: 'T1136.001',
    title: 'Local account created',
    severity: 2,
    filter: 'event_type = "audit" and exe = "/usr/sbin/useradd"',
  },
  {
    technique: 'T1548.001',
    title: 'Setuid bit set on a file',
    severity: 1,
    filter: 'event_type = "audit" and syscall = "chmod" and arguments ~ "u+s"',
  },
  {
    technique: 'T1098.004',
    title: 'SSH authorized_keys modified',
    severity: 1,
    filter: 'event_type = "file" and filename ~ "authorized_keys"',
  },
  {
    technique: 'T1046',
    title: 'Network scanner executed',
    severity: 3,
    filter: 'event_type = "audit" and exe in ("/usr/bin/nmap", "/usr/bin/masscan")',
  },
  {
    technique: 'T1562.001',
    title: 'Security tooling disabled',
    severity: 1,
    filter: 'event_type = "audit" and command ~ "systemctl stop"',
  },
];

const baseHostRules: Array<Pick<Rule, 'name' | 'type' | 'filter' | 'severityOfAlerts'>> = [
  {
    name: 'User Activity: Interactive root login',
    type: 'Host',
    filter: 'event_type = "login" and user = "root"',
    severityOfAlerts: 2,
  },
  {
    name: 'Process Activity: Package manager executed',
    type: 'Host',
    filter: 'event_type = "audit" and exe in ("/usr/bin/yum", "/usr/bin/apt")',
    severityOfAlerts: 3,
  },
  {
    name: 'Kernel Activity: Kernel module loaded',
    type: 'Host',
    filter: 'event_type = "audit" and syscall = "init_module"',
    severityOfAlerts: 1,
  },
  {
    name: 'Network Activity: Netcat listener',
    type: 'Host',
    filter: 'event_type = "audit" and exe = "/bin/nc" and arguments ~ "-l"',
    severityOfAlerts: 2,
  },
  {
    name: 'Threat Intelligence Activity: Communication to known bad IP',
    type: 'ThreatIntel',
    filter: 'event_type = "connect" and threat_intel = true',
    severityOfAlerts: 1,
  },
];

const cloudTrailRules: Array<Pick<Rule, 'name' | 'type' | 'filter' | 'severityOfAlerts'>> = [
  {
    name: 'AWS Console login without MFA',
    type: 'CloudTrail',
    filter: 'eventName = "ConsoleLogin" and mfa = false',
    severityOfAlerts: 2,
  },
  {
    name: 'Security group opened to 0.0.0.0/0',
    type: 'CloudTrail',
    filter: 'eventName = "AuthorizeSecurityGroupIngress"',
    severityOfAlerts: 1,
  },
];

const hostAggregates = ['exe', 'user', 'command', 'hostname'];

/** Suppressions (rule filter expressions, spec §2.4) a seeded rule may carry, by rule type. */
const suppressionsByType: Partial<Record<RuleType, readonly string[]>> = {
  Host: ['user = "chef"', 'exe = "/opt/puppetlabs/puppet/bin/ruby"', 'hostname = "bastion-prod-00001"'],
  File: ['user = "root" and exe = "/usr/bin/dpkg"', 'filename = "/etc/passwd-"'],
  CloudTrail: ['user = "terraform"', 'eventSource = "autoscaling.amazonaws.com"'],
  ThreatIntel: ['dst_ip = "169.254.169.254"'],
};

/** How many seeded rules carry suppressions (the vendor's GetSuppressionsForRules script special-cases them). */
const SUPPRESSED_RULES = 3;

/**
 * Rulesets, rules and rule tags of one organization, held in memory (they are few), with the
 * CRUD the API exposes. The "ATT&CK Detection Rule Set" holds one rule per covered technique.
 */
export class RuleStore {
  private readonly rulesets: Ruleset[] = [];
  private readonly rules = new Map<string, Rule>();
  private readonly tags = new Map<string, RuleTags>();
  private readonly random: Random;
  readonly detectionRulesetId: string;

  constructor(
    seed: number,
    private readonly now: () => number,
    anchorMs: number,
  ) {
    this.random = randomFor(seed, 'rules');
    const created = new Date(anchorMs - 400 * 86_400_000).toISOString();
    const base = this.seedRuleset('Base Rule Set', 'Default host rules', created);
    for (const r of baseHostRules) this.seedRule(base, { ...r, title: r.name }, created);
    const fim = this.seedRuleset('File Integrity Rule Set', 'Files that must not change', created);
    this.seedRule(
      fim,
      {
        name: 'Sensitive file modified',
        title: 'Sensitive file modified',
        type: 'File',
        filter: 'event_type = "file"',
        severityOfAlerts: 1,
        fileIntegrityPaths: [
          { path: '/etc/passwd', recursive: false },
          { path: '/etc/sudoers.d', recursive: true },
        ],
        ignoreFiles: [],
        eventsToMonitor: ['modify', 'delete'],
      },
      created,
    );
    const cloudTrail = this.seedRuleset('CloudTrail Rule Set', 'AWS account activity', created);
    for (const r of cloudTrailRules) this.seedRule(cloudTrail, { ...r, title: r.name }, created);
    const detection = this.seedRuleset(
      'ATT&CK Detection Rule Set',
      'Rules mapped to MITRE ATT&CK techniques',
      created,
    );
    this.detectionRulesetId = detection.id;
    for (const d of defaultDetections) {
      this.seedRule(
        detection,
        {
          name: `${d.title} (${d.technique})`,
          title: d.title,
          type: 'Host',
          filter: d.filter,
          severityOfAlerts: d.severity,
        },
        created,
      );
    }
    this.seedSuppressions(seed, [base, fim, cloudTrail]);
    const firstRule = base.ruleIds[0];
    if (firstRule) {
      this.tags.set(firstRule, {
        inclusion: [{ source: 'ec2', key: 'Environment', value: 'prod' }],
        exclusion: [],
      });
    }
  }

  listRulesets(): Ruleset[] {
    return this.rulesets;
  }

  ruleset(id: string): Ruleset | undefined {
    return this.rulesets.find((r) => r.id === id);
  }

  rule(id: string): Rule | undefined {
    return this.rules.get(id);
  }

  rulesOf(rulesetId: string): Rule[] {
    return (this.ruleset(rulesetId)?.ruleIds ?? []).flatMap((id) => this.rules.get(id) ?? []);
  }

  allRules(): Rule[] {
    return [...this.rules.values()];
  }

  /** The detection rule for a technique: exact id first, then its parent technique. */
  detectionRuleFor(technique: string): Rule | undefined {
    const rules = this.rulesOf(this.detectionRulesetId);
    const parent = technique.split('.')[0];
    return (
      rules.find((r) => r.name.endsWith(`(${technique})`)) ??
      rules.find((r) => r.name.endsWith(`(${parent})`))
    );
  }

  createRuleset(input: { name: string; description: string; ruleIds: string[] }): Ruleset {
    const at = new Date(this.now()).toISOString();
    const ruleset: Ruleset = { id: this.random.uuid4(), ...input, createdAt: at, updatedAt: at };
    this.rulesets.push(ruleset);
    return ruleset;
  }

  updateRuleset(
    id: string,
    input: { name: string; description: string; ruleIds: string[] },
  ): Ruleset | undefined {
    const ruleset = this.ruleset(id);
    if (!ruleset) return undefined;
    Object.assign(ruleset, input, { updatedAt: new Date(this.now()).toISOString() });
    return ruleset;
  }

  deleteRuleset(id: string): boolean {
    const at = this.rulesets.findIndex((r) => r.id === id);
    if (at < 0) return false;
    const [removed] = this.rulesets.splice(at, 1);
    // Only the ruleset's own rules go with it; a rule it merely named stays in its own ruleset.
    for (const ruleId of removed?.ruleIds ?? []) {
      if (this.rules.get(ruleId)?.rulesetId === id) this.rules.delete(ruleId);
    }
    return true;
  }

  createRule(rulesetId: string, input: RuleInput): Rule | undefined {
    const ruleset = this.ruleset(rulesetId);
    if (!ruleset) return undefined;
    const at = new Date(this.now()).toISOString();
    const rule: Rule = { ...input, id: this.random.uuid4(), rulesetId, createdAt: at, updatedAt: at };
    this.rules.set(rule.id, rule);
    ruleset.ruleIds.push(rule.id);
    return rule;
  }

  updateRule(rulesetId: string, ruleId: string, input: RuleInput): Rule | undefined {
    const rule = this.rules.get(ruleId);
    if (!rule || rule.rulesetId !== rulesetId) return undefined;
    Object.assign(rule, input, { updatedAt: new Date(this.now()).toISOString() });
    return rule;
  }

  deleteRule(rulesetId: string, ruleId: string): boolean {
    const rule = this.rules.get(ruleId);
    const ruleset = this.ruleset(rulesetId);
    if (!rule || !ruleset || rule.rulesetId !== rulesetId) return false;
    this.rules.delete(ruleId);
    ruleset.ruleIds = ruleset.ruleIds.filter((id) => id !== ruleId);
    this.tags.delete(ruleId);
    return true;
  }

  tagsOf(ruleId: string): RuleTags | undefined {
    return this.tags.get(ruleId);
  }

  setTags(ruleId: string, tags: RuleTags): void {
    this.tags.set(ruleId, tags);
  }

  /**
   * Gives a few of the seeded rules one or two suppressions, chosen from the seed with a random
   * stream of their own (so no other generated value moved). Detection rules keep none, so that
   * every action the detection engine matches still raises its alert.
   */
  private seedSuppressions(seed: number, rulesets: Ruleset[]): void {
    const random = randomFor(seed, 'rule-suppressions');
    const candidates = rulesets.flatMap((r) => this.rulesOf(r.id));
    for (let n = 0; n < SUPPRESSED_RULES && candidates.length > 0; n++) {
      const [rule] = candidates.splice(random.int(0, candidates.length - 1), 1);
      const pool = rule ? (suppressionsByType[rule.type] ?? []) : [];
      if (!rule || pool.length === 0) continue;
      const first = random.int(0, pool.length - 1);
      const count = Math.min(pool.length, random.int(1, 2));
      rule.suppressions = Array.from({ length: count }, (_, k) => pool[(first + k) % pool.length] ?? '');
    }
  }

  private seedRuleset(name: string, description: string, at: string): Ruleset {
    const ruleset: Ruleset = {
      id: this.random.uuid4(),
      name,
      description,
      createdAt: at,
      updatedAt: at,
      ruleIds: [],
    };
    this.rulesets.push(ruleset);
    return ruleset;
  }

  private seedRule(
    ruleset: Ruleset,
    fields: Pick<Rule, 'name' | 'title' | 'type' | 'filter' | 'severityOfAlerts'> & Partial<RuleInput>,
    at: string,
  ): void {
    const rule: Rule = {
      alertDescription: `${fields.title}. Investigate the host and the user involved.`,
      aggregateFields:
        fields.type === 'CloudTrail'
          ? ['user', 'eventName', 'eventSource', 'ip', 'accountId']
          : hostAggregates,
      window: 3600,
      threshold: 1,
      suppressions: [],
      enabled: true,
      ...fields,
      id: this.random.uuid4(),
      rulesetId: ruleset.id,
      createdAt: at,
      updatedAt: at,
    };
    this.rules.set(rule.id, rule);
    ruleset.ruleIds.push(rule.id);
  }
}
