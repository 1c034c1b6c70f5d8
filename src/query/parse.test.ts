import { describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import type { Condition, Query } from './ast.ts';
import { renderCaret } from './errors.ts';
import { parseQuery } from './parse.ts';

function failure(text: string): VigilError {
  try {
    parseQuery(text);
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to fail`);
}

function withOf(text: string): Condition | undefined {
  return parseQuery(text).find.where;
}

describe('parseQuery: constructs', () => {
  it('reads the issue queries into the AST', () => {
    expect(
      parseQuery(
        "FIND threatstack_agent AS a THAT IDENTIFIED cve WITH severity = 'high' AS c RETURN a._key, COUNT(c)",
      ),
    ).toEqual({
      find: {
        alias: 'a',
        selector: { kind: 'names', names: [{ field: '_type', value: 'threatstack_agent' }] },
      },
      traversals: [
        {
          from: 'a',
          verbs: ['IDENTIFIED'],
          negated: false,
          direction: 'any',
          node: {
            alias: 'c',
            selector: { kind: 'names', names: [{ field: '_type', value: 'cve' }] },
            where: {
              kind: 'compare',
              left: { alias: 'c', property: 'severity' },
              op: '=',
              right: { kind: 'string', value: 'high' },
            },
          },
        },
      ],
      returns: [
        { kind: 'property', ref: { alias: 'a', property: '_key' }, label: 'a._key' },
        { kind: 'count', alias: 'c', label: 'COUNT(c)' },
      ],
    } satisfies Query);
  });

  it('selects _class for TitleCase, _type for snake_case, any for *, alternatives in parentheses', () => {
    expect(parseQuery('FIND HostAgent').find.selector).toEqual({
      kind: 'names',
      names: [{ field: '_class', value: 'HostAgent' }],
    });
    expect(parseQuery('FIND *').find.selector).toEqual({ kind: 'any' });
    expect(parseQuery('FIND (Host | cve)').find.selector).toEqual({
      kind: 'names',
      names: [
        { field: '_class', value: 'Host' },
        { field: '_type', value: 'cve' },
      ],
    });
  });

  it('reads keywords in any case and gives unnamed entities hidden aliases', () => {
    const query = parseQuery("find cve that identified threatstack_agent with status = 'offline'");
    expect(query.find.alias).toBe('$0');
    expect(query.traversals[0]).toMatchObject({ from: '$0', verbs: ['IDENTIFIED'], node: { alias: '$1' } });
  });

  it('reads every operator and value kind', () => {
    const ops = ['=', '!=', '<', '<=', '>', '>=', '~=', '^=', '$=', '!~=', '!^=', '!$='];
    for (const op of ops) {
      expect(withOf(`FIND x WITH name ${op} 'v'`)).toMatchObject({
        op,
        right: { kind: 'string', value: 'v' },
      });
    }
    expect(withOf('FIND x WITH n >= -1.5e2')).toMatchObject({ right: { kind: 'number', value: -150 } });
    expect(withOf('FIND x WITH active = TRUE')).toMatchObject({ right: { kind: 'boolean', value: true } });
    expect(withOf('FIND x WITH active != false')).toMatchObject({ right: { kind: 'boolean', value: false } });
    expect(withOf('FIND x WITH owner = undefined')).toMatchObject({ right: { kind: 'undefined' } });
    expect(withOf('FIND x WITH name = /^web-\\d+$/i')).toMatchObject({
      right: { kind: 'regex', source: '^web-\\d+$', ignoreCase: true },
    });
    expect(withOf(`FIND x WITH name = "it\\"s" OR name = 'it\\'s'`)).toMatchObject({
      kind: 'or',
      operands: [{ right: { value: 'it"s' } }, { right: { value: "it's" } }],
    });
  });

  it('gives AND precedence over OR, honours parentheses, and takes dotted and keyword property names', () => {
    expect(withOf("FIND x WITH a = 1 OR b = 2 AND tag.Name = 'web'")).toEqual({
      kind: 'or',
      operands: [
        {
          kind: 'compare',
          left: { alias: '$0', property: 'a' },
          op: '=',
          right: { kind: 'number', value: 1 },
        },
        {
          kind: 'and',
          operands: [
            {
              kind: 'compare',
              left: { alias: '$0', property: 'b' },
              op: '=',
              right: { kind: 'number', value: 2 },
            },
            {
              kind: 'compare',
              left: { alias: '$0', property: 'tag.Name' },
              op: '=',
              right: { kind: 'string', value: 'web' },
            },
          ],
        },
      ],
    });
    expect(withOf('FIND x WITH (a = 1 OR b = 2) AND count > 3')).toMatchObject({
      kind: 'and',
      operands: [{ kind: 'or' }, { left: { property: 'count' } }],
    });
  });

  it('reads negated, directed and multi-verb steps; a step after a negated one starts from its source', () => {
    const query = parseQuery('FIND Host AS h THAT !PROTECTS >> HostAgent THAT (HAS|uses) << * AS x');
    expect(query.traversals).toEqual([
      {
        from: 'h',
        verbs: ['PROTECTS'],
        negated: true,
        direction: 'out',
        node: { alias: '$1', selector: { kind: 'names', names: [{ field: '_class', value: 'HostAgent' }] } },
      },
      {
        from: 'h',
        verbs: ['HAS', 'USES'],
        negated: false,
        direction: 'in',
        node: { alias: 'x', selector: { kind: 'any' } },
      },
    ]);
  });

  it('reads WHERE between aliases, every RETURN item kind, ORDER BY, SKIP and LIMIT', () => {
    const query = parseQuery(
      'FIND a_type AS a THAT HAS b_type AS b WHERE a.p = b.q AND b.n > 2 ' +
        'RETURN a, b.name, COUNT(b) AS total, MIN(b.n), MAX(b.n), AVG(b.n), SUM(b.n) AS s ' +
        'ORDER BY total DESC SKIP 10 LIMIT 5',
    );
    expect(query.where).toEqual({
      kind: 'and',
      operands: [
        {
          kind: 'compareProperties',
          left: { alias: 'a', property: 'p' },
          op: '=',
          right: { alias: 'b', property: 'q' },
        },
        {
          kind: 'compare',
          left: { alias: 'b', property: 'n' },
          op: '>',
          right: { kind: 'number', value: 2 },
        },
      ],
    });
    expect(query.returns?.map((item) => item.label)).toEqual([
      'a',
      'b.name',
      'total',
      'MIN(b.n)',
      'MAX(b.n)',
      'AVG(b.n)',
      's',
    ]);
    expect(query.returns?.[0]).toEqual({ kind: 'entity', alias: 'a', label: 'a' });
    expect(query.returns?.[6]).toEqual({
      kind: 'aggregate',
      fn: 'sum',
      ref: { alias: 'b', property: 'n' },
      label: 's',
    });
    expect(query.orderBy).toEqual({ target: { kind: 'item', label: 'total' }, descending: true });
    expect(query).toMatchObject({ skip: 10, limit: 5 });
    expect(parseQuery('FIND x AS a ORDER BY a.name ASC').orderBy).toEqual({
      target: { kind: 'property', ref: { alias: 'a', property: 'name' } },
      descending: false,
    });
  });
});

