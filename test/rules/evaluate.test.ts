import { describe, expect, it } from 'vitest';
import { type EvaluationState, evaluateRule, type QueryResult, rowKey } from '../../src/rules/evaluate.ts';
import { parseRule } from '../../src/rules/model.ts';

const agent = (key: string) => ({ _key: key, _type: 'threatstack_agent', displayName: `host-${key}` });
const list = (...keys: string[]): QueryResult => ({ type: 'list', data: keys.map(agent) });

/** Runs a rule over a sequence of results (one per evaluation; by query text) and collects what fired. */
async function evaluateSequence(
  when: string,
  results: Record<string, QueryResult>[],
  queries = ['FIND threatstack_agent'],
) {
  const rule = parseRule({ name: 'r', queries: queries.map((text) => ({ text })), when, actions: ['log'] });
  let state: EvaluationState | undefined;
  const outcomes = [];
  for (const [index, byText] of results.entries()) {
    const ran: string[] = [];
    const evaluation = await evaluateRule(
      rule,
      async (text) => {
        ran.push(text);
        const result = byText[text];
        if (result === undefined) throw new Error(`no result for ${text}`);
        return result;
      },
      state,
      new Date(Date.UTC(2026, 0, 1, index)),
      2,
    );
    expect(ran).toEqual(queries);
    state = evaluation.state;
    outcomes.push(evaluation);
  }
  return outcomes;
}

const q = 'FIND threatstack_agent';

describe('evaluateRule', () => {
  it('any: fires whenever some query returns a row, with the first rows and the count', async () => {
    const [first, second, third] = await evaluateSequence('any', [
      { [q]: list('a', 'b', 'c') },
      { [q]: list() },
      { [q]: list('a') },
    ]);
    expect(first).toMatchObject({ fired: true, rowCount: 3, totals: { query0: 3 }, newKeys: {} });
    expect(first?.rows).toEqual([
      { query: 'query0', row: agent('a') },
      { query: 'query0', row: agent('b') },
    ]);
    expect(first?.state).toEqual({
      evaluatedAt: '2026-01-01T00:00:00.000Z',
      totals: { query0: 3 },
      keys: {},
    });
    expect(second).toMatchObject({ fired: false, rowCount: 0, rows: [] });
    expect(third).toMatchObject({ fired: true, rowCount: 1 });
  });

  it('new: the first evaluation fires for every row, then only for keys absent the time before', async () => {
    const outcomes = await evaluateSequence('new', [
      { [q]: list('a', 'b') },
      { [q]: list('b', 'a') },
      { [q]: list('a', 'b', 'c') },
      { [q]: list('c') },
      { [q]: list('a', 'c') },
    ]);
    expect(outcomes.map((o) => [o.fired, o.rowCount, o.newKeys.query0])).toEqual([
      [true, 2, ['a', 'b']],
      [false, 0, []],
      [true, 1, ['c']],
      [false, 0, []],
      [true, 1, ['a']],
    ]);
    expect(outcomes[2]?.rows).toEqual([{ query: 'query0', row: agent('c') }]);
    expect(outcomes[4]?.state.keys).toEqual({ query0: ['a', 'c'] });
  });

  it('new: counts a key returned twice in one result once', async () => {
    const [first] = await evaluateSequence('new', [{ [q]: list('a', 'a') }]);
    expect(first).toMatchObject({ rowCount: 1, newKeys: { query0: ['a'] } });
  });

  it('new: keeps keys per query, and table rows are keyed by all their values', async () => {
    const table = (...counts: number[]): QueryResult => ({
      type: 'table',
      data: counts.map((count, index) => ({ 'a._key': `agent-${index}`, 'COUNT(c)': count })),
    });
    const tableQuery = 'FIND threatstack_agent AS a THAT IDENTIFIED cve AS c RETURN a._key, COUNT(c)';
    const outcomes = await evaluateSequence(
      'new',
      [
        { [q]: list('a'), [tableQuery]: table(1, 2) },
        { [q]: list('a'), [tableQuery]: table(1, 3) },
        { [q]: list('a'), [tableQuery]: table(1, 3) },
      ],
      [q, tableQuery],
    );
    expect(outcomes.map((o) => [o.fired, o.rowCount])).toEqual([
      [true, 3],
      [true, 1],
      [false, 0],
    ]);
    expect(outcomes[1]?.rows).toEqual([{ query: 'query1', row: { 'a._key': 'agent-1', 'COUNT(c)': 3 } }]);
  });

  it('threshold: compares the labelled query’s total, whatever the other queries return', async () => {
    const other = 'FIND cve';
    const outcomes = await evaluateSequence(
      'query1.total >= 2',
      [
        { [q]: list('a', 'b', 'c'), [other]: list('x') },
        { [q]: list(), [other]: list('x', 'y') },
        { [q]: list('a'), [other]: list('x', 'y', 'z') },
      ],
      [q, other],
    );
    expect(outcomes.map((o) => [o.fired, o.totals])).toEqual([
      [false, { query0: 3, query1: 1 }],
      [true, { query0: 0, query1: 2 }],
      [true, { query0: 1, query1: 3 }],
    ]);
    expect(outcomes[2]?.rowCount).toBe(4);
  });

  it('threshold: `= 0` fires on an empty answer (an expected thing went missing)', async () => {
    const outcomes = await evaluateSequence('query0.total = 0', [{ [q]: list('a') }, { [q]: list() }]);
    expect(outcomes.map((o) => o.fired)).toEqual([false, true]);
  });

  it('rejects when a query fails', async () => {
    const rule = parseRule({ name: 'r', queries: [{ text: q }], when: 'any', actions: ['log'] });
    const failing = async (): Promise<QueryResult> => {
      throw new Error('query engine down');
    };
    await expect(evaluateRule(rule, failing, undefined, new Date(0))).rejects.toThrow('query engine down');
  });
});

describe('rowKey', () => {
  it('is the entity key for a list and a digest independent of column order for a table', () => {
    expect(rowKey('list', agent('k1'))).toBe('k1');
    const a = rowKey('table', { x: 1, y: { b: 2, a: [1, 'z'] } });
    expect(a).toMatch(/^row:[0-9a-f]{64}$/);
    expect(rowKey('table', { y: { a: [1, 'z'], b: 2 }, x: 1 })).toBe(a);
    expect(rowKey('table', { x: 2, y: { b: 2, a: [1, 'z'] } })).not.toBe(a);
    expect(rowKey('table', { _key: 'k1' })).not.toBe('k1');
  });
});
