import { describe, expect, it } from 'vitest';
import { agentHasAlert, alertKey } from '../../src/connectors/threatstack/converters.ts';
import { toWebhookAlertEntity, webhookAlertSchema } from '../../src/connectors/threatstack/webhook.ts';
import type { Entity } from '../../src/graph/types.ts';
import { storeBackends, storePerTest } from '../../src/store/testing.ts';
import type { GraphStore } from '../../src/store/types.ts';

const at = (minute: number) => `2026-11-25T12:${String(minute).padStart(2, '0')}:00.000Z`;

const webhookAlert = (id: string, title = `alert ${id}`): Entity =>
  toWebhookAlertEntity(webhookAlertSchema.parse({ id, title, created_at: 1_764_000_000_000, severity: 2 }));

const verifiedAlert = (id: string, title: string): Entity => ({
  ...webhookAlert(id, title),
  properties: { id, title, verified: true, verification: 'verified', source: 'webhook' },
  rawData: { id, title },
});

describe.each(storeBackends)('alert intake store roles on $name', (backend) => {
  let store: GraphStore;
  storePerTest(backend, (opened) => {
    store = opened.store;
  });

  it('stores new alerts and counts replays, in the batch and across deliveries, as duplicates', async () => {
    const first = await store.recordWebhookAlerts('ts1', [webhookAlert('a1'), webhookAlert('a1')], at(0));
    expect(first).toEqual({
      accepted: [alertKey('a1')],
      duplicates: [alertKey('a1')],
      stillPending: [alertKey('a1')],
    });
    const again = await store.recordWebhookAlerts(
      'ts1',
      [webhookAlert('a1', 'changed'), webhookAlert('a2')],
      at(1),
    );
    expect(again).toEqual({
      accepted: [alertKey('a2')],
      duplicates: [alertKey('a1')],
      stillPending: [alertKey('a1')],
    });
    const stored = await store.getEntity(alertKey('a1'));
    expect(stored).toMatchObject({
      _type: 'threatstack_alert',
      _class: 'Finding',
      displayName: 'alert a1',
      integrationId: 'ts1',
      firstSeenAt: at(0),
      properties: { verified: false, verification: 'pending', source: 'webhook', severity: 2 },
    });
    expect(await store.countEntitiesByType('ts1')).toEqual({ threatstack_alert: 2 });
  });

  it('never overwrites a verified alert with a replayed delivery', async () => {
    await store.recordWebhookAlerts('ts1', [webhookAlert('a1')], at(0));
    await store.recordAlertVerification(
      'ts1',
      { entity: verifiedAlert('a1', 'from REST'), relationships: [] },
      at(1),
    );
    const replay = await store.recordWebhookAlerts('ts1', [webhookAlert('a1', 'from webhook')], at(2));
    expect(replay).toEqual({ accepted: [], duplicates: [alertKey('a1')], stillPending: [] });
    expect(await store.getEntity(alertKey('a1'))).toMatchObject({
      displayName: 'from REST',
      properties: { verified: true },
      firstSeenAt: at(0),
      updatedAt: at(1),
    });
  });

  it('writes a verification: entity, agent HAS alert, and events (replaced on the next one)', async () => {
    await store.recordWebhookAlerts('ts1', [webhookAlert('a1')], at(0));
    const has = agentHasAlert('agent-1', 'a1');
    await store.recordAlertVerification(
      'ts1',
      {
        entity: verifiedAlert('a1', 'REST title'),
        relationships: [has],
        events: [{ id: 'e1', user: 'ro\u0000ot' }],
      },
      at(1),
    );
    expect(await store.getRelationship(has._key)).toMatchObject({
      _type: 'threatstack_agent_has_threatstack_alert',
      fromKey: 'threatstack:agent:agent-1',
      toKey: alertKey('a1'),
      integrationId: 'ts1',
    });
    expect(await store.getAlertEvents(alertKey('a1'))).toEqual({
      events: [{ id: 'e1', user: 'root' }],
      fetchedAt: at(1),
    });
    await store.recordAlertVerification(
      'ts1',
      { entity: verifiedAlert('a1', 'REST title'), relationships: [has], events: [] },
      at(2),
    );
    expect(await store.getAlertEvents(alertKey('a1'))).toEqual({ events: [], fetchedAt: at(2) });
    await store.recordAlertVerification(
      'ts1',
      { entity: verifiedAlert('a1', 'again'), relationships: [] },
      at(3),
    );
    expect(await store.getAlertEvents(alertKey('a1'))).toEqual({ events: [], fetchedAt: at(2) });
    expect(await store.getAlertEvents(alertKey('nope'))).toBeUndefined();
  });

  it("leaves another integration's alert untouched", async () => {
    await store.recordWebhookAlerts('ts1', [webhookAlert('a1')], at(0));
    await store.recordAlertVerification(
      'ts2',
      { entity: verifiedAlert('a1', 'intruder'), relationships: [] },
      at(1),
    );
    expect(await store.getEntity(alertKey('a1'))).toMatchObject({
      displayName: 'alert a1',
      integrationId: 'ts1',
    });
  });

  it('creates a webhook secret once and replaces it on rotation', async () => {
    expect(await store.getWebhookSecret('ts1')).toBeUndefined();
    expect(await store.putWebhookSecret('ts1', 'sealed-1', at(0), 'create')).toBe(true);
    expect(await store.putWebhookSecret('ts1', 'sealed-2', at(1), 'create')).toBe(false);
    expect(await store.getWebhookSecret('ts1')).toEqual({ sealed: 'sealed-1', createdAt: at(0) });
    expect(await store.putWebhookSecret('ts1', 'sealed-3', at(2), 'replace')).toBe(true);
    expect(await store.getWebhookSecret('ts1')).toEqual({ sealed: 'sealed-3', createdAt: at(2) });
    expect(await store.getWebhookSecret('ts2')).toBeUndefined();
  });
});
