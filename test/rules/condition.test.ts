import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { compareTotal, formatCondition, parseCondition } from '../../src/rules/condition.ts';

function errorOf(text: string): VigilError {
  try {
    parseCondition(text);
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error(`'${text}' parsed`);
}

describe('parseCondition', () => {
  it.each([
    ['any', { kind: 'any' }],
    [' NEW ', { kind: 'new' }],
    ['query0.total > 0', { kind: 'threshold', label: 'query0', operator: '>', value: 0 }],
    ['hosts.total>=10', { kind: 'threshold', label: 'hosts', operator: '>=', value: 10 }],
    ['a.total < 3', { kind: 'threshold', label: 'a', operator: '<', value: 3 }],
    ['a.total <= 3', { kind: 'threshold', label: 'a', operator: '<=', value: 3 }],
    ['_x.total = 0', { kind: 'threshold', label: '_x', operator: '=', value: 0 }],
    ['a.total != 7', { kind: 'threshold', label: 'a', operator: '!=', value: 7 }],
  ])('reads %j', (text, expected) => {
    expect(parseCondition(text)).toEqual(expected);
  });

  it.each([
    ['', 1, "expected 'any', 'new' or '<label>.total <op> N'"],
    ['  9.total > 1', 3, "expected 'any', 'new' or a query label"],
    ['all', 4, "expected '.total' after the label 'all'"],
    ['a.count > 1', 2, "expected '.total' after the label 'a'"],
    ['a.total >> 1', 10, "expected a whole number of rows after '>'"],
    ['a.total ~ 1', 9, 'expected one of > >= < <= = !='],
    ['a.total', 8, 'expected one of > >= < <= = !='],
    ['a.total > -1', 10, "expected a whole number of rows after '>'"],
    ['a.total > 1.5', 10, "expected a whole number of rows after '>'"],
    ['a.total > 1 or b.total > 2', 10, "expected a whole number of rows after '>'"],
  ])('refuses %j at column %i', (text, column, problem) => {
    const error = errorOf(text);
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toBe(`Condition '${text}' is not valid at column ${column}: ${problem}.`);
    expect(error.hint).toContain('--when any');
  });

  it('formats what it parsed back to the canonical text', () => {
    expect(formatCondition(parseCondition('a.total>=3'))).toBe('a.total >= 3');
    expect(formatCondition(parseCondition('Any'))).toBe('any');
  });
});

describe('compareTotal', () => {
  it.each([
    [5, '>', 4, true],
    [4, '>', 4, false],
    [4, '>=', 4, true],
    [3, '<', 4, true],
    [4, '<', 4, false],
    [4, '<=', 4, true],
    [4, '=', 4, true],
    [3, '=', 4, false],
    [3, '!=', 4, true],
    [4, '!=', 4, false],
  ] as const)('%i %s %i is %s', (total, operator, value, expected) => {
    expect(compareTotal(total, operator, value)).toBe(expected);
  });
});

describe('parseCondition on generated input', () => {
  const operators = ['>', '>=', '<', '<=', '=', '!='] as const;

  it('either parses or refuses with INPUT_INVALID naming a column inside the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: fc.constantFrom('a', '.', 't', 'o', 'l', '>', '=', '!', '<', ' ', '1') }),
        ),
        (text) => {
          try {
            parseCondition(text);
          } catch (error) {
            expect(error).toBeInstanceOf(VigilError);
            const { code, message } = error as VigilError;
            expect(code).toBe('INPUT_INVALID');
            const column = Number(/at column (\d+)/.exec(message)?.[1]);
            expect(column).toBeGreaterThanOrEqual(1);
            expect(column).toBeLessThanOrEqual(text.length + 1);
          }
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('reads back what it formats', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/),
        fc.constantFrom(...operators),
        fc.nat({ max: 999_999_999 }),
        (label, operator, value) => {
          const condition = { kind: 'threshold', label, operator, value } as const;
          expect(parseCondition(formatCondition(condition))).toEqual(condition);
        },
      ),
    );
  });
});
