/**
 * The vendor records validation reads as evidence: a Threat Stack alert and the events behind it, as
 * the REST API v2 documents them (`specs/threatstack-api.md`, alerts and alert events). Declared here
 * structurally, because readers never import a connector; the client's parsed alerts and events
 * satisfy these shapes as they are.
 */
export interface AlertRecord {
  id: string;
  title?: string | null;
  dataSource?: string | null;
  createdAt: string;
  isDismissed?: boolean | null;
  dismissedAt?: string | null;
  severity: number;
  agentId?: string | null;
  ruleId?: string | null;
  rulesetId?: string | null;
  /** `{fieldName, fieldValue}` pairs the alert was aggregated on (e.g. the hostname). */
  aggregates?: unknown[] | null;
}

/** One event behind an alert: what ran, where, and over which addresses and ports. */
export interface AlertEventRecord {
  id: string;
  timestamp: string;
  eventType: string;
  agentId?: string | null;
  hostname?: string | null;
  user?: string | null;
  exe?: string | null;
  command?: string | null;
  args?: string[] | null;
  pid?: number | null;
  ppid?: number | null;
  srcIp?: string | null;
  dstIp?: string | null;
  dstPort?: number | null;
  filename?: string | null;
  syscall?: string | null;
  ruleId?: string | null;
  alertId?: string | null;
}
