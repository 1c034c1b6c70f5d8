import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceRoutes } from '../../src/app/service.ts';
import { ValidationHarness } from '../validation/service-harness.ts';
import { bearer, type Harness, openHarness } from './harness.ts';

/**
 * `/api/v1/validations` and `/api/v1/me` over a real application (SQLite) and the Threat Stack
 * simulator, called with inject(); the polls run through the job runtime on the simulator's clock.
 */
describe('/api/v1/validations', () => {
  let h: ValidationHarness;
  let harness: Harness;
  let viewer: Record<string, string>;
  let operator: Record<string, string>;

  beforeAll(async () => {
    h = await ValidationHarness.open({ agents: 2 });
    harness = await openHarness({ resources: resourceRoutes(h.vigil) });
    viewer = bearer(await harness.tokenFor('viewer', 'ui-viewer'));
    operator = bearer(await harness.tokenFor('operator'));
  });

  afterAll(async () => {
    await harness.close();
    await h.close();
  });

  const call = (method: 'GET' | 'POST', url: string, headers: object, payload?: object) =>
    harness.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { ...headers },
      ...(payload ? { payload } : {}),
    });
  const errorOf = (response: { statusCode: number; json(): unknown }) => [
    response.statusCode,
    (response.json() as { error: { code: string } }).error.code,
  ];

  it('GET /me answers the calling token’s name and role', async () => {
    expect((await call('GET', '/me', viewer)).json()).toEqual({ name: 'ui-viewer', role: 'viewer' });
    expect((await call('GET', '/me', {})).statusCode).toBe(401);
  });

  it('operators start a validation; viewers list it and follow its polls to the verdicts', async () => {
    expect((await call('GET', '/validations', viewer)).json()).toEqual({ validations: [] });
    const body = {
      integration: 'ts',
      techniques: ['T1059.004', 'T1033'],
      host: h.hosts[0]!,
      name: 'api run',
    };
    expect(errorOf(await call('POST', '/validations', viewer, body))).toEqual([403, 'FORBIDDEN']);

    const created = await call('POST', '/validations', operator, body);
    expect(created.statusCode).toBe(201);
    const { id } = created.json() as { id: string };
    expect(created.json()).toMatchObject({ id, name: 'api run', actions: 2, skipped: [] });

    const listed = (await call('GET', '/validations?limit=10', viewer)).json();
    expect(listed).toEqual({
      validations: [
        expect.objectContaining({ id, name: 'api run', status: 'running', actions: 2, verdicts: 0 }),
      ],
    });
    const running = (await call('GET', `/validations/${id}`, viewer)).json() as {
      status: string;
      actions: Array<{ verdict: string | null; progress: { pollsDone: number; polls: number } }>;
    };
    expect(running.status).toBe('running');
    expect(running.actions.map((a) => [a.verdict, a.progress.pollsDone])).toEqual([
      [null, 0],
      [null, 0],
    ]);

    await h.drive(await h.startRuntime(), [id]);
    const report = (await call('GET', `/validations/${id}`, viewer)).json() as {
      status: string;
      verdicts: Record<string, number>;
      integration: { name: string };
      actions: Array<{ action: { technique: string }; verdict: string; correlation: { evidence: object } }>;
    };
    expect(report).toMatchObject({ status: 'complete', verdicts: { Alerted: 1, Missed: 1 } });
    expect(report.integration.name).toBe('ts');
    expect(report.actions.map((a) => [a.action.technique, a.verdict])).toEqual([
      ['T1059.004', 'Alerted'],
      ['T1033', 'Missed'],
    ]);
    expect(report.actions[0]!.correlation.evidence).toMatchObject({ alerts: [expect.any(Object)] });
  });

  it('answers coded errors: bad body 400 naming the field, unknown integration or validation 404', async () => {
    const bad = await call('POST', '/validations', operator, {
      integration: 'ts',
      techniques: ['X1'],
      host: 'h',
    });
    expect(errorOf(bad)).toEqual([400, 'INPUT_INVALID']);
    expect((bad.json() as { error: { message: string } }).error.message).toContain('techniques');
    const empty = await call('POST', '/validations', operator, {
      integration: 'ts',
      techniques: [],
      host: 'h',
    });
    expect(errorOf(empty)).toEqual([400, 'INPUT_INVALID']);
    const unknown = await call('POST', '/validations', operator, {
      integration: 'nope',
      techniques: ['T1033'],
      host: h.hosts[0]!,
    });
    expect(errorOf(unknown)).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(await call('GET', '/validations/missing', viewer))).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(await call('GET', '/validations?limit=0', viewer))).toEqual([400, 'INPUT_INVALID']);
  });
});
