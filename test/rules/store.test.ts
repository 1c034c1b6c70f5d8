import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { storeBackends, storePerTest, testPostgresUrl } from '../../src/store/testing.ts';
import type { GraphStore, RuleAlertRecord, RuleRecord, WebhookAttemptRecord } from '../../src/store/types.ts';

if (testPostgresUrl === undefined)
  console.log('rule store tests: PostgreSQL skipped (set VIGIL_TEST_PG_URL)');

const rule = (id: string, name: string, overrides: Partial<RuleRecord> = {}): RuleRecord => ({
  id,
  name,
  queries: [{ label: 'query0', text: "FIND cve WITH severity = 'high'" }],
  condition: 'new',
  actions: ['log', 'webhook:https://hooks.example.com/T0/B0/secret'],
  intervalMs: 900_000,
  enabled: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const alert = (id: string, ruleId: string, openedAt: string): RuleAlertRecord => ({
  id,
  ruleId,
  ruleName: `rule ${ruleId}`,
  status: 'ACTIVE',
  openedAt,
  lastFiredAt: openedAt,
  clearedAt: null,
  dismissedAt: null,
  dismissedBy: null,
  rowCount: 1,
  rows: [{ query: 'query0', row: { _key: 'cve-1' } }],
});

async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
  } catch (error) {
    return error instanceof VigilError ? error.code : 'not a VigilError';
  }
  return undefined;
}

