import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceRoutes } from '../../src/app/service.ts';
import { alertKey } from '../../src/connectors/threatstack/converters.ts';
import type { Entity } from '../../src/graph/types.ts';
import { openStore } from '../../src/store/index.ts';
import { openTestVigil, type TestVigil } from '../helpers/app.ts';
import { type SimHarness, startSim } from '../helpers/threatstack.ts';
import { threatStackFields } from '../jobs/worker-harness.ts';
import { bearer, type Harness, openHarness } from './harness.ts';

/** The resource routes of /api/v1 over a real application (SQLite), called with inject(). */
describe('/api/v1 resources', () => {
  let harness: Harness;
  let opened: TestVigil;
  let h: SimHarness;
  let viewer: Record<string, string>;
  let operator: Record<string, string>;
  let adminToken: Record<string, string>;

  beforeAll(async () => {
    h = await startSim({ agents: 3, cves: 1, findingsPerAgent: 1, alerts: 2 });
    opened = await openTestVigil('sqlite');
    harness = await openHarness({ resources: resourceRoutes(opened.vigil) });
    viewer = bearer(await harness.tokenFor('viewer'));
    operator = bearer(await harness.tokenFor('operator'));
    adminToken = bearer(await harness.tokenFor('admin'));
  });

  afterAll(async () => {
    await harness.close();
    await opened.dispose();
    await h.close();
  });

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    headers: object,
    payload?: object,
  ) =>
    harness.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { ...headers },
      ...(payload ? { payload } : {}),
    });
  const errorCode = (response: { json(): unknown }) =>
    (response.json() as { error: { code: string } }).error.code;

  describe('integrations', () => {
    it('adds (admin; the key goes in, never out), lists, shows, updates, tests, syncs and removes', async () => {
      expect((await call('GET', '/integrations', viewer)).json()).toEqual({ integrations: [] });
      const added = await call('POST', '/integrations', adminToken, {
        kind: 'threatstack',
        name: 'ts-prod',
        fields: threatStackFields(h.sim, 3600),
        apiKey: h.identity.apiKey,
      });
      expect(added.statusCode).toBe(201);
      expect(added.body).not.toContain(h.identity.apiKey);
      expect(added.json()).toMatchObject({
        integration: { name: 'ts-prod', apiKey: '[set]' },
        tookOverFrom: null,
      });

      const listed = (await call('GET', '/integrations', viewer)).json() as { integrations: unknown[] };
      expect(listed.integrations).toEqual([expect.objectContaining({ name: 'ts-prod', lastRun: null })]);
      expect((await call('GET', '/integrations/ts-prod', viewer)).json()).toMatchObject({
        integration: { kind: 'threatstack', config: { syncIntervalSeconds: 3600 } },
      });

      const updated = await call('PATCH', '/integrations/ts-prod', adminToken, {
        fields: { syncIntervalSeconds: 7200 },
      });
      expect(updated.json()).toMatchObject({ integration: { config: { syncIntervalSeconds: 7200 } } });

      const tested = await call('POST', '/integrations/ts-prod/test', operator);
      expect(tested.json()).toMatchObject({ code: 'OK', checks: expect.any(Array) });
      const synced = await call('POST', '/integrations/ts-prod/sync', operator);
      expect(synced.json()).toMatchObject({
        title: 'Threat Stack sync of ts-prod',
        run: { status: 'success' },
      });
      const { runId } = (synced.json() as { run: { runId: string } }).run;

      const runs = (await call('GET', '/runs?integration=ts-prod', viewer)).json() as {
        runs: Array<{ id: string }>;
      };
      expect(runs.runs.map((run) => run.id)).toEqual([runId]);
      const shown = await call('GET', `/runs/${runId}`, viewer);
      expect(shown.json()).toMatchObject({ run: { id: runId, status: 'success' } });
      expect((shown.json() as { run: { steps: unknown[] } }).run.steps.length).toBeGreaterThan(0);

      const removed = await call('DELETE', '/integrations/ts-prod?purge=true', adminToken);
      expect(removed.json()).toMatchObject({ removed: { name: 'ts-prod' } });
      expect((await call('GET', '/integrations', viewer)).json()).toEqual({ integrations: [] });
    });

    it('answers coded errors: unknown kind 400, nothing to update 400, unknown integration 404, viewer adding 403', async () => {
      const badKind = await call('POST', '/integrations', adminToken, {
        kind: 'nope',
        name: 'x',
        apiKey: 'k',
      });
      expect([badKind.statusCode, errorCode(badKind)]).toEqual([400, 'INPUT_INVALID']);
      const noKey = await call('POST', '/integrations', adminToken, { kind: 'threatstack', name: 'x' });
      expect([noKey.statusCode, noKey.json().error.message]).toEqual([
        400,
        expect.stringContaining('apiKey'),
      ]);
      for (const [method, url, token] of [
        ['GET', '/integrations/missing', viewer],
        ['PATCH', '/integrations/missing', adminToken],
        ['DELETE', '/integrations/missing', adminToken],
        ['POST', '/integrations/missing/test', operator],
        ['POST', '/integrations/missing/sync', operator],
      ] as const) {
        const answer = await call(
          method,
          url,
          token,
          method === 'PATCH' ? { fields: { port: 1 } } : undefined,
        );
        expect([method, url, answer.statusCode, errorCode(answer)]).toEqual([method, url, 404, 'NOT_FOUND']);
      }
      expect(
        (await call('POST', '/integrations', viewer, { kind: 'threatstack', name: 'x', apiKey: 'k' }))
          .statusCode,
      ).toBe(403);
      expect((await call('POST', '/integrations/any/sync', viewer)).statusCode).toBe(403);
    });
  });

  describe('runs', () => {
    it('answers 404 for an unknown run and 400 for a bad limit', async () => {
      const unknown = await call('GET', '/runs/no-such-run', viewer);
      expect([unknown.statusCode, errorCode(unknown)]).toEqual([404, 'NOT_FOUND']);
      const bad = await call('GET', '/runs?limit=0', viewer);
      expect([bad.statusCode, errorCode(bad)]).toEqual([400, 'INPUT_INVALID']);
    });
  });

  describe('entities and Threat Stack alerts', () => {
    const alert = (id: string, severity: number, createdOn: number, dismissed: boolean): Entity => ({
      _key: alertKey(id),
      _type: 'threatstack_alert',
      _class: 'Finding',
      displayName: `alert ${id}`,
      properties: { id, severity, createdOn, dismissed, open: !dismissed },
    });

    beforeAll(async () => {
      // A second connection to the application's SQLite file writes the alerts (one of them dismissed).
      const store = await openStore(opened.vigil.settings.database);
      await store.recordWebhookAlerts(
        'int-x',
        [alert('a1', 1, Date.parse('2026-11-01T00:00:00Z'), false)],
        '2026-11-01T00:00:00Z',
      );
      await store.recordWebhookAlerts(
        'int-x',
        [alert('a2', 3, Date.parse('2026-11-20T00:00:00Z'), true)],
        '2026-11-20T00:00:00Z',
      );
      await store.close();
    });

    it('lists entities of a type a page at a time and shows one by key with its relationships', async () => {
      const page = await call('GET', '/entities?type=threatstack_alert&limit=1&offset=1', viewer);
      expect(page.json()).toMatchObject({
        entities: [{ _key: alertKey('a2') }],
        limit: 1,
        offset: 1,
      });
      const one = await call('GET', `/entities/${encodeURIComponent(alertKey('a1'))}`, viewer);
      expect(one.json()).toMatchObject({ entity: { displayName: 'alert a1' }, relationships: [] });
      const missing = await call('GET', '/entities/nope', viewer);
      expect([missing.statusCode, errorCode(missing)]).toEqual([404, 'NOT_FOUND']);
      expect((await call('GET', '/entities', viewer)).statusCode).toBe(400);
    });

    it('lists alerts newest first, filtered by status, severity and since; shows one with its events', async () => {
      const ids = async (query: string) =>
        (
          (await call('GET', `/alerts${query}`, viewer)).json() as {
            alerts: Array<{ properties: { id: string } }>;
          }
        ).alerts.map((a) => a.properties.id);
      expect(await ids('')).toEqual(['a2', 'a1']);
      expect(await ids('?status=open')).toEqual(['a1']);
      expect(await ids('?status=dismissed')).toEqual(['a2']);
      expect(await ids('?severity=1')).toEqual(['a1']);
      expect(await ids('?since=2026-11-10T00:00:00Z')).toEqual(['a2']);
      expect(await ids('?limit=1')).toEqual(['a2']);
      const shown = await call('GET', '/alerts/a1', viewer);
      expect(shown.json()).toMatchObject({
        alert: { properties: { id: 'a1' } },
        events: null,
        eventsFetchedAt: null,
      });
      for (const query of ['?severity=4', '?since=yesterday', '?status=closed']) {
        const bad = await call('GET', `/alerts${query}`, viewer);
        expect([query, bad.statusCode, errorCode(bad)]).toEqual([query, 400, 'INPUT_INVALID']);
      }
      const missing = await call('GET', '/alerts/zzz', viewer);
      expect([missing.statusCode, errorCode(missing)]).toEqual([404, 'NOT_FOUND']);
    });
  });

  describe('rules, rule alerts and webhook deliveries', () => {
    const rule = {
      name: 'Critical alerts',
      queries: [{ text: 'FIND threatstack_alert WITH severity = 1' }],
      when: 'query0.total > 0',
      actions: ['webhook:https://hooks.example.com/secret-path-token', 'log'],
    };

    it('adds (admin), lists, shows, lists deliveries and removes rules; webhook paths never come back', async () => {
      const added = await call('POST', '/rules', adminToken, rule);
      expect(added.statusCode).toBe(201);
      expect(added.body).not.toContain('secret-path-token');
      expect(added.json()).toMatchObject({
        rule: { name: 'Critical alerts', when: 'query0.total > 0', every: null },
      });
      expect((await call('GET', '/rules', viewer)).json()).toMatchObject({
        rules: [{ name: 'Critical alerts' }],
      });
      const shown = await call('GET', `/rules/${encodeURIComponent('Critical alerts')}`, viewer);
      expect(shown.json()).toMatchObject({ lastEvaluatedAt: null, openAlert: null });
      expect(
        (await call('GET', `/rules/${encodeURIComponent('critical alerts')}/deliveries`, viewer)).json(),
      ).toEqual({
        deliveries: [],
      });
      expect((await call('GET', '/rule-alerts', viewer)).json()).toEqual({ alerts: [] });
      const removed = await call('DELETE', `/rules/${encodeURIComponent('Critical alerts')}`, adminToken);
      expect(removed.json()).toMatchObject({ removed: { name: 'Critical alerts' } });
      expect((await call('GET', '/rules', viewer)).json()).toEqual({ rules: [] });
    });

    it('answers coded errors: invalid rule 400, unknown rule or alert 404, bad status 400', async () => {
      const invalid = await call('POST', '/rules', adminToken, { ...rule, actions: ['file:/etc/passwd'] });
      expect([invalid.statusCode, errorCode(invalid)]).toEqual([400, 'INPUT_INVALID']);
      for (const [method, url, token] of [
        ['GET', '/rules/none', viewer],
        ['GET', '/rules/none/deliveries', viewer],
        ['DELETE', '/rules/none', adminToken],
        ['GET', '/rule-alerts?rule=none', viewer],
        ['POST', '/rule-alerts/none/dismiss', operator],
      ] as const) {
        const answer = await call(method, url, token);
        expect([url, answer.statusCode, errorCode(answer)]).toEqual([url, 404, 'NOT_FOUND']);
      }
      expect((await call('GET', '/rule-alerts?status=OPEN', viewer)).statusCode).toBe(400);
      expect((await call('POST', '/rules', operator, rule)).statusCode).toBe(403);
    });
  });
});
