import { VigilError } from '../errors.ts';
import type { Position } from './ast.ts';

/**
 * The line of `query` at `position` with a caret under its column, e.g.
 * `FIND x WITH = 1\n            ^`. Tabs before the column are kept so the caret lines up.
 */
export function renderCaret(query: string, position: Position): string {
  const line = query.split(/\r\n|\r|\n/)[position.line - 1] ?? '';
  const lead = [...line.slice(0, Math.max(0, position.column - 1))]
    .map((char) => (char === '\t' ? '\t' : ' '))
    .join('');
  return `${line}\n${lead}^`;
}

/** How a found token is named in a message: `'AS'`, or `the end of the query`. */
export function describeFound(image: string | undefined): string {
  if (image === undefined || image === '') return 'the end of the query';
  const shown = image.length > 40 ? `${image.slice(0, 40)}…` : image;
  return `'${shown}'`;
}

/**
 * A QUERY_INVALID error: `Invalid query at line L, column C: <problem>` followed by the query line
 * and a caret under the offending token. `details` carries line and column for callers.
 */
export function queryError(query: string, position: Position, problem: string): VigilError {
  return new VigilError(
    'QUERY_INVALID',
    `Invalid query at line ${position.line}, column ${position.column}: ${problem}\n${renderCaret(query, position)}`,
    { details: { line: position.line, column: position.column } },
  );
}

/** The position just after the last character of `query` (where a missing token was due). */
export function endOf(query: string): Position {
  const lines = query.split(/\r\n|\r|\n/);
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}
