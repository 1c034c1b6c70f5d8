import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeBackends, type TestStore } from '../../src/store/testing.ts';
import type { GraphStore, ValidationRecord } from '../../src/store/types.ts';

const record: ValidationRecord = {
  id: 'v1',
  integrationId: 'ts-1',
  name: 'campaign',
  createdAt: '2026-11-25T12:00:00.000Z',
  status: 'running',
  passRules: { default: 'either' },
  settings: { queryTimeMs: 60_000 },
};
const action = (id: string) => ({
  id,
  technique: 'T1059.004',
  target: { hostname: 'web-01', ips: [], ports: [] },
  commandLine: 'sh -c id',
});
const device = {
  _key: 'device:203.0.113.7',
  _type: 'network_device',
  _class: 'Device',
  displayName: '203.0.113.7',
  properties: { ipAddress: '203.0.113.7' },
};

describe.each(storeBackends)('validation records on $name', (backend) => {
  let opened: TestStore | undefined;
  let store: GraphStore;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
    store = opened.store;
    await store.insertValidation(record, [
      { actionId: 'a1', technique: 'T1059.004', action: action('a1'), nextPoll: { index: 0, at: 't0' } },
      { actionId: 'a2', technique: 'T1105', action: action('a2'), nextPoll: { index: 0, at: 't1' } },
    ]);
  });

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('stores a validation with its actions in order, and lists it with its counts', async () => {
    expect(await store.getValidation('v1')).toEqual(record);
    expect(await store.getValidation('nope')).toBeUndefined();
    const actions = await store.listValidationActions('v1');
    expect(actions.map((a) => [a.actionId, a.position, a.technique])).toEqual([
      ['a1', 0, 'T1059.004'],
      ['a2', 1, 'T1105'],
    ]);
    expect(actions[0]).toMatchObject({
      action: action('a1'),
      donePolls: [],
      nextPoll: { index: 0, at: 't0' },
      pool: { alerts: [], events: [] },
      verdict: null,
      correlation: null,
      suspicious: null,
    });
    expect(await store.listValidations(10)).toEqual([{ ...record, actions: 2, verdicts: 0 }]);
    expect(await store.listPendingPolls()).toEqual([
      { validationId: 'v1', actionId: 'a1', index: 0, at: 't0' },
      { validationId: 'v1', actionId: 'a2', index: 0, at: 't1' },
    ]);
  });

  it('records a poll once: a second run of the same poll writes nothing', async () => {
    const pool = { alerts: [{ alert: { id: 'x' }, events: [] }], events: [] };
    const update = { index: 0, donePolls: [0], nextPoll: { index: 1, at: 't5' }, pool };
    expect(await store.recordValidationPoll('v1', 'a1', update)).toBe(true);
    expect(
      await store.recordValidationPoll('v1', 'a1', { ...update, pool: { alerts: [], events: [] } }),
    ).toBe(false);
    const stored = await store.getValidationAction('v1', 'a1');
    expect(stored).toMatchObject({ donePolls: [0], nextPoll: { index: 1, at: 't5' }, pool });
    expect((await store.listPendingPolls()).map((p) => [p.actionId, p.index])).toEqual([
      ['a2', 0],
      ['a1', 1],
    ]);
  });

  it('stores verdicts with evidence, writes discovered devices, and completes the validation', async () => {
    const last = (verdict: string, devices: (typeof device)[]) => ({
      index: 0,
      donePolls: [0],
      nextPoll: null,
      pool: { alerts: [], events: [] },
      verdict: {
        verdict,
        correlation: { evidence: { alerts: [{ alertId: 'x' }], events: [] } },
        suspicious: verdict === 'Missed' ? [{ eventId: 'e9' }] : null,
        at: '2026-11-25T12:05:00.000Z',
        devices: { owner: 'ts-1:discovery', entities: devices },
      },
    });
    expect(await store.recordValidationPoll('v1', 'a1', last('Alerted', [device]))).toBe(true);
    expect((await store.getValidation('v1'))?.status).toBe('running');
    expect(await store.recordValidationPoll('v1', 'a2', last('Missed', []))).toBe(true);
    expect((await store.getValidation('v1'))?.status).toBe('complete');
    const [a1, a2] = await store.listValidationActions('v1');
    expect(a1).toMatchObject({ verdict: 'Alerted', nextPoll: null, suspicious: null });
    expect(a1?.correlation).toEqual({ evidence: { alerts: [{ alertId: 'x' }], events: [] } });
    expect(a2).toMatchObject({ verdict: 'Missed', suspicious: [{ eventId: 'e9' }] });
    expect(await store.listPendingPolls()).toEqual([]);
    expect(await store.getEntity(device._key)).toMatchObject({ integrationId: 'ts-1:discovery' });
    expect(await store.countEntitiesByType('ts-1')).toEqual({});
    expect(await store.listValidations(10)).toEqual([
      { ...record, status: 'complete', actions: 2, verdicts: 2 },
    ]);
  });
});
