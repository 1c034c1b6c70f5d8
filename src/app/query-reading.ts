import { VigilError } from '../errors.ts';
import { graphEntities } from '../graph/vocabulary.ts';
import { quoteString } from '../query/literal.ts';
import type { QueryEntity, QueryOptions, QueryResult } from '../query/result.ts';
import type { StoredAlertEvents } from '../store/types.ts';

/**
 * The reading shortcuts (`vigil agents list`, `cves list`, `alerts list|show`, `hosts --cve`, the
 * actors of `attack show`): each builds one J1QL query from its filters and runs it through the
 * query engine, so they answer exactly what `vigil query` would. Property names are the
 * converters' (src/connectors/threatstack/converters.ts).
 */

export interface ReadingDeps {
  run(text: string, options?: QueryOptions): Promise<QueryResult>;
  getAlertEvents(alertKey: string): Promise<StoredAlertEvents | undefined>;
  now(): Date;
}

export const agentStatuses = ['online', 'offline'] as const;
export type AgentStatus = (typeof agentStatuses)[number];
export const cveSeverities = ['low', 'medium', 'high', 'critical'] as const;
/** Threat Stack alert severities: 1 is high, 3 low. */
export const alertSeverities = { high: 1, medium: 2, low: 3 } as const;
export type AlertSeverity = keyof typeof alertSeverities;
export const alertStatuses = ['open', 'dismissed'] as const;
export type AlertStatus = (typeof alertStatuses)[number];

/** The filters of a list, and the J1QL it ran (shown by `--json` readers and in tests). */
export interface Reading<Filters> {
  filters: Filters;
  query: string;
  result: QueryResult;
}

/** A CVE id (`CVE-2018-19932`, any case); INPUT_INVALID naming the flag otherwise. */
export function parseCveId(flag: string, value: string): string {
  const trimmed = value.trim();
  if (!/^CVE-\d{4}-\d{4,}$/i.test(trimmed)) {
    throw new VigilError('INPUT_INVALID', `${flag} must be a CVE id such as CVE-2018-19932, not '${value}'.`);
  }
  return trimmed.toUpperCase();
}

/** ` WITH a AND b` of the conditions given, or nothing. */
function withClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : ` WITH ${conditions.join(' AND ')}`;
}

const cveKeyLiteral = (cve: string) => quoteString(graphEntities.cve.key(cve));

/** `agents list`: agents, by status and/or one CVE they have, by name. */
export function agentsQuery(filters: { status?: AgentStatus; withCve?: string }): string {
  const own = withClause(filters.status === undefined ? [] : [`status = ${quoteString(filters.status)}`]);
  const cve =
    filters.withCve === undefined ? '' : ` THAT IDENTIFIED cve WITH _key = ${cveKeyLiteral(filters.withCve)}`;
  return `FIND threatstack_agent${own} AS a${cve} ORDER BY a.displayName`;
}

/**
 * `cves list`: each CVE with the number of agents it was found on, most widespread first; by
 * severity and/or one agent (its name, hostname or id).
 */
export function cvesQuery(filters: { severity?: string; agent?: string }): string {
  const own = withClause(
    filters.severity === undefined ? [] : [`severity = ${quoteString(filters.severity)}`],
  );
  const agent =
    filters.agent === undefined
      ? ''
      : ` WITH (displayName = ${quoteString(filters.agent)} OR hostname = ${quoteString(filters.agent)} OR id = ${quoteString(filters.agent)})`;
  return (
    `FIND cve${own} AS c THAT IDENTIFIED threatstack_agent${agent} AS a ` +
    'RETURN c._key AS key, c.displayName AS cve, c.severity AS severity, c.package AS package, COUNT(a) AS agents ' +
    'ORDER BY agents DESC'
  );
}

/** `alerts list`: Threat Stack alerts newest first, by severity, age and/or status. */
export function alertsQuery(filters: {
  severity?: AlertSeverity;
  sinceMs?: number;
  status?: AlertStatus;
}): string {
  const conditions: string[] = [];
  if (filters.severity !== undefined) conditions.push(`severity = ${alertSeverities[filters.severity]}`);
  if (filters.sinceMs !== undefined) conditions.push(`createdOn >= ${filters.sinceMs}`);
  if (filters.status !== undefined) conditions.push(`dismissed = ${filters.status === 'dismissed'}`);
  return `FIND threatstack_alert${withClause(conditions)} AS x ORDER BY x.createdOn DESC`;
}

