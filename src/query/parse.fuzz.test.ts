import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import { parseQuery } from './parse.ts';

/** The grammar's vocabulary plus near-misses, so soups often get deep before they fail. */
const vocabulary = [
  'FIND',
  'find',
  'WITH',
  'AS',
  'THAT',
  'WHERE',
  'RETURN',
  'ORDER',
  'BY',
  'ASC',
  'DESC',
  'SKIP',
  'LIMIT',
  'AND',
  'OR',
  'COUNT',
  'MIN',
  'MAX',
  'AVG',
  'SUM',
  'TRUE',
  'false',
  'undefined',
  'HAS',
  'IDENTIFIED',
  'threatstack_agent',
  'cve',
  'HostAgent',
  'a',
  'b',
  'c',
  'a.p',
  'b.q',
  'tag.Name',
  'status',
  '*',
  '(',
  ')',
  '|',
  ',',
  '.',
  '!',
  '<<',
  '>>',
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '~=',
  '^=',
  '$=',
  '!~=',
  '!^=',
  '!$=',
  "'x'",
  '"y"',
  "'unterminated",
  '1',
  '-2.5',
  '1e400',
  '3.',
  '/re/i',
  '/(/',
  '/x/g',
  '\n',
  '#',
  '\u00e9',
];

// biome-ignore format: one list, read as a table
const soup = fc
  .array(fc.constantFrom(...vocabulary), { maxLength: 24 })
  .chain((tokens) => fc.constantFrom(' ', '', '\t').map((separator) => tokens.join(separator)));

const input = fc.oneof(
  { weight: 4, arbitrary: soup },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

describe('parseQuery fuzz', () => {
  it('answers 100 000 generated inputs with an AST or QUERY_INVALID, nothing else', () => {
    let parsed = 0;
    fc.assert(
      fc.property(input, (text) => {
        try {
          parseQuery(text);
          parsed += 1;
        } catch (error) {
          if (!(error instanceof VigilError) || error.code !== 'QUERY_INVALID') throw error;
          expect(error.message).toMatch(/^Invalid query at line \d+, column \d+: .+\n.*\n\s*\^$/s);
        }
      }),
      { numRuns: 100_000, seed: 20_261_202 },
    );
    // Some soups are valid queries: the fuzzer reaches past the first token.
    expect(parsed).toBeGreaterThan(0);
  });
});