describe.each(storeBackends)('rule records on $name', (backend) => {
  let store: GraphStore;
  storePerTest(backend, (opened) => {
    store = opened.store;
  });

  it('inserts rules, finds them by id or name in any case, lists by name, refuses a taken name', async () => {
    await store.insertRule(rule('r-2', 'zeta', { intervalMs: null, enabled: false }));
    await store.insertRule(rule('r-1', 'Alpha'));
    expect(await store.findRule('r-1')).toEqual(rule('r-1', 'Alpha'));
    expect(await store.findRule('ZETA')).toEqual(rule('r-2', 'zeta', { intervalMs: null, enabled: false }));
    expect(await store.findRule('nope')).toBeUndefined();
    expect((await store.listRules()).map((r) => r.name)).toEqual(['Alpha', 'zeta']);
    expect(await codeOf(store.insertRule(rule('r-3', 'ALPHA')))).toBe('INPUT_INVALID');
  });

  it('keeps evaluation state per rule and drops it with the rule, keeping alerts and deliveries', async () => {
    await store.insertRule(rule('r-1', 'one'));
    expect(await store.readRuleState('r-1')).toBeUndefined();
    await store.saveRuleState('r-1', '2026-01-01T00:00:00.000Z', { keys: { query0: ['a'] } });
    await store.saveRuleState('r-1', '2026-01-02T00:00:00.000Z', { keys: { query0: ['a', 'b'] } });
    expect(await store.readRuleState('r-1')).toEqual({ keys: { query0: ['a', 'b'] } });
    await store.openRuleAlert(alert('a-1', 'r-1', '2026-01-02T00:00:00.000Z'));
    expect(await store.deleteRule('r-1')).toBe(true);
    expect(await store.deleteRule('r-1')).toBe(false);
    expect(await store.readRuleState('r-1')).toBeUndefined();
    expect((await store.getRuleAlert('a-1'))?.ruleName).toBe('rule r-1');
  });

  it('holds one open episode per rule and walks ACTIVE → INACTIVE, keeping history', async () => {
    await store.openRuleAlert(alert('a-1', 'r-1', '2026-01-01T00:00:00.000Z'));
    expect(await codeOf(store.openRuleAlert(alert('a-2', 'r-1', '2026-01-01T01:00:00.000Z')))).toBe(
      'INPUT_INVALID',
    );
    await store.refreshRuleAlert('a-1', '2026-01-01T02:00:00.000Z', 3, [{ query: 'q', row: { n: 1 } }]);
    expect(await store.findOpenRuleAlert('r-1')).toMatchObject({
      id: 'a-1',
      status: 'ACTIVE',
      lastFiredAt: '2026-01-01T02:00:00.000Z',
      rowCount: 3,
      rows: [{ query: 'q', row: { n: 1 } }],
    });
    await store.clearRuleAlert('a-1', '2026-01-01T03:00:00.000Z');
    expect(await store.findOpenRuleAlert('r-1')).toBeUndefined();
    await store.refreshRuleAlert('a-1', '2026-01-01T04:00:00.000Z', 9, []);
    expect(await store.getRuleAlert('a-1')).toMatchObject({
      status: 'INACTIVE',
      clearedAt: '2026-01-01T03:00:00.000Z',
      rowCount: 3,
    });
    await store.openRuleAlert(alert('a-2', 'r-1', '2026-01-01T05:00:00.000Z'));
    await store.openRuleAlert(alert('b-1', 'r-2', '2026-01-01T06:00:00.000Z'));
    expect((await store.listRuleAlerts({})).map((a) => a.id)).toEqual(['b-1', 'a-2', 'a-1']);
    expect((await store.listRuleAlerts({ ruleId: 'r-1' })).map((a) => a.id)).toEqual(['a-2', 'a-1']);
    expect((await store.listRuleAlerts({ status: 'INACTIVE' })).map((a) => a.id)).toEqual(['a-1']);
    expect((await store.listRuleAlerts({ limit: 1 })).map((a) => a.id)).toEqual(['b-1']);
  });

  it('dismisses an alert once; a dismissed episode stays DISMISSED when it clears', async () => {
    await store.openRuleAlert(alert('a-1', 'r-1', '2026-01-01T00:00:00.000Z'));
    const dismissed = await store.dismissRuleAlert('a-1', '2026-01-01T01:00:00.000Z', 'alice');
    expect(dismissed).toMatchObject({ status: 'DISMISSED', dismissedBy: 'alice', clearedAt: null });
    await store.dismissRuleAlert('a-1', '2026-01-01T02:00:00.000Z', 'bob');
    await store.clearRuleAlert('a-1', '2026-01-01T03:00:00.000Z');
    expect(await store.getRuleAlert('a-1')).toMatchObject({
      status: 'DISMISSED',
      dismissedBy: 'alice',
      dismissedAt: '2026-01-01T01:00:00.000Z',
      clearedAt: '2026-01-01T03:00:00.000Z',
    });
    expect(await codeOf(store.dismissRuleAlert('missing', '2026-01-01T00:00:00.000Z', 'alice'))).toBe(
      'NOT_FOUND',
    );
  });

  it('appends webhook attempts and lists a rule’s newest first', async () => {
    const attempt = (deliveryId: string, n: number, at: string, ruleId = 'r-1'): WebhookAttemptRecord => ({
      deliveryId,
      attempt: n,
      ruleId,
      alertId: 'a-1',
      target: 'https://hooks.example.com',
      attemptedAt: at,
      statusCode: n === 2 ? 200 : null,
      outcome: n === 2 ? 'delivered' : 'retrying',
      error: n === 2 ? null : 'ECONNREFUSED',
    });
    await store.recordWebhookAttempt(attempt('d-1', 1, '2026-01-01T00:00:00.000Z'));
    await store.recordWebhookAttempt(attempt('d-1', 2, '2026-01-01T00:00:01.000Z'));
    await store.recordWebhookAttempt(attempt('d-2', 1, '2026-01-01T00:00:02.000Z', 'r-2'));
    expect(await store.listWebhookAttempts('r-1')).toEqual([
      attempt('d-1', 2, '2026-01-01T00:00:01.000Z'),
      attempt('d-1', 1, '2026-01-01T00:00:00.000Z'),
    ]);
    expect(await store.listWebhookAttempts('r-1', 1)).toHaveLength(1);
    expect(await codeOf(store.recordWebhookAttempt(attempt('d-1', 2, '2026-01-01T00:00:03.000Z')))).toBe(
      'STORE_ERROR',
    );
  });
});
