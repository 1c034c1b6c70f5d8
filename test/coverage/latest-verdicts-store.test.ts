import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLatestVerdicts } from '../../src/coverage/latest-verdicts.ts';
import { storeBackends, type TestStore } from '../../src/store/testing.ts';
import type { GraphStore } from '../../src/store/types.ts';

/** A validation of `techniques` (actions a1, a2, … in order) on integration `integrationId`. */
async function insert(
  store: GraphStore,
  id: string,
  integrationId: string,
  createdAt: string,
  techniques: string[],
) {
  await store.insertValidation(
    { id, integrationId, name: id, createdAt, status: 'running', passRules: {}, settings: {} },
    techniques.map((technique, i) => ({
      actionId: `a${i + 1}`,
      technique,
      action: { id: `a${i + 1}`, technique },
      nextPoll: { index: 0, at: createdAt },
    })),
  );
}

/** Records the last poll of an action with its verdict at `at`; evidence of `alertIds`. */
async function verdict(
  store: GraphStore,
  id: string,
  actionId: string,
  value: string,
  at: string,
  alertIds: string[] = [],
) {
  const recorded = await store.recordValidationPoll(id, actionId, {
    index: 0,
    donePolls: [0],
    nextPoll: null,
    pool: { alerts: [], events: [] },
    verdict: {
      verdict: value,
      correlation: {
        passRule: 'either',
        result: 'passed',
        evidence: { alerts: alertIds.map((alertId) => ({ alertId, eventIds: [] })), events: [] },
      },
      suspicious: null,
      at,
      devices: { owner: 'validation:ts', entities: [] },
    },
  });
  expect(recorded).toBe(true);
}

describe.each(storeBackends)('the latest verdict per technique on $name', (backend) => {
  let opened: TestStore | undefined;
  let store: GraphStore;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
    store = opened.store;
    await insert(store, 'v1', 'ts-1', '2026-11-01T10:00:00.000Z', ['T1059.004', 'T1105', 'T1046']);
    await insert(store, 'v2', 'ts-2', '2026-11-02T10:00:00.000Z', ['T1059.004', 'T1105']);
    await verdict(store, 'v1', 'a1', 'Missed', '2026-11-01T10:05:00.000Z');
    await verdict(store, 'v1', 'a2', 'Alerted', '2026-11-03T09:00:00.000Z', ['al-1', 'al-2']);
    await verdict(store, 'v2', 'a1', 'Alerted', '2026-11-02T10:05:00.000Z', ['al-9']);
    await verdict(store, 'v2', 'a2', 'Missed', '2026-11-02T10:05:00.000Z');
    // v1/a3 (T1046) has no verdict yet: not completed, so not a latest verdict.
  });

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('takes the newest verdict time per technique, completed actions only, sorted by technique', async () => {
    const rows = await store.latestVerdicts();
    expect(rows.map((r) => [r.technique, r.verdict, r.validationId, r.actionId, r.verdictAt])).toEqual([
      ['T1059.004', 'Alerted', 'v2', 'a1', '2026-11-02T10:05:00.000Z'],
      // v1's verdict of T1105 came after v2's, though v1 was created first: the verdict time decides.
      ['T1105', 'Alerted', 'v1', 'a2', '2026-11-03T09:00:00.000Z'],
    ]);
  });

  it('filters by technique ids and by integration', async () => {
    expect((await store.latestVerdicts({ techniques: ['T1105', 'T9999'] })).map((r) => r.technique)).toEqual([
      'T1105',
    ]);
    expect(await store.latestVerdicts({ techniques: [] })).toEqual([]);
    const ofTs1 = await store.latestVerdicts({ integrationId: 'ts-1' });
    expect(ofTs1.map((r) => [r.technique, r.verdict, r.validationId])).toEqual([
      ['T1059.004', 'Missed', 'v1'],
      ['T1105', 'Alerted', 'v1'],
    ]);
  });

  it('reads as the coverage model takes it: lower-case verdicts and an evidence reference', async () => {
    const latest = await readLatestVerdicts(store);
    expect(Object.fromEntries(latest)).toEqual({
      'T1059.004': {
        verdict: 'alerted',
        testedAt: '2026-11-02T10:05:00.000Z',
        validationId: 'v2',
        evidence: 'threatstack alert al-9',
      },
      T1105: {
        verdict: 'alerted',
        testedAt: '2026-11-03T09:00:00.000Z',
        validationId: 'v1',
        evidence: 'threatstack alert al-1 (+1 more)',
      },
    });
  });
});
