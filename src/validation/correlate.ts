import type { Entity } from '../graph/types.ts';
import type { Action, PassRule } from './action.ts';
import { discoverNetworkDevices, type KnownHosts } from './discovery.ts';
import type { Observations, ObservedAlert } from './evidence.ts';
import type { AlertEventRecord } from './evidence-records.ts';
import {
  aggregateValue,
  alertHostFields,
  assessEvent,
  commandIdentifies,
  type FailedField,
  type MatchField,
  type Span,
} from './match.ts';
import {
  applyPassRule,
  type PassResult,
  type PassRules,
  passRuleFor,
  type Verdict,
  verdictOf,
} from './verdict.ts';
import { searchedSpan, type WindowSettings } from './window.ts';

export interface CorrelationOptions {
  settings: WindowSettings;
  passRules?: PassRules;
  /** The integration's "save suspicious events"; suspicious events are returned either way, flagged. */
  saveSuspiciousEvents: boolean;
  /** The integration's "discover network devices automatically". */
  discoverDevices: boolean;
  /** Hosts the graph knows; the action's own target is always known. */
  knownHosts?: KnownHosts;
}

/** A matching alert: the fields that matched (its host's and its events') and its matching events. */
export interface AlertEvidence {
  alertId: string;
  ruleId: string | null;
  createdAt: string;
  matched: MatchField[];
  eventIds: string[];
}

/** A matching event; `alertId` is the alert that listed it (null when none did). */
export interface EventEvidence {
  eventId: string;
  alertId: string | null;
  timestamp: string;
  matched: MatchField[];
}

/** An event on the action's host inside its searched span that failed to match. */
export interface SuspiciousEvent {
  eventId: string;
  alertId: string | null;
  timestamp: string;
  matched: MatchField[];
  failed: FailedField[];
  event: AlertEventRecord;
}

export interface Correlation {
  actionId: string;
  verdict: Verdict;
  passRule: PassRule;
  result: PassResult;
  evidence: { alerts: AlertEvidence[]; events: EventEvidence[] };
  /** `store` is the integration's setting: the caller keeps `events` only when it is true. */
  suspicious: { store: boolean; events: SuspiciousEvent[] };
  /** `network_device` entities for unknown hosts and IPs in the evidence (empty when discovery is off). */
  devices: Entity[];
}

interface Findings {
  alerts: AlertEvidence[];
  events: EventEvidence[];
  evidenceEvents: AlertEventRecord[];
  suspicious: SuspiciousEvent[];
}

/**
 * Correlates one action with everything its polls observed (de-duplicated by vendor id, see
 * `EvidencePool`): matches alerts and events on host, identity, ports and time inside the span its
 * windows searched (vendor times shifted by `E`), then gives the verdict (`verdictOf`) and applies
 * the pass rule (`passRuleFor`, `applyPassRule`). An alert matches when it is on the host inside
 * the span and one of its events matches — or, when it lists no events, its `command` aggregate
 * identifies the action — and it was raised by one of those events: at least one is no later than
 * the alert's `createdAt` (both in the vendor's clock, so no skew enters). Threat Stack aggregates a
 * rule's later matching events into the alert already open for them (the rule's `aggregateFields`
 * and `window`, spec §2.4), so an alert created before every event of the action it lists was
 * raised for something else. A matching event whose alert does not match (another host, outside
 * the span, raised before it, or no alert at all) is evidence without an alert of its own: Detected.
 */
export function correlateAction(
  action: Action,
  observations: Observations,
  options: CorrelationOptions,
): Correlation {
  const span = searchedSpan(Date.parse(action.startedAt), options.settings);
  const findings: Findings = { alerts: [], events: [], evidenceEvents: [], suspicious: [] };
  for (const observed of observations.alerts) assessAlert(action, observed, span, options.settings, findings);
  for (const event of observations.events) {
    assessOne(action, event, span, options.settings, findings, event.alertId ?? null);
  }
  const facts = {
    prevented: action.outcome === 'blocked',
    alerted: findings.alerts.length > 0,
    seen: findings.events.length > 0,
  };
  const passRule = passRuleFor(action, options.passRules);
  return {
    actionId: action.id,
    verdict: verdictOf(facts),
    passRule,
    result: applyPassRule(passRule, facts, action.outcome),
    evidence: { alerts: findings.alerts, events: findings.events },
    suspicious: { store: options.saveSuspiciousEvents, events: findings.suspicious },
    devices: options.discoverDevices
      ? discoverNetworkDevices(findings.evidenceEvents, knownWith(action, options.knownHosts))
      : [],
  };
}

function assessAlert(
  action: Action,
  observed: ObservedAlert,
  span: Span,
  settings: WindowSettings,
  findings: Findings,
): void {
  const { alert, events } = observed;
  const hostFields = alertHostFields(action, alert, span, settings);
  const matchedEvents = events.filter((event) =>
    assessOne(action, event, span, settings, findings, alert.id),
  );
  const byAggregate = events.length === 0 && commandIdentifies(action, aggregateValue(alert, 'command'));
  const raisedAt = Date.parse(alert.createdAt);
  const raisedBy = matchedEvents.some((event) => Date.parse(event.timestamp) <= raisedAt);
  if (hostFields === null || (!raisedBy && !byAggregate)) return;
  const eventFields = findings.events.filter((e) => e.alertId === alert.id).flatMap((e) => e.matched);
  const identity: MatchField[] = byAggregate ? [action.marker !== undefined ? 'marker' : 'commandLine'] : [];
  findings.alerts.push({
    alertId: alert.id,
    ruleId: alert.ruleId ?? null,
    createdAt: alert.createdAt,
    matched: unique([...hostFields, ...identity, ...eventFields]),
    eventIds: matchedEvents.map((event) => event.id),
  });
}

/** Records an event's assessment in the findings; true when it matches. */
function assessOne(
  action: Action,
  event: AlertEventRecord,
  span: Span,
  settings: WindowSettings,
  findings: Findings,
  alertId: string | null,
): boolean {
  const assessment = assessEvent(action, event, span, settings);
  if (assessment.kind === 'unrelated') return false;
  const base = { eventId: event.id, alertId, timestamp: event.timestamp, matched: assessment.matched };
  if (assessment.kind === 'mismatch') {
    findings.suspicious.push({ ...base, failed: assessment.failed, event });
    return false;
  }
  findings.events.push(base);
  findings.evidenceEvents.push(event);
  return true;
}

function knownWith(action: Action, known: KnownHosts | undefined): KnownHosts {
  const { hostname, ips } = action.target;
  return {
    hostnames: [...(known?.hostnames ?? []), ...(hostname === undefined ? [] : [hostname])],
    ips: [...(known?.ips ?? []), ...ips],
  };
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
