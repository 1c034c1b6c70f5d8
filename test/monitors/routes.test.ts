import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceRoutes } from '../../src/app/service.ts';
import { bearer, type Harness, openHarness } from '../server/harness.ts';
import { covered, ValidationHarness } from '../validation/service-harness.ts';

/** The Monitors routes of CONTRACTS-API.md over a real application and the simulator, with inject(). */
describe('/api/v1/monitors', () => {
  let h: ValidationHarness;
  let harness: Harness;
  let viewer: Record<string, string>;
  let operator: Record<string, string>;
  let adminToken: Record<string, string>;

  beforeAll(async () => {
    h = await ValidationHarness.open({ agents: 2 });
    harness = await openHarness({ resources: resourceRoutes(h.vigil) });
    viewer = bearer(await harness.tokenFor('viewer'));
    operator = bearer(await harness.tokenFor('operator'));
    adminToken = bearer(await harness.tokenFor('admin'));
  });

  afterAll(async () => {
    await harness.close();
    await h.close();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: object, payload?: object) =>
    harness.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { ...headers },
      ...(payload ? { payload } : {}),
    });
  const errorCode = (response: { json(): unknown }) =>
    (response.json() as { error: { code: string } }).error.code;

  const body = () => ({
    name: 'hourly',
    integration: 'ts',
    techniques: covered.slice(0, 2),
    host: h.hosts[0],
    every: '1h',
    expect: 'detected',
  });

  it('adds (admin), lists and shows (viewer), runs (operator), removes (admin)', async () => {
    expect((await call('POST', '/monitors', operator, body())).statusCode).toBe(403);
    const added = await call('POST', '/monitors', adminToken, body());
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({
      name: 'hourly',
      integration: { name: 'ts' },
      actor: null,
      techniques: covered.slice(0, 2),
      every: '1h',
      expect: 'detected',
      lastRunAt: null,
      openDrift: 0,
      warning: null,
    });
    expect((await call('POST', '/monitors', adminToken, body())).statusCode).toBe(400);
    const listed = await call('GET', '/monitors', viewer);
    expect(listed.json()).toMatchObject({ monitors: [{ name: 'hourly' }] });

    expect((await call('POST', '/monitors/hourly/run', viewer)).statusCode).toBe(403);
    const run = await call('POST', '/monitors/hourly/run', operator);
    expect(run.statusCode).toBe(202);
    const { validationId } = run.json() as { validationId: string };
    expect((await call('GET', `/monitors/hourly`, viewer)).json()).toMatchObject({
      monitor: { name: 'hourly', nextRunAt: null },
      runs: [{ validationId, status: 'running', finishedAt: null, byVerdict: {} }],
      drift: [],
    });
    expect((await h.vigil.validations.show(validationId)).actions).toHaveLength(2);

    expect((await call('DELETE', '/monitors/hourly', operator)).statusCode).toBe(403);
    expect((await call('DELETE', '/monitors/hourly', adminToken)).statusCode).toBe(204);
    const gone = await call('GET', '/monitors/hourly', viewer);
    expect([gone.statusCode, errorCode(gone)]).toEqual([404, 'NOT_FOUND']);
  });

  it('refuses an actor with techniques, an unknown technique, a bad interval; 404 for an unknown integration', async () => {
    const both = await call('POST', '/monitors', adminToken, { ...body(), name: 'x', actor: 'APT1' });
    expect([both.statusCode, errorCode(both)]).toEqual([400, 'INPUT_INVALID']);
    const unknown = await call('POST', '/monitors', adminToken, {
      ...body(),
      name: 'x',
      techniques: ['T9999'],
    });
    expect([unknown.statusCode, errorCode(unknown)]).toEqual([400, 'INPUT_INVALID']);
    const every = await call('POST', '/monitors', adminToken, { ...body(), name: 'x', every: 'daily' });
    expect([every.statusCode, errorCode(every)]).toEqual([400, 'INPUT_INVALID']);
    const integration = await call('POST', '/monitors', adminToken, {
      ...body(),
      name: 'x',
      integration: 'nope',
    });
    expect(integration.statusCode).toBe(404);
  });

  it('warns when the monitor runs more often than a run can finish (query time + delay)', async () => {
    await h.vigil.integrations.update('ts', { fields: { delayTimeMinutes: 5 } });
    const added = await call('POST', '/monitors', adminToken, { ...body(), name: 'tight', every: '2m' });
    expect(added.statusCode).toBe(201);
    expect((added.json() as { warning: string }).warning).toMatch(/6m/);
    expect((await call('DELETE', '/monitors/tight', adminToken)).statusCode).toBe(204);
  });
});
