import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookIntake } from '../../src/alerts/intake.ts';
import { alertKey } from '../../src/connectors/threatstack/converters.ts';
import { webhookAlertSchema } from '../../src/connectors/threatstack/webhook.ts';
import { graphEntities, graphRelationships } from '../../src/graph/vocabulary.ts';
import { storeBackends, type TestStore } from '../../src/store/testing.ts';
import type { GraphStore } from '../../src/store/types.ts';
import type { SyncSummary } from '../../src/sync/types.ts';
import { type SimHarness, startSim } from '../helpers/threatstack.ts';
import { syncAlerts } from './harness.ts';

const INTEGRATION = 'ts-history';
const alertType = graphEntities.threatstackAlert.type;
const hasAlert = graphRelationships.threatstackAgentHasAlert.type;

const changes = (summary: SyncSummary, type: string) => summary.types.find((row) => row.type === type);

describe.each(storeBackends)('alerts are history on $name', (backend) => {
  let h: SimHarness;
  let opened: TestStore | undefined;
  let store: GraphStore;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    h = await startSim({ agents: 30, cves: 10, findingsPerAgent: 1, alerts: 120 });
    opened = await backend.open();
    store = opened.store;
  });

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
    await h?.close();
  });

  it('a sync with alertsDays=1 after one with 7 keeps the older alerts', async () => {
    const week = await syncAlerts(h, store, INTEGRATION, 7);
    expect(week.status).toBe('success');
    const weekAlerts = changes(week, alertType)?.total ?? 0;
    const day = await syncAlerts(h, store, INTEGRATION, 1);
    expect(day.status).toBe('success');
    // The simulator spreads 120 alerts over 30 days: a day holds a few, a week many more.
    expect(weekAlerts).toBeGreaterThan(10);
    expect(changes(day, alertType)).toMatchObject({ total: weekAlerts, deleted: 0, created: 0 });
    expect(changes(day, hasAlert)?.deleted).toBe(0);
    expect((await store.countEntitiesByType(INTEGRATION))[alertType]).toBe(weekAlerts);
  });

  it('a webhook-received alert the API does not list survives a sync', async () => {
    const intake = webhookIntake({ store, secrets: { verifySecret: async () => true }, now: h.clock.now });
    const summary = webhookAlertSchema.parse({
      id: 'ffffffffffffffffffffffff',
      created_at: '1000',
      severity: '1',
    });
    expect(await intake.accept(INTEGRATION, [summary])).toEqual({ accepted: 1, duplicates: 0 });
    const synced = await syncAlerts(h, store, INTEGRATION, 7);
    expect(synced.status).toBe('success');
    expect(changes(synced, alertType)?.deleted).toBe(0);
    expect(await store.getEntity(alertKey(summary.id))).toMatchObject({
      properties: { verified: false, source: 'webhook', createdOn: 1000 },
    });
  });

  it("a dismissal changes the alert's status on the next sync", async () => {
    await syncAlerts(h, store, INTEGRATION, 7);
    const [open] = await store
      .listEntities({ type: alertType, limit: 1000 })
      .then((alerts) => alerts.filter((alert) => alert.properties.dismissed === false));
    if (open === undefined) throw new Error('no open alert in the window');
    const id = String(open.properties.id);
    const body = JSON.stringify({ ids: [id], dismissReason: 'MAINTENANCE' });
    expect((await h.call('POST', '/v2/alerts/dismiss', { body })).status).toBe(200);
    const next = await syncAlerts(h, store, INTEGRATION, 7);
    expect(changes(next, alertType)).toMatchObject({ updated: 1, deleted: 0 });
    expect(await store.getEntity(open._key)).toMatchObject({
      properties: { dismissed: true, open: false, dismissReason: 'MAINTENANCE' },
    });
  });
});
