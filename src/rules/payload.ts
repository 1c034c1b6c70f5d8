import type { EvaluatedRow, QueryRow, RuleEvaluation } from './evaluate.ts';
import type { Rule } from './model.ts';

/**
 * The JSON a rule's webhook receives. Slack incoming webhooks read `text` (and ignore the rest);
 * generic receivers read the structured fields: the rule, its condition, when it was evaluated,
 * how many rows the alert is about and the first of them (`truncated` when there are more).
 */
export interface AlertPayload {
  text: string;
  rule: string;
  condition: string;
  alertId: string | null;
  evaluatedAt: string;
  rowCount: number;
  truncated: boolean;
  rows: EvaluatedRow[];
}

/** Rows named in `text`, so a Slack message says which things without opening Vigil. */
const rowsInText = 5;

/** A short human name for a row: its display name, else its key, else its first column. */
export function nameOf(row: QueryRow): string {
  for (const field of ['displayName', '_key']) {
    const value = row[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  const [first] = Object.entries(row);
  return first === undefined ? '(empty row)' : `${first[0]} = ${JSON.stringify(first[1])}`;
}

/**
 * Escapes the three characters Slack reads as markup in `text` (`&`, `<`, `>`), so a host named
 * `<!channel>` in vendor data cannot notify a whole channel or forge a link.
 */
export function escapeSlackText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The payload of one firing of `rule`; `text` is escaped for Slack, the structured fields are not. */
export function buildAlertPayload(
  rule: Pick<Rule, 'name' | 'conditionText' | 'condition'>,
  evaluation: Pick<RuleEvaluation, 'rows' | 'rowCount' | 'state'>,
  alertId: string | null,
): AlertPayload {
  const noun = rule.condition.kind === 'new' ? 'new result' : 'result';
  const plural = evaluation.rowCount === 1 ? noun : `${noun}s`;
  const named = evaluation.rows.slice(0, rowsInText).map(({ row }) => `• ${escapeSlackText(nameOf(row))}`);
  const more = evaluation.rowCount - named.length;
  const lines = [
    `Vigil rule "${escapeSlackText(rule.name)}" fired (${escapeSlackText(rule.conditionText)}): ${evaluation.rowCount} ${plural}.`,
    ...named,
    ...(more > 0 && named.length > 0 ? [`… and ${more} more`] : []),
  ];
  return {
    text: lines.join('\n'),
    rule: rule.name,
    condition: rule.conditionText,
    alertId,
    evaluatedAt: evaluation.state.evaluatedAt,
    rowCount: evaluation.rowCount,
    truncated: evaluation.rows.length < evaluation.rowCount,
    rows: evaluation.rows,
  };
}
