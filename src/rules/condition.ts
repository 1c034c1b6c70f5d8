import { VigilError } from '../errors.ts';

export const comparisonOperators = ['>', '>=', '<', '<=', '=', '!='] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];

/**
 * When a rule fires. `any`: some query returned at least one row. `new`: some query returned a row
 * absent from that query's result at the previous evaluation. `threshold`: the number of rows
 * (`total`) of the query labelled `label` compares to `value` with `operator`.
 */
export type RuleCondition =
  | { kind: 'any' }
  | { kind: 'new' }
  | { kind: 'threshold'; label: string; operator: ComparisonOperator; value: number };

const conditionHint =
  "Write --when any, --when new, or --when '<label>.total <op> N' with <op> one of > >= < <= = != (e.g. 'query0.total > 10').";

function invalid(text: string, column: number, problem: string): VigilError {
  return new VigilError(
    'INPUT_INVALID',
    `Condition '${text}' is not valid at column ${column}: ${problem}.`,
    {
      hint: conditionHint,
    },
  );
}

const labelPattern = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The operator at the start of `rest`, longest first (`>=` before `>`). */
function readOperator(rest: string): ComparisonOperator | undefined {
  return ['>=', '<=', '!=', '>', '<', '='].find((operator) => rest.startsWith(operator)) as
    | ComparisonOperator
    | undefined;
}

/**
 * Parses a rule's `--when` text: `any`, `new` (any case), or `<label>.total <op> N` with N a
 * non-negative integer and spaces allowed around the operator. INPUT_INVALID names the column
 * (1-based, in the text as given) and what was expected there.
 */
export function parseCondition(text: string): RuleCondition {
  const trimmed = text.trim();
  const lowered = trimmed.toLowerCase();
  if (lowered === 'any' || lowered === 'new') return { kind: lowered };
  const offset = text.length - text.trimStart().length + 1;
  if (trimmed === '') throw invalid(text, 1, "expected 'any', 'new' or '<label>.total <op> N'");
  const label = labelPattern.exec(trimmed)?.[0];
  if (label === undefined) throw invalid(text, offset, "expected 'any', 'new' or a query label");
  let position = label.length;
  if (!trimmed.startsWith('.total', position)) {
    throw invalid(text, offset + position, `expected '.total' after the label '${label}'`);
  }
  position += '.total'.length;
  position += trimmed.slice(position).length - trimmed.slice(position).trimStart().length;
  const operator = readOperator(trimmed.slice(position));
  if (operator === undefined) {
    throw invalid(text, offset + position, `expected one of ${comparisonOperators.join(' ')}`);
  }
  position += operator.length;
  const number = trimmed.slice(position).trim();
  if (!/^\d{1,9}$/.test(number)) {
    throw invalid(text, offset + position, `expected a whole number of rows after '${operator}'`);
  }
  return { kind: 'threshold', label, operator, value: Number(number) };
}

/** The condition as `parseCondition` reads it (normalized spacing). */
export function formatCondition(condition: RuleCondition): string {
  return condition.kind === 'threshold'
    ? `${condition.label}.total ${condition.operator} ${condition.value}`
    : condition.kind;
}

/** Whether `total` satisfies `operator value`. */
export function compareTotal(total: number, operator: ComparisonOperator, value: number): boolean {
  switch (operator) {
    case '>':
      return total > value;
    case '>=':
      return total >= value;
    case '<':
      return total < value;
    case '<=':
      return total <= value;
    case '=':
      return total === value;
    case '!=':
      return total !== value;
  }
}
