import type { AlertEvent, StoredAlert } from './data/alerts.ts';
import type { Rule } from './data/rules.ts';

/**
 * Alert aggregation, a simulator option (`aggregateAlerts`, off by default; `PUT /_sim/detection`).
 *
 * Spec §2.4: a Threat Stack rule carries `aggregateFields` (host rules: exe, user, arguments, ip,
 * port, command, session, src_ip, dst_ip, …, hostname), a `window` in seconds and a `threshold`.
 * The spec names these fields but not the exact grouping they drive, so the simulator fixes one
 * reading and keeps it behind an option: while an alert of a rule is open (not dismissed) on an
 * agent, a later action on the same agent that the same rule catches, whose first event has the
 * same values in every aggregate field and falls within `window` seconds of the alert's first
 * event, adds its events to that alert (`alertId` naming it) instead of raising a new one. The
 * alert keeps its `createdAt`, so the added events are later than the alert that lists them —
 * events visible through `GET /v2/alerts/{id}/events` without an alert raised for them.
 */
export function aggregationTarget(
  open: readonly StoredAlert[],
  rule: Rule,
  agentId: string,
  first: AlertEvent,
): StoredAlert | undefined {
  const at = Date.parse(first.timestamp);
  const key = aggregateKey(rule.aggregateFields, first);
  for (let i = open.length - 1; i >= 0; i--) {
    const alert = open[i];
    const head = alert?.events?.[0];
    if (alert === undefined || head === undefined) continue;
    if (alert.ruleId !== rule.id || alert.agentId !== agentId || alert.isDismissed) continue;
    const since = Date.parse(head.timestamp);
    if (at < since || at - since > rule.window * 1000) continue;
    if (aggregateKey(rule.aggregateFields, head) === key) return alert;
  }
  return undefined;
}

/** The value of one aggregate field in an event (null when the event has none). */
export function aggregateFieldValue(field: string, event: AlertEvent): string | null {
  switch (field) {
    case 'exe':
      return event.exe;
    case 'user':
      return event.user;
    case 'command':
      return event.command;
    case 'arguments':
      return event.args?.join(' ') ?? null;
    case 'hostname':
      return event.hostname;
    case 'ip':
    case 'src_ip':
      return event.srcIp;
    case 'dst_ip':
      return event.dstIp;
    case 'port':
      return event.dstPort === null ? null : String(event.dstPort);
    case 'filename':
      return event.filename;
    default:
      return null;
  }
}

function aggregateKey(fields: readonly string[], event: AlertEvent): string {
  return JSON.stringify(fields.map((field) => aggregateFieldValue(field, event)));
}
