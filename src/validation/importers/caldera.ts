import type { AttackCatalogue } from '../../attack/catalogue.ts';
import type { Action, ExecutorOutcome } from '../action.ts';
import {
  type ActionDraft,
  actionFromDraft,
  type ImportResult,
  integerOf,
  invalid,
  type SkippedRecord,
  stringOf,
  type VendorFieldNames,
} from './common.ts';

/**
 * MITRE Caldera operation results (mitre/caldera `app/objects/c_operation.py`):
 * - event logs (`event_logs()`, written to `reports/event_logs/operation_<id>.json`): an array of
 *   one object per link with `command`, `plaintext_command`, `delegated_timestamp`,
 *   `collected_timestamp`, `finished_timestamp`, `status`, `pid`, `agent_metadata` (`paw`, `host`
 *   …), `ability_metadata`, `operation_metadata` and `attack_metadata` (`technique_id` …);
 * - the operation report (`report()`): `steps` keyed by agent paw, each step with `link_id`,
 *   `command`, `delegated`, `run`, `status`, `pid`, `attack.technique_id`, and `host_group` (the
 *   agents, with `paw`, `host`, `host_ip_addrs`).
 * Link status (c_link.py `states`): 0 SUCCESS → `ran`; 1 ERROR and 124 TIMEOUT → `failed`; links
 * that never completed (−3 EXECUTE, −1 PAUSE, −4 UNTRUSTED, −2 DISCARD, −5 HIGH_VIZ) are skipped.
 * Start time: when the agent collected the link, else when it was delegated; end: when it finished.
 */

const eventLogFields = {
  technique: 'attack_metadata.technique_id',
  hostname: 'agent_metadata.host',
  startedAt: 'collected_timestamp / delegated_timestamp',
  endedAt: 'finished_timestamp',
  commandLine: 'command',
  processId: 'pid',
} satisfies VendorFieldNames;

const reportFields = {
  technique: 'attack.technique_id',
  hostname: 'host_group[].host',
  startedAt: 'delegated',
  endedAt: 'run',
  commandLine: 'command',
  processId: 'pid',
} satisfies VendorFieldNames;

const linkOutcomes = new Map<number, ExecutorOutcome>([
  [0, 'ran'],
  [1, 'failed'],
  [124, 'failed'],
]);

export function importCalderaEventLogs(
  entries: unknown[],
  source: string,
  catalogue: AttackCatalogue,
): ImportResult {
  const actions: Action[] = [];
  const skipped: SkippedRecord[] = [];
  entries.forEach((value, i) => {
    const where = `[${i}]`;
    const entry = objectOf(value);
    const outcome = linkOutcome(entry.status, source, where, skipped);
    if (outcome === undefined) return;
    const agent = objectOf(entry.agent_metadata);
    const operation = objectOf(entry.operation_metadata);
    const draft: ActionDraft = {
      where,
      identity: [
        stringOf(operation.operation_name) ?? '',
        stringOf(agent.paw) ?? '',
        String(i),
        stringOf(entry.delegated_timestamp) ?? '',
      ],
      technique: stringOf(objectOf(entry.attack_metadata).technique_id),
      hostname: stringOf(agent.host),
      ips: [],
      commandLine: stringOf(entry.command) ?? stringOf(entry.plaintext_command),
      processId: positive(integerOf(entry.pid)),
      startedAt: stringOf(entry.collected_timestamp) ?? stringOf(entry.delegated_timestamp),
      endedAt: stringOf(entry.finished_timestamp),
      outcome,
    };
    actions.push(actionFromDraft(draft, eventLogFields, source, 'caldera-event-logs', catalogue));
  });
  return { format: 'caldera-event-logs', actions, skipped };
}

export function importCalderaReport(
  report: Record<string, unknown>,
  source: string,
  catalogue: AttackCatalogue,
): ImportResult {
  const agents = new Map<string, Record<string, unknown>>();
  for (const agent of Array.isArray(report.host_group) ? report.host_group : []) {
    const paw = stringOf(objectOf(agent).paw);
    if (paw !== undefined) agents.set(paw, objectOf(agent));
  }
  const actions: Action[] = [];
  const skipped: SkippedRecord[] = [];
  for (const [paw, agentSteps] of Object.entries(objectOf(report.steps))) {
    const steps = objectOf(agentSteps).steps;
    if (!Array.isArray(steps)) throw invalid(source, `steps.${paw}`, 'steps', 'must be an array');
    const agent = agents.get(paw) ?? {};
    steps.forEach((value, i) => {
      const where = `steps.${paw}.steps[${i}]`;
      const step = objectOf(value);
      const outcome = linkOutcome(step.status, source, where, skipped);
      if (outcome === undefined) return;
      const draft: ActionDraft = {
        where,
        identity: [stringOf(report.name) ?? '', paw, stringOf(step.link_id) ?? String(i)],
        technique: stringOf(objectOf(step.attack).technique_id),
        hostname: stringOf(agent.host),
        ips: Array.isArray(agent.host_ip_addrs)
          ? agent.host_ip_addrs.filter((ip) => typeof ip === 'string')
          : [],
        commandLine: stringOf(step.command) ?? stringOf(step.plaintext_command),
        processId: positive(integerOf(step.pid)),
        startedAt: stringOf(step.delegated),
        endedAt: stringOf(step.run),
        outcome,
      };
      actions.push(actionFromDraft(draft, reportFields, source, 'caldera-report', catalogue));
    });
  }
  return { format: 'caldera-report', actions, skipped };
}

/** The outcome of a completed link; undefined (recorded as skipped) for one that never completed. */
function linkOutcome(
  status: unknown,
  source: string,
  where: string,
  skipped: SkippedRecord[],
): ExecutorOutcome | undefined {
  const code = integerOf(status);
  if (code === undefined) throw invalid(source, where, 'status', `"${String(status)}" is not a link status`);
  const outcome = linkOutcomes.get(code);
  if (outcome === undefined)
    skipped.push({ where, reason: `link status ${code}: the link did not complete` });
  return outcome;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
