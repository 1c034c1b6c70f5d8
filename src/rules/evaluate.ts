import { createHash } from 'node:crypto';
import { z } from 'zod';
import { compareTotal } from './condition.ts';
import type { Rule } from './model.ts';

/** A row of a query result: an entity (`list`) or a RETURN row (`table`). */
export type QueryRow = Readonly<Record<string, unknown>>;

/** JupiterOne's query result shape, as the query engine returns it. */
export type QueryResult = { type: 'list'; data: QueryRow[] } | { type: 'table'; data: QueryRow[] };

/** Runs one J1QL query (`vigil.query.run`, wired in src/app/rules.ts). */
export type RunQuery = (text: string) => Promise<QueryResult>;

/**
 * What a rule's evaluation remembers for the next one: when it ran, each query's total, and, for a
 * `new` rule only, each query's row keys (other rules need no keys, so none are kept).
 */
export const evaluationStateSchema = z.object({
  evaluatedAt: z.string(),
  totals: z.record(z.string(), z.number()),
  keys: z.record(z.string(), z.array(z.string())),
});
export type EvaluationState = z.infer<typeof evaluationStateSchema>;

/** A row of an evaluation, with the label of the query that returned it. */
export interface EvaluatedRow {
  query: string;
  row: QueryRow;
}

export interface RuleEvaluation {
  fired: boolean;
  /** The rows the alert is about (for `new`: the new rows only), at most `maxRows`. */
  rows: EvaluatedRow[];
  /** How many rows the alert is about in all (`rows` may hold fewer). */
  rowCount: number;
  /** Per query label: the keys of rows absent at the previous evaluation (`new` rules only). */
  newKeys: Record<string, string[]>;
  totals: Record<string, number>;
  state: EvaluationState;
}

/** How many rows an evaluation carries (payloads and alerts); the rest are counted. */
export const defaultMaxRows = 20;

/** Canonical JSON: object keys sorted at every depth, so equal rows serialize alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The identity of a result row across evaluations. An entity (`list`) is its `_key`. A table row
 * (RETURN …) has no key of its own, so it is `row:` + the sha256 of its canonical JSON (every
 * column, names sorted): a row is "the same" when all its values are; a changed count or property
 * makes it a new row. An entity without a string `_key` falls back to the same digest.
 */
export function rowKey(resultType: QueryResult['type'], row: QueryRow): string {
  if (resultType === 'list' && typeof row._key === 'string') return row._key;
  return `row:${createHash('sha256').update(canonicalJson(row)).digest('hex')}`;
}

/**
 * Evaluates a rule: runs each query once (in order), applies the condition and returns the new
 * state to store. A failing query rejects the whole evaluation (nothing fired, state unchanged).
 *
 * `new` follows JupiterOne's "new results": a row fires when its key was not in that query's result
 * at the previous evaluation. With no previous evaluation every row is new, so the first evaluation
 * of a `new` rule fires for every row it finds (rows that vanish and come back fire again). Rows of
 * `any` and threshold rules are all the rows returned.
 */
export async function evaluateRule(
  rule: Rule,
  runQuery: RunQuery,
  previous: EvaluationState | undefined,
  now: Date,
  maxRows: number = defaultMaxRows,
): Promise<RuleEvaluation> {
  const tracksKeys = rule.condition.kind === 'new';
  const totals: Record<string, number> = {};
  const keys: Record<string, string[]> = {};
  const newKeys: Record<string, string[]> = {};
  const alertRows: EvaluatedRow[] = [];
  let rowCount = 0;
  for (const query of rule.queries) {
    const result = await runQuery(query.text);
    totals[query.label] = result.data.length;
    const rows = tracksKeys ? newRowsOf(query.label, result, previous, keys, newKeys) : result.data;
    rowCount += rows.length;
    for (const row of rows) if (alertRows.length < maxRows) alertRows.push({ query: query.label, row });
  }
  const condition = rule.condition;
  const fired =
    condition.kind === 'threshold'
      ? compareTotal(totals[condition.label] ?? 0, condition.operator, condition.value)
      : rowCount > 0;
  return {
    fired,
    rows: alertRows,
    rowCount,
    newKeys,
    totals,
    state: { evaluatedAt: now.toISOString(), totals, keys },
  };
}

/** The rows of `result` whose keys `previous` did not hold; records every key and the new ones. */
function newRowsOf(
  label: string,
  result: QueryResult,
  previous: EvaluationState | undefined,
  keys: Record<string, string[]>,
  newKeys: Record<string, string[]>,
): QueryRow[] {
  const seenBefore = new Set(previous?.keys[label] ?? []);
  const current = new Set<string>();
  const fresh: QueryRow[] = [];
  const freshKeys: string[] = [];
  for (const row of result.data) {
    const key = rowKey(result.type, row);
    if (current.has(key)) continue;
    current.add(key);
    if (seenBefore.has(key)) continue;
    fresh.push(row);
    freshKeys.push(key);
  }
  keys[label] = [...current];
  newKeys[label] = freshKeys;
  return fresh;
}
