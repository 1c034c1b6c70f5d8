import type { Action } from './action.ts';
import type { AlertEventRecord, AlertRecord } from './evidence-records.ts';
import { toOurTime, type WindowSettings } from './window.ts';

/** The fields a match can rest on. */
export type MatchField =
  | 'agentId'
  | 'hostname'
  | 'ip'
  | 'time'
  | 'marker'
  | 'commandLine'
  | 'processId'
  | 'process'
  | 'port';

/** A field of an event that contradicted the action: what the action expected, what the event had. */
export interface FailedField {
  field: MatchField;
  expected: string;
  actual: string | null;
}

/** The span of our time an action's polls searched (see `searchedSpan`). */
export interface Span {
  fromMs: number;
  untilMs: number;
}

/**
 * How an event relates to an action:
 * - `unrelated`: not on the action's host, or outside the searched span (after `E`);
 * - `match`: on the host, in the span, its identity matches and no checked field contradicts it;
 * - `mismatch`: on the host and in the span, but its identity or a port contradicts the action —
 *   the material of a suspicious event, with the fields that failed.
 *
 * Host: when both the action and the event carry an agent id they must be equal; otherwise the
 * hostname (case-insensitive, a short name equals its FQDN) or the event's source IP among the
 * target's IPs. Identity: the marker when the action has one (it is unique, so a command line
 * without it is another run); else the command line (the event's command contains it, whitespace
 * collapsed) or the reported process id. Ports: a network event's destination port must be one
 * of the target's ports when the action lists any. Process (the executable the command line names,
 * against the event's `exe`) is recorded when it agrees and never fails a match on its own,
 * because shells and interpreters stand between an executor and the program it runs.
 */
export type EventAssessment =
  | { kind: 'unrelated' }
  | { kind: 'match'; matched: MatchField[] }
  | { kind: 'mismatch'; matched: MatchField[]; failed: FailedField[] };

export function assessEvent(
  action: Action,
  event: AlertEventRecord,
  span: Span,
  settings: WindowSettings,
): EventAssessment {
  const host = hostFields(action, event.agentId, event.hostname, event.srcIp);
  if (host === null) return { kind: 'unrelated' };
  const at = toOurTime(event.timestamp, settings);
  if (!(at >= span.fromMs && at <= span.untilMs)) return { kind: 'unrelated' };
  const identity = identityFields(action, event);
  const port = portField(action, event);
  const matched = [
    ...host,
    'time' as const,
    ...identity.matched,
    ...port.matched,
    ...processFields(action, event),
  ];
  const failed = [...identity.failed, ...port.failed];
  return failed.length === 0 && identity.matched.length > 0
    ? { kind: 'match', matched }
    : { kind: 'mismatch', matched, failed };
}

/** Whether an alert sits on the action's host and inside the span; the host fields that say so. */
export function alertHostFields(
  action: Action,
  alert: AlertRecord,
  span: Span,
  settings: WindowSettings,
): MatchField[] | null {
  const at = toOurTime(alert.createdAt, settings);
  if (!(at >= span.fromMs && at <= span.untilMs)) return null;
  return hostFields(action, alert.agentId, aggregateValue(alert, 'hostname'), null);
}

/**
 * True when an alert plainly names another host than the action's — its agent id differs from the
 * action's agent id, or (without agent ids to compare) its `hostname` aggregate is another host —
 * so none of its events can be the action's. False whenever it cannot tell.
 */
export function alertElsewhere(action: Action, alert: AlertRecord): boolean {
  const { agentId, hostname } = action.target;
  if (agentId !== undefined && alert.agentId != null) return alert.agentId !== agentId;
  const name = aggregateValue(alert, 'hostname');
  return hostname !== undefined && name !== null && !sameHost(hostname, name);
}

/** The value of an alert aggregate (`{fieldName, fieldValue}`), when the alert carries it. */
export function aggregateValue(alert: AlertRecord, fieldName: string): string | null {
  for (const aggregate of alert.aggregates ?? []) {
    if (typeof aggregate !== 'object' || aggregate === null) continue;
    const { fieldName: name, fieldValue: value } = aggregate as Record<string, unknown>;
    if (name === fieldName && typeof value === 'string') return value;
  }
  return null;
}

/** Whether a command line carries the action's identity (marker first, else its command line). */
export function commandIdentifies(action: Action, command: string | null | undefined): boolean {
  if (command == null) return false;
  if (action.marker !== undefined) return command.includes(action.marker);
  return action.commandLine !== undefined && collapse(command).includes(collapse(action.commandLine));
}

function hostFields(
  action: Action,
  agentId: string | null | undefined,
  hostname: string | null | undefined,
  ip: string | null | undefined,
): MatchField[] | null {
  const { target } = action;
  const fields: MatchField[] = [];
  if (target.agentId !== undefined && agentId != null) {
    if (target.agentId !== agentId) return null;
    fields.push('agentId');
  }
  if (target.hostname !== undefined && hostname != null && sameHost(target.hostname, hostname)) {
    fields.push('hostname');
  }
  if (ip != null && target.ips.includes(ip)) fields.push('ip');
  return fields.length > 0 ? fields : null;
}

/** Case-insensitive; `web-01` equals `web-01.internal`. */
export function sameHost(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || x.split('.')[0] === y || y.split('.')[0] === x;
}

function identityFields(
  action: Action,
  event: AlertEventRecord,
): { matched: MatchField[]; failed: FailedField[] } {
  const command = event.command ?? event.args?.join(' ') ?? null;
  if (action.marker !== undefined) {
    return command?.includes(action.marker)
      ? { matched: ['marker'], failed: [] }
      : { matched: [], failed: [{ field: 'marker', expected: action.marker, actual: command }] };
  }
  const matched: MatchField[] = [];
  if (commandIdentifies(action, command)) matched.push('commandLine');
  if (action.processId !== undefined && event.pid === action.processId) matched.push('processId');
  if (matched.length > 0) return { matched, failed: [] };
  const failed: FailedField[] = [];
  if (action.commandLine !== undefined) {
    failed.push({ field: 'commandLine', expected: action.commandLine, actual: command });
  }
  if (action.processId !== undefined) {
    failed.push({
      field: 'processId',
      expected: String(action.processId),
      actual: nullableString(event.pid),
    });
  }
  return { matched, failed };
}

function portField(
  action: Action,
  event: AlertEventRecord,
): { matched: MatchField[]; failed: FailedField[] } {
  const { ports } = action.target;
  if (ports.length === 0 || event.dstPort == null) return { matched: [], failed: [] };
  return ports.includes(event.dstPort)
    ? { matched: ['port'], failed: [] }
    : { matched: [], failed: [{ field: 'port', expected: ports.join(','), actual: String(event.dstPort) }] };
}

function processFields(action: Action, event: AlertEventRecord): MatchField[] {
  const program = action.commandLine?.trim().split(/\s+/)[0];
  if (program === undefined || event.exe == null) return [];
  return basename(program) === basename(event.exe) ? ['process'] : [];
}

function basename(path: string): string {
  return (path.split(/[\\/]/).pop() ?? path).toLowerCase().replace(/\.exe$/, '');
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function nullableString(value: number | null | undefined): string | null {
  return value == null ? null : String(value);
}
