/**
 * GetAllAgents parity (spec §6, threatstack-api-scripts/GetAllAgents): the vendor script's CSV
 * columns, value formatting (Python reprs for lists and dicts) and file name. Pure functions.
 */

export const getAllAgentsHeader = [
  'agentId',
  'instanceId',
  'status',
  'CreatedAt',
  'LastReportedAt',
  'version',
  'name',
  'description',
  'hostname',
  'ipAddresses',
  'tags',
  'agentType',
  'osVersion',
  'kernel',
  'isHealthy',
] as const;

/** Keys the script copies as they are (lists and dicts as Python reprs). */
const copiedKeys = new Set([
  'id',
  'instanceId',
  'status',
  'createdAt',
  'lastReportedAt',
  'version',
  'name',
  'description',
  'hostname',
  'tags',
  'agentType',
  'osVersion',
  'kernel',
]);

const loopbackAddresses = new Set(['127.0.0.1/8', '::1/128']);

/** Python's repr() of a JSON value: `['a', 'b']`, `{'key': 'v'}`, `None`, `True`. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    const escaped = value
      .replace(/\\/g, '\\\\')
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/\t/g, '\\t');
    if (value.includes("'") && !value.includes('"')) return `"${escaped}"`;
    return `'${escaped.replace(/'/g, "\\'")}'`;
  }
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`,
    );
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

/** What Python's csv writer prints for one value: str() of scalars, '' for None. */
function cellValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return pythonRepr(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

export interface AgentRow {
  cells: string[];
  /** Keys the script does not know, reported as `Unexpected key,val pair:  <key> <val>`. */
  unexpected: Array<[string, unknown]>;
}

/** One agent as the script writes it: values in the API's key order, with its special cases. */
export function agentRow(agent: Record<string, unknown>): AgentRow {
  const cells: string[] = [];
  const unexpected: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(agent)) {
    if (copiedKeys.has(key)) {
      cells.push(cellValue(value));
    } else if (key === 'ipAddresses') {
      // In the API's key order, as the script walks `ipAddresses.items()`: private and public, not link_local.
      const addresses = Object.entries((value ?? {}) as Record<string, string[] | null>)
        .filter(([kind]) => kind === 'private' || kind === 'public')
        .flatMap(([, list]) => (list ?? []).filter((ip) => !loopbackAddresses.has(ip)));
      cells.push(pythonRepr(addresses));
    } else if (key === 'agentModuleHealth') {
      const health = value as { isHealthy?: boolean | null } | null;
      cells.push(health ? cellValue(health.isHealthy) : '');
    } else {
      unexpected.push([key, value]);
    }
  }
  return { cells, unexpected };
}

/** A CSV line as Python's csv module writes it (minimal quoting, `\r\n`). */
export function csvLine(values: readonly string[]): string {
  return `${values.map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')}\r\n`;
}

/** `agents-<OrgName>-<YYYY-MM-DD>.<ext>`, the org name reduced to letters and digits, local date. */
export function exportFileName(orgName: string, date: Date, extension: 'csv' | 'json'): string {
  const org = orgName.replace(/[^\p{L}\p{N}]+/gu, '');
  const day = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  return `agents-${org}-${day}.${extension}`;
}
