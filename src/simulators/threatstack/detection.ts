import { HttpError } from '../common/http.ts';
import { type Random, randomFor } from '../common/random.ts';
import { aggregationTarget } from './aggregation.ts';
import type { AgentRecord, AgentTable } from './data/agents.ts';
import { type AlertEvent, type AlertStore, emptyEvent, objectIdAt, type StoredAlert } from './data/alerts.ts';
import type { RuleStore } from './data/rules.ts';

/** An attack-simulation action as the admin API records it. */
export interface ActionInput {
  technique: string;
  agentId?: string | undefined;
  hostname?: string | undefined;
  commandLine: string;
  /** When the action ran (epoch ms); defaults to the simulator's now. */
  time?: number | undefined;
  user?: string | undefined;
}

export interface RecordedAction {
  id: string;
  technique: string;
  agentId: string;
  hostname: string;
  commandLine: string;
  time: string;
  events: AlertEvent[];
  /**
   * The alert the action will raise, or null when no enabled rule covers the technique; with
   * aggregation on, possibly an alert raised earlier that its events joined (`aggregated`).
   */
  alertId: string | null;
  aggregated: boolean;
  ruleId: string | null;
  alertVisibleAt: string | null;
}

/** Splits a command line into arguments, honouring simple single and double quotes. */
export function splitCommandLine(commandLine: string): string[] {
  const args: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = pattern.exec(commandLine); m !== null; m = pattern.exec(commandLine)) {
    args.push(m[1] ?? m[2] ?? m[3] ?? '');
  }
  return args;
}

/** The first network destination a command line names: a URL host or an `ip port` / `ip:port` pair. */
export function networkTarget(commandLine: string): { ip: string; port: number } | null {
  const ip = String.raw`(\d{1,3}(?:\.\d{1,3}){3})`;
  const url = new RegExp(`(https?|ftp)://${ip}(?::(\\d{1,5}))?`).exec(commandLine);
  if (url?.[2]) {
    const port = url[3] ? Number(url[3]) : url[1] === 'https' ? 443 : url[1] === 'ftp' ? 21 : 80;
    return { ip: url[2], port };
  }
  const pair = new RegExp(`${ip}(?::|\\s+)(\\d{1,5})\\b`).exec(commandLine);
  return pair?.[1] ? { ip: pair[1], port: Number(pair[2]) } : null;
}

/**
 * The simulator's detection engine: an action on a host becomes the events Threat Stack would
 * record (an execve, plus a connection or a file access when the command line implies one), and,
 * when an enabled rule of the ATT&CK Detection Rule Set covers the technique (or its parent), an
 * alert that becomes visible `latencyMs` after the action and whose events carry the command line.
 */
export class DetectionEngine {
  private readonly recorded: RecordedAction[] = [];
  private readonly latencies = new Map<string, number>();
  /** The alerts actions raised, oldest first (candidates for aggregation). */
  private readonly raised: StoredAlert[] = [];
  /** Whether a rule's open alert collects later matching actions (see aggregation.ts). */
  aggregateAlerts = false;

  constructor(
    private readonly seed: number,
    private readonly agents: AgentTable,
    private readonly alerts: AlertStore,
    private readonly rules: RuleStore,
    private defaultLatencyMs: number,
  ) {}

  get actions(): readonly RecordedAction[] {
    return this.recorded;
  }

  action(id: string): RecordedAction | undefined {
    return this.recorded.find((a) => a.id === id);
  }

  latencyFor(technique: string): number {
    return this.latencies.get(technique) ?? this.defaultLatencyMs;
  }

  setLatency(technique: string, latencyMs: number): void {
    this.latencies.set(technique, latencyMs);
  }

  setDefaultLatency(latencyMs: number): void {
    this.defaultLatencyMs = latencyMs;
  }

