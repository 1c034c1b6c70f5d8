import { describe, expect, it } from 'vitest';
import { type AlertDecision, decideAlert, runsActions } from '../../src/rules/lifecycle.ts';
import { parseRule } from '../../src/rules/model.ts';
import { isRuleDue, selectRulesForSync, type TypesReadBy } from '../../src/rules/select.ts';
import type { RuleAlertStatus } from '../../src/store/types.ts';

describe('decideAlert', () => {
  it.each([
    [undefined, true, { kind: 'open' }, true],
    [undefined, false, { kind: 'none' }, false],
    ['ACTIVE', true, { kind: 'refresh', alertId: 'a1' }, true],
    ['ACTIVE', false, { kind: 'clear', alertId: 'a1' }, false],
    ['DISMISSED', true, { kind: 'silenced', alertId: 'a1' }, false],
    ['DISMISSED', false, { kind: 'clear', alertId: 'a1' }, false],
  ] as const)('open episode %s, fired %s → %j', (status, fired, decision, actions) => {
    const episode = status === undefined ? undefined : { id: 'a1', status: status as RuleAlertStatus };
    expect(decideAlert(episode, fired)).toEqual(decision);
    expect(runsActions(decision as AlertDecision)).toBe(actions);
  });
});

const rule = (name: string, texts: string[], extra: Record<string, unknown> = {}) =>
  parseRule({ name, queries: texts.map((text) => ({ text })), when: 'any', actions: ['log'], ...extra });

/** A stand-in for the parser's read types: the snake_case words of the query. */
const typesReadBy: TypesReadBy = (text) =>
  text.includes('*') ? 'all' : new Set(text.match(/\b[a-z]+_[a-z_]+\b|\bcve\b/g) ?? []);

describe('selectRulesForSync', () => {
  const agents = rule('agents', ['FIND threatstack_agent']);
  const cves = rule('cves', ['FIND cve', 'FIND threatconnect_adversary']);
  const everything = rule('everything', ['FIND *']);
  const disabled = rule('disabled', ['FIND cve'], { enabled: false });
  const rules = [agents, cves, everything, disabled];

  it('selects the enabled rules with a query reading a written type, and unnarrowed queries', () => {
    expect(selectRulesForSync(rules, ['cve'], typesReadBy).map((r) => r.name)).toEqual([
      'cves',
      'everything',
    ]);
    expect(selectRulesForSync(rules, new Set(['threatstack_agent']), typesReadBy).map((r) => r.name)).toEqual(
      ['agents', 'everything'],
    );
    expect(selectRulesForSync(rules, ['threatconnect_adversary'], typesReadBy).map((r) => r.name)).toEqual([
      'cves',
      'everything',
    ]);
  });

  it('selects nothing for a sync that wrote nothing', () => {
    expect(selectRulesForSync(rules, [], typesReadBy)).toEqual([]);
  });
});

describe('isRuleDue', () => {
  const every15m = rule('r', ['FIND cve'], { every: '15m' });
  const now = new Date('2026-01-01T12:00:00.000Z');

  it('is due when never evaluated or an interval has passed', () => {
    expect(isRuleDue(every15m, undefined, now)).toBe(true);
    expect(isRuleDue(every15m, '2026-01-01T11:45:00.000Z', now)).toBe(true);
    expect(isRuleDue(every15m, '2026-01-01T11:45:00.001Z', now)).toBe(false);
  });

  it('is never due without an interval or when disabled', () => {
    expect(isRuleDue(rule('r', ['FIND cve']), undefined, now)).toBe(false);
    expect(isRuleDue({ ...every15m, enabled: false }, undefined, now)).toBe(false);
  });
});
