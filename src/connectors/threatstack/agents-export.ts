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

type Column = (typeof getAllAgentsHeader)[number];

/** Where each column's value comes from in the API's agent (the rest carry the column's own name). */
const sourceKeys: Partial<Record<Column, string>> = {
  agentId: 'id',
  CreatedAt: 'createdAt',
  LastReportedAt: 'lastReportedAt',
  isHealthy: 'agentModuleHealth',
};

const knownKeys = new Set<string>(getAllAgentsHeader.map((column) => sourceKeys[column] ?? column));

/** Private and public addresses (in the API's key order, as the script walks them), loopback dropped. */
function addressesCell(value: unknown): string {
  const addresses = Object.entries((value ?? {}) as Record<string, string[] | null>)
    .filter(([kind]) => kind === 'private' || kind === 'public')
    .flatMap(([, list]) => (list ?? []).filter((ip) => !loopbackAddresses.has(ip)));
  return pythonRepr(addresses);
}

function columnCell(column: Column, agent: Record<string, unknown>): string {
  const key = sourceKeys[column] ?? column;
  if (!Object.hasOwn(agent, key)) return '';
  const value = agent[key];
  if (column === 'ipAddresses') return addressesCell(value);
  if (column === 'isHealthy') {
    const health = value as { isHealthy?: boolean | null } | null;
    return health ? cellValue(health.isHealthy) : '';
  }
  return cellValue(value);
}

/** The first characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"). */
const formulaStart = /^[=+\-@\t\r]/;

/**
 * A cell a spreadsheet will show as text: one starting with `=`, `+`, `-`, `@`, tab or carriage
 * return gets a leading `'`, as OWASP recommends; any other cell is returned as it is.
 */
export function neutralizeFormula(cell: string): string {
  return formulaStart.test(cell) ? `'${cell}` : cell;
}

export interface AgentRow {
  /** One cell per column of `getAllAgentsHeader`, in its order; a key the agent lacks is an empty cell. */
  cells: string[];
  /** Keys the script does not know, reported as `Unexpected key,val pair:  <key> <val>`. */
  unexpected: Array<[string, unknown]>;
}

/**
 * One agent as the script writes it, each cell taken by its column's name (a missing key leaves
 * that cell empty and never shifts the others). Unless `raw`, cells a spreadsheet would run as a
 * formula are neutralized; `raw` keeps the vendor script's bytes.
 */
export function agentRow(agent: Record<string, unknown>, options: { raw?: boolean } = {}): AgentRow {
  const cells = getAllAgentsHeader.map((column) => {
    const cell = columnCell(column, agent);
    return options.raw ? cell : neutralizeFormula(cell);
  });
  const unexpected = Object.entries(agent).filter(([key]) => !knownKeys.has(key));
  return { cells, unexpected };
}

/** A CSV line as Python's csv module writes it (minimal quoting, `\r\n`). */
export function csvLine(values: readonly string[]): string {
  return `${values.map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')}\r\n`;
}

/**
 * `agents-<OrgName>-<YYYY-MM-DD>.<ext>`, local date, the org name reduced to ASCII letters and
 * digits as the vendor's script does (`re.sub('[^A-Za-z0-9]+', '', name)`): `Café Ünïcode` → `Cafncode`.
 */
export function exportFileName(orgName: string, date: Date, extension: 'csv' | 'json'): string {
  const org = orgName.replace(/[^A-Za-z0-9]+/g, '');
  const day = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  return `agents-${org}-${day}.${extension}`;
}