  /** Records an action; returns it with its events and, when detected, the new (possibly future) alert. */
  record(input: ActionInput, nowMs: number): { action: RecordedAction; alert: StoredAlert | null } {
    const agent = this.findAgent(input);
    const random = randomFor(this.seed, 'action', this.recorded.length);
    const time = input.time ?? nowMs;
    const user = input.user ?? 'root';
    const events = this.eventsFor(random, agent, input.commandLine, user, time);
    const rule = this.rules.detectionRuleFor(input.technique);
    let alert: StoredAlert | null = null;
    const joined =
      rule?.enabled && this.aggregateAlerts && events[0] !== undefined
        ? aggregationTarget(this.raised, rule, agent.id, events[0])
        : undefined;
    if (joined !== undefined && rule !== undefined) {
      const alertId = joined.id;
      const added = events.map((event) => ({ ...event, ruleId: rule.id, alertId }));
      joined.events = [...(joined.events ?? []), ...added];
      return { action: this.remember(random, input, agent, time, added, joined, true), alert: null };
    }
    if (rule?.enabled) {
      // The latency belongs to the rule that matched (a sub-technique may be caught by its parent's rule).
      const ruleTechnique = /\((T\d{4}(?:\.\d{3})?)\)$/.exec(rule.name)?.[1] ?? input.technique;
      const createdAt = time + this.latencyFor(ruleTechnique);
      alert = {
        id: objectIdAt(random, createdAt),
        title: `${rule.title} by ${user} on ${agent.hostname}`,
        dataSource: 'agent',
        createdAt,
        isDismissed: false,
        dismissedAt: null,
        dismissReason: null,
        dismissReasonText: null,
        dismissedBy: null,
        severity: rule.severityOfAlerts,
        agentId: agent.id,
        ruleId: rule.id,
        rulesetId: rule.rulesetId,
        aggregates: [
          { fieldName: 'command', fieldValue: input.commandLine },
          { fieldName: 'user', fieldValue: user },
          { fieldName: 'hostname', fieldValue: agent.hostname },
        ],
        serverOrRegion: agent.hostname,
      };
      const alertId = alert.id;
      alert.events = events.map((event) => ({ ...event, ruleId: rule.id, alertId }));
      this.alerts.insert(alert);
      this.raised.push(alert);
    }
    return {
      action: this.remember(random, input, agent, time, alert?.events ?? events, alert, false),
      alert,
    };
  }

  private remember(
    random: Random,
    input: ActionInput,
    agent: AgentRecord,
    time: number,
    events: AlertEvent[],
    alert: StoredAlert | null,
    aggregated: boolean,
  ): RecordedAction {
    const action: RecordedAction = {
      id: random.uuid4(),
      technique: input.technique,
      agentId: agent.id,
      hostname: agent.hostname,
      commandLine: input.commandLine,
      time: new Date(time).toISOString(),
      events,
      alertId: alert?.id ?? null,
      aggregated,
      ruleId: alert?.ruleId ?? null,
      alertVisibleAt: alert ? new Date(alert.createdAt).toISOString() : null,
    };
    this.recorded.push(action);
    return action;
  }

  private findAgent(input: ActionInput): AgentRecord {
    if (input.agentId !== undefined) {
      const index = this.agents.indexOf(input.agentId);
      if (index === undefined) throw new HttpError(404, `No agent with id ${input.agentId}`);
      return this.agents.record(index);
    }
    const wanted = (input.hostname ?? '').toLowerCase();
    for (let i = 0; i < this.agents.size; i++) {
      if (!this.agents.isPresent(i)) continue;
      const hostname = this.agents.hostname(i).toLowerCase();
      if (hostname === wanted || hostname.split('.')[0] === wanted) return this.agents.record(i);
    }
    throw new HttpError(404, `No agent with hostname ${input.hostname}`);
  }

  private eventsFor(
    random: Random,
    agent: AgentRecord,
    commandLine: string,
    user: string,
    time: number,
  ): AlertEvent[] {
    const args = splitCommandLine(commandLine);
    const program = args[0] ?? '';
    const pid = random.int(1000, 60000);
    const base = { agentId: agent.id, hostname: agent.hostname, user };
    const events: AlertEvent[] = [
      {
        ...emptyEvent(random.uuid4(), new Date(time).toISOString(), 'audit'),
        ...base,
        exe: program.startsWith('/') ? program : `/usr/bin/${program}`,
        command: commandLine,
        args,
        pid,
        ppid: random.int(1, 999),
        syscall: 'execve',
      },
    ];
    const target = networkTarget(commandLine);
    if (target) {
      events.push({
        ...emptyEvent(random.uuid4(), new Date(time + 40).toISOString(), 'network'),
        ...base,
        exe: events[0]?.exe ?? null,
        command: commandLine,
        pid,
        srcIp: agent.privateIp,
        dstIp: target.ip,
        dstPort: target.port,
        syscall: 'connect',
      });
    }
    const file = args.find((a) => /^\/(etc|root|home|var|tmp)\//.test(a));
    if (file) {
      events.push({
        ...emptyEvent(random.uuid4(), new Date(time + 20).toISOString(), 'file'),
        ...base,
        exe: events[0]?.exe ?? null,
        command: commandLine,
        pid,
        filename: file,
        syscall: 'open',
      });
    }
    return events;
  }
}
