import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteString } from './literal.ts';
import { parseQuery } from './parse.ts';

describe('quoteString', () => {
  it('reads back as exactly the value it quotes, whatever the value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        const query = parseQuery(`FIND cve WITH name = ${quoteString(value)}`);
        expect(query.find.where).toMatchObject({ kind: 'compare', right: { kind: 'string', value } });
      }),
      { numRuns: 2000 },
    );
  });

  it("escapes quotes, backslashes and line breaks: it's → 'it\\'s'", () => {
    expect(quoteString("it's \\ x\ny")).toBe("'it\\'s \\\\ x\\ny'");
  });
});
