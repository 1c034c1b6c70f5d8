import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { parseAction, parseInterval, parseRule } from '../../src/rules/model.ts';

function errorOf(work: () => unknown): VigilError {
  try {
    work();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('parseRule', () => {
  it('labels queries by position, parses condition, actions and interval', () => {
    expect(
      parseRule({
        name: 'new high CVEs',
        queries: [{ text: "FIND cve WITH severity = 'high'" }, { label: 'hosts', text: 'FIND Host' }],
        when: 'hosts.total > 10',
        actions: ['log', 'webhook:https://hooks.slack.com/services/T0/B0/x'],
        every: '15m',
      }),
    ).toEqual({
      name: 'new high CVEs',
      queries: [
        { label: 'query0', text: "FIND cve WITH severity = 'high'" },
        { label: 'hosts', text: 'FIND Host' },
      ],
      condition: { kind: 'threshold', label: 'hosts', operator: '>', value: 10 },
      conditionText: 'hosts.total > 10',
      actions: [{ kind: 'log' }, { kind: 'webhook', url: 'https://hooks.slack.com/services/T0/B0/x' }],
      intervalMs: 900_000,
      enabled: true,
    });
  });

  it.each([
    [{ queries: [{ text: 'FIND Host' }], when: 'any', actions: ['log'] }, 'Rule is not valid: name:'],
    [{ name: 'r', queries: [], when: 'any', actions: ['log'] }, 'a rule needs at least one query'],
    [{ name: 'a\nb', queries: [{ text: 'FIND Host' }], when: 'any', actions: ['log'] }, 'control characters'],
    [{ name: 'r', queries: [{ text: ' ' }], when: 'any', actions: ['log'] }, 'a query cannot be empty'],
    [{ name: 'r', queries: [{ text: 'FIND Host' }], when: 'any', actions: [] }, 'at least one action'],
    [
      {
        name: 'r',
        queries: [{ text: 'FIND Host' }, { label: 'query0', text: 'FIND cve' }],
        when: 'any',
        actions: ['log'],
      },
      "two queries labelled 'query0'",
    ],
    [
      { name: 'r', queries: [{ label: 'a-b', text: 'FIND Host' }], when: 'any', actions: ['log'] },
      'a label is a letter',
    ],
    [
      { name: 'r', queries: [{ text: 'FIND Host' }], when: 'hosts.total > 1', actions: ['log'] },
      "Condition names 'hosts', which no query of the rule has.",
    ],
    [{ name: 'r', queries: [{ text: 'FIND Host' }], when: 'sometimes', actions: ['log'] }, 'column 10'],
  ])('refuses %j as INPUT_INVALID', (input, message) => {
    const error = errorOf(() => parseRule(input));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toContain(message);
  });
});

describe('parseAction', () => {
  it('reads log and http(s) webhooks', () => {
    expect(parseAction('log')).toEqual({ kind: 'log' });
    expect(parseAction('webhook:http://127.0.0.1:8080/hook')).toEqual({
      kind: 'webhook',
      url: 'http://127.0.0.1:8080/hook',
    });
  });

  it.each([
    ['webhook:file:///etc/passwd', "not 'file:'"],
    ['webhook:javascript:alert(1)', "not 'javascript:'"],
    ['webhook:hooks.example.com/x', 'does not hold an absolute URL'],
    ['email:me@example.com', "Action 'email' is not known"],
  ])('refuses %j without repeating the URL', (text, message) => {
    const error = errorOf(() => parseAction(text));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('passwd');
    expect(error.message).not.toContain('hooks.example.com/x');
  });
});

describe('parseInterval', () => {
  it.each([
    ['60s', 60_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['30d', 2_592_000_000],
  ])('reads %s', (text, ms) => {
    expect(parseInterval(text)).toBe(ms);
  });

  it.each(['59s', '31d', '15', 'm', '1.5h', '-1m', '15 minutes'])('refuses %s', (text) => {
    expect(errorOf(() => parseInterval(text)).code).toBe('INPUT_INVALID');
  });
});