describe('parseQuery: errors', () => {
  it('names line, column, what was expected and what was found, with a caret under the token', () => {
    const error = failure('FIND x WITH = 1');
    expect(error.code).toBe('QUERY_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.httpStatus).toBe(400);
    expect(error.details).toEqual({ line: 1, column: 13 });
    expect(error.message).toBe(
      "Invalid query at line 1, column 13: expected '(' or a name but found '='\nFIND x WITH = 1\n            ^",
    );
  });

  it('reports positions on later lines and at the end of the query', () => {
    expect(failure('FIND x\n  THAT HAS\n  y AS').message).toBe(
      'Invalid query at line 3, column 7: expected a name but found the end of the query\n  y AS\n      ^',
    );
    expect(failure('FIND x AS a\nRETURN a LIMIT').message).toBe(
      'Invalid query at line 2, column 15: expected a number but found the end of the query\nRETURN a LIMIT\n              ^',
    );
  });

  it('reports a token where the query should have ended, and characters outside the language', () => {
    expect(failure("FIND x WITH a = 'b' 'c'").message).toBe(
      "Invalid query at line 1, column 21: expected the end of the query but found ''c''\nFIND x WITH a = 'b' 'c'\n                    ^",
    );
    expect(failure('FIND x WITH a = #1').message).toBe(
      "Invalid query at line 1, column 17: unexpected character '#'\nFIND x WITH a = #1\n                ^",
    );
    expect(failure("FIND x WITH a = 'open").message).toMatch(
      /^Invalid query at line 1, column 17: unexpected character/,
    );
  });

  it('lists the alternatives expected', () => {
    expect(failure('FIND').message).toMatch(/expected '\*', a name or '\(' but found the end of the query/);
    expect(failure('FIND x WITH a').message).toMatch(
      /expected '!~=', '!\^=', '!\$=', '!=', '~=', '\^=', '\$=', '<=', '>=', '<', '>' or '=' but found/,
    );
    expect(failure('SELECT * FROM x').message).toMatch(/column 1: expected FIND but found 'SELECT'/);
  });

  it('rejects unknown aliases in WHERE, RETURN, ORDER BY and aggregates, naming the declared ones', () => {
    expect(failure('FIND x AS a WHERE b.p = 1').message).toBe(
      "Invalid query at line 1, column 19: unknown alias 'b' (declared: a)\nFIND x AS a WHERE b.p = 1\n                  ^",
    );
    expect(failure('FIND x AS a RETURN a.p, c.q').message).toMatch(
      /column 25: unknown alias 'c' \(declared: a\)/,
    );
    expect(failure('FIND x RETURN COUNT(c)').message).toMatch(
      /column 21: unknown alias 'c' \(no alias is declared/,
    );
    expect(failure('FIND x AS a THAT HAS y AS b RETURN MAX(z.n)').message).toMatch(
      /column 40: unknown alias 'z' \(declared: a, b\)/,
    );
    expect(failure('FIND x AS a THAT HAS y AS b ORDER BY b.name').message).toMatch(
      /column 38: without RETURN, ORDER BY takes a property of the FIND entity, not of 'b'/,
    );
  });

  it('rejects an alias on a negated step, a duplicate alias and a duplicate label', () => {
    expect(failure('FIND x AS a THAT !HAS y AS b').message).toMatch(
      /column 28: a negated step \(THAT !HAS\) matches no entity, so it cannot have an alias/,
    );
    expect(failure('FIND x AS a THAT HAS y AS a').message).toMatch(
      /column 27: the alias 'a' is declared twice/,
    );
    expect(failure('FIND x AS a RETURN a.p, a.p').message).toMatch(
      /column 25: two RETURN items are named 'a.p'/,
    );
  });

  it('rejects operators that do not fit their value, bad regexes and bad counts', () => {
    expect(failure('FIND x WITH a ~= 3').message).toMatch(/column 15: the operator ~= needs a string value/);
    expect(failure('FIND x WITH a < true').message).toMatch(
      /column 15: true and false can only be compared with = or !=/,
    );
    expect(failure('FIND x WITH a ^= undefined').message).toMatch(
      /undefined can only be compared with = or !=/,
    );
    expect(failure('FIND x WITH a > /x/').message).toMatch(/a \/regex\/ can only be compared with = or !=/);
    expect(failure('FIND x WITH a = /x/g').message).toMatch(/column 17: unsupported regex flags 'g'/);
    expect(failure('FIND x WITH a = /(/').message).toMatch(/column 17: invalid regex/);
    expect(failure('FIND x WITH a = b.c').message).toMatch(/column 17: expected a value .* but found 'b.c'/);
    expect(failure('FIND x AS a WHERE a.p ~= a.q').message).toMatch(
      /the operator ~= compares with a string value/,
    );
    expect(failure('FIND x AS a WHERE a = 1').message).toMatch(
      /expected alias.property \(e.g. a.status\) but found 'a'/,
    );
    expect(failure('FIND x LIMIT 1.5').message).toMatch(/column 14: LIMIT takes a whole number/);
    expect(failure('FIND x AS a RETURN SUM(a._key)').message).toMatch(
      /SUM needs a numeric property, not _key/,
    );
    expect(failure('FIND x AS a RETURN COUNT(a.p)').message).toMatch(/COUNT takes an alias/);
  });

  it('bounds the query size, the nesting and the number of steps', () => {
    expect(failure(`FIND x WITH ${'('.repeat(40)}a = 1${')'.repeat(40)}`).message).toMatch(
      /parentheses nest deeper than 32 levels/,
    );
    expect(failure(`FIND x WITH a = '${'x'.repeat(10_000)}'`).message).toMatch(/at most 10000 are accepted/);
    expect(failure(`FIND x${' THAT HAS y'.repeat(7)}`).message).toMatch(
      /column 74: a query may have at most 6 THAT steps/,
    );
  });
});

describe('renderCaret', () => {
  it('puts the caret under the column of the named line, keeping tabs', () => {
    expect(renderCaret('FIND x\n\tTHAT', { line: 2, column: 2 })).toBe('\tTHAT\n\t^');
    expect(renderCaret('FIND', { line: 1, column: 5 })).toBe('FIND\n    ^');
  });
});
