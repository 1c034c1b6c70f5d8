import type { IRecognitionException, IToken } from 'chevrotain';
import type { Position, Query } from './ast.ts';
import { checkQuery } from './check.ts';
import { describeFound, endOf, queryError } from './errors.ts';
import { grammar } from './grammar.ts';
import { LParen, queryLexer, RParen } from './tokens.ts';

/** Longest query accepted, in characters. */
const maxQueryLength = 10_000;
/** Deepest parenthesis nesting accepted (keeps the recursive-descent parser far from the stack limit). */
const maxNesting = 32;

/**
 * Parses a J1QL query into a checked AST. Throws QUERY_INVALID naming the line, column, what was
 * expected and what was found, with a caret line under the token; never anything else for any
 * input string.
 */
export function parseQuery(text: string): Query {
  if (text.length > maxQueryLength) {
    throw queryError(
      text,
      { line: 1, column: 1 },
      `the query is ${text.length} characters long; at most ${maxQueryLength} are accepted`,
    );
  }
  const lexed = queryLexer.tokenize(text);
  const lexError = lexed.errors[0];
  if (lexError !== undefined) {
    const found = text.slice(lexError.offset, lexError.offset + lexError.length);
    throw queryError(
      text,
      { line: lexError.line ?? 1, column: lexError.column ?? 1 },
      `unexpected character ${describeFound(found)}`,
    );
  }
  checkNesting(text, lexed.tokens);
  grammar.input = lexed.tokens;
  const syntax = grammar.query();
  const parseError = grammar.errors[0];
  if (parseError !== undefined) throw syntaxError(text, parseError);
  return checkQuery(text, syntax);
}

function positionOf(text: string, token: IToken): Position {
  if (token.startLine === undefined || Number.isNaN(token.startOffset) || token.tokenType.name === 'EOF') {
    return endOf(text);
  }
  return { line: token.startLine, column: token.startColumn ?? 1 };
}

function syntaxError(text: string, error: IRecognitionException) {
  const found = error.token.tokenType.name === 'EOF' ? undefined : error.token.image;
  return queryError(
    text,
    positionOf(text, error.token),
    `expected ${error.message} but found ${describeFound(found)}`,
  );
}

function checkNesting(text: string, tokens: readonly IToken[]): void {
  let depth = 0;
  for (const token of tokens) {
    if (token.tokenType === LParen) depth += 1;
    else if (token.tokenType === RParen) depth -= 1;
    if (depth > maxNesting) {
      throw queryError(text, positionOf(text, token), `parentheses nest deeper than ${maxNesting} levels`);
    }
  }
}