/** `hosts --cve`: the agents that have the CVE (the hosts come from `protectedHostsQuery`). */
export function cveAgentsQuery(cve: string): string {
  return `FIND threatstack_agent AS a THAT IDENTIFIED cve WITH _key = ${cveKeyLiteral(cve)} ORDER BY a.displayName`;
}

/** The hosts the agents having a CVE protect, one row per (agent, host). */
export function protectedHostsQuery(cve: string): string {
  return (
    `FIND Host AS h THAT PROTECTS threatstack_agent AS a THAT IDENTIFIED cve WITH _key = ${cveKeyLiteral(cve)} ` +
    'RETURN a._key AS agent, h._key AS key, h._type AS type, h.displayName AS host'
  );
}

/**
 * The synced threat actors that use an ATT&CK technique (by id) or one of its sub-techniques (a
 * sub-technique's id is its parent's plus `.NNN`), by name.
 */
export function actorsUsingQuery(techniqueId: string): string {
  const key = graphEntities.mitreAttackTechnique.key(techniqueId);
  const technique = `_key = ${quoteString(key)} OR _key ^= ${quoteString(`${key}.`)}`;
  return `FIND threatconnect_adversary AS t THAT USES mitre_attack_technique WITH ${technique} ORDER BY t.displayName`;
}

/** An agent having a CVE and the hosts it protects. */
export interface AffectedHost {
  agent: QueryEntity;
  hosts: Array<{ key: string; type: string; host: string }>;
}

/** An alert with the agent it was raised on and its stored events (null when none were fetched). */
export interface AlertDetails {
  alert: QueryEntity;
  agent: QueryEntity | null;
  events: StoredAlertEvents | null;
}

const entities = (result: QueryResult): QueryEntity[] => (result.type === 'list' ? result.data : []);

export type ReadingService = ReturnType<typeof createReadingService>;

/** The reading shortcuts over the query engine (see the module comment). */
export function createReadingService(deps: ReadingDeps) {
  async function read<Filters>(filters: Filters, query: string, limit?: number): Promise<Reading<Filters>> {
    const result = await deps.run(query, limit === undefined ? {} : { limit });
    return { filters, query, result };
  }
  return {
    agents: (filters: { status?: AgentStatus; withCve?: string }, limit?: number) =>
      read(filters, agentsQuery(filters), limit),
    cves: (filters: { severity?: string; agent?: string }, limit?: number) =>
      read(filters, cvesQuery(filters), limit),
    /** Alerts; `since` (seconds) counts back from now. */
    alerts(
      filters: { severity?: AlertSeverity; sinceSeconds?: number; status?: AlertStatus },
      limit?: number,
    ) {
      const { sinceSeconds, ...rest } = filters;
      const sinceMs = sinceSeconds === undefined ? undefined : deps.now().getTime() - sinceSeconds * 1000;
      return read(filters, alertsQuery(sinceMs === undefined ? rest : { ...rest, sinceMs }), limit);
    },
    /** One alert by its Threat Stack id or `_key`; NOT_FOUND when the graph has none. */
    async alert(id: string): Promise<AlertDetails> {
      const literal = quoteString(id);
      const found = entities(
        await deps.run(`FIND threatstack_alert WITH id = ${literal} OR _key = ${literal}`),
      );
      const alert = found[0];
      if (alert === undefined) {
        throw new VigilError('NOT_FOUND', `No Threat Stack alert '${id}' is in the graph.`, {
          hint: 'List alerts with `vigil alerts list`; alerts arrive by sync or by webhook.',
        });
      }
      const owner = `FIND threatstack_agent THAT HAS threatstack_alert WITH _key = ${quoteString(alert._key)}`;
      const agent = entities(await deps.run(owner))[0] ?? null;
      return { alert, agent, events: (await deps.getAlertEvents(alert._key)) ?? null };
    },
    /** The agents that have the CVE, each with the hosts it protects. */
    async hostsWithCve(cve: string): Promise<AffectedHost[]> {
      const agents = entities(await deps.run(cveAgentsQuery(cve)));
      const hosts = (await deps.run(protectedHostsQuery(cve))).data;
      return agents.map((agent) => ({
        agent,
        hosts: hosts
          .filter((row) => row.agent === agent._key)
          .map((row) => ({ key: String(row.key), type: String(row.type), host: String(row.host) })),
      }));
    },
    /** The synced threat actors that use the technique (by ATT&CK id) or a sub-technique of it. */
    actorsUsing: async (techniqueId: string): Promise<QueryEntity[]> =>
      entities(await deps.run(actorsUsingQuery(techniqueId))),
  };
}
