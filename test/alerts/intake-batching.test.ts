import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AlertToVerify, type WebhookIntakePort, webhookIntake } from '../../src/alerts/intake.ts';
import type { BatchTimer } from '../../src/alerts/intake-batcher.ts';
import { webhookPort } from '../../src/app/service.ts';
import { ApiTokenService } from '../../src/app/tokens.ts';
import { alertKey } from '../../src/connectors/threatstack/converters.ts';
import { VigilError } from '../../src/errors.ts';
import { buildServer } from '../../src/server/app.ts';
import { createVigilMetrics } from '../../src/server/metrics.ts';
import { storeBackends, storePerTest } from '../../src/store/testing.ts';
import type { GraphStore, WebhookDelivery } from '../../src/store/types.ts';

const secret = 'batch-secret-0123456789';
const path = (integration: string) => `/webhooks/threatstack/${integration}/${secret}`;
const alert = (id: string) => ({ id, title: `alert ${id}`, created_at: 1_764_000_000_000, severity: 2 });

/** A batch timer stepped by hand: nothing is written until `fire`. */
function manualTimer() {
  const armed = new Set<() => void>();
  const timer: BatchTimer = (run) => {
    armed.add(run);
    return () => armed.delete(run);
  };
  return {
    timer,
    fire() {
      const runs = [...armed];
      armed.clear();
      for (const run of runs) run();
    },
  };
}

describe.each(storeBackends)('webhook intake group commit on $name', (backend) => {
  let store: GraphStore;
  storePerTest(backend, (opened) => {
    store = opened.store;
  });

  let app: FastifyInstance;
  let intake: WebhookIntakePort;
  let clock: ReturnType<typeof manualTimer>;
  /** Deliveries per batch the store was asked to write, in order. */
  let commits: number[];
  let failNextBatch: boolean;
  let failNextEnqueue: boolean;
  let verifyCalls: AlertToVerify[][];

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    clock = manualTimer();
    commits = [];
    failNextBatch = false;
    failNextEnqueue = false;
    verifyCalls = [];
    intake = webhookIntake({
      // The real store, counted; a batch marked to fail fails as a database would, before writing.
      store: {
        recordWebhookBatch: async (deliveries: readonly WebhookDelivery[], at: string, within) => {
          commits.push(deliveries.length);
          if (failNextBatch) {
            failNextBatch = false;
            throw new VigilError('STORE_ERROR', 'The database failed (test).');
          }
          return store.recordWebhookBatch(deliveries, at, within);
        },
      },
      secrets: { verifySecret: async (_integration, candidate) => candidate === secret },
      now: () => Date.parse('2026-12-01T10:00:00.000Z'),
      verifyLater: async (alerts, tx) => {
        if (failNextEnqueue) {
          failNextEnqueue = false;
          throw new VigilError('STORE_ERROR', 'The job insert failed (test).');
        }
        // A job row written in the batch's transaction: it commits or rolls back with the alerts.
        await tx.insertScheduledJobs(
          alerts.map(({ integrationId, alertId }) => ({
            kind: 'webhook-verify',
            key: `${integrationId}|${alertId}`,
            group: `${integrationId}|${alertId}`,
            data: '{}',
            runAt: '2026-12-01T10:00:00.000Z',
            attempt: 0,
          })),
        );
        verifyCalls.push([...alerts]);
      },
      batching: { timer: clock.timer, maxDelayMs: 2, maxBatchAlerts: 100, maxQueuedAlerts: 4 },
    });
    app = await buildServer({
      tokens: new ApiTokenService(store),
      health: { checkDatabase: async () => {}, checkJobs: async () => {} },
      webhooks: webhookPort(intake),
      metrics: createVigilMetrics(async () => 0),
      logger: pino({ level: 'silent' }),
      now: () => Date.parse('2026-12-01T10:00:00.000Z'),
    });
  });

  afterEach(async () => {
    await intake?.close();
    await app?.close();
  });

  const post = (integration: string, alerts: unknown[]) =>
    app.inject({
      method: 'POST',
      url: path(integration),
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ alerts }),
    });

  /** Waits until `alerts` alerts wait for their batch (the requests have reached the intake). */
  async function queued(alerts: number): Promise<void> {
    for (let turn = 0; turn < 1000 && intake.queuedAlerts < alerts; turn++)
      await new Promise((resolve) => setImmediate(resolve));
    expect(intake.queuedAlerts).toBe(alerts);
  }

  it('stores concurrent deliveries in one commit, and answers none before it', async () => {
    const answers = [post('ts1', [alert('a1')]), post('ts1', [alert('a2')]), post('ts2', [alert('b1')])];
    await queued(3);
    expect(commits).toEqual([]);
    expect(await store.getEntity(alertKey('a1'))).toBeUndefined();
    clock.fire();
    const done = await Promise.all(answers);
    expect(done.map((answer) => [answer.statusCode, answer.json()])).toEqual([
      [202, { accepted: 1, duplicates: 0 }],
      [202, { accepted: 1, duplicates: 0 }],
      [202, { accepted: 1, duplicates: 0 }],
    ]);
    expect(commits).toEqual([3]);
    expect((await store.getEntity(alertKey('b1')))?.integrationId).toBe('ts2');
    expect(verifyCalls).toEqual([
      [
        { integrationId: 'ts1', alertId: 'a1' },
        { integrationId: 'ts1', alertId: 'a2' },
        { integrationId: 'ts2', alertId: 'b1' },
      ],
    ]);
  });

  it('counts an alert named twice in one batch, and again in the next, as a duplicate', async () => {
    const answers = [post('ts1', [alert('d1')]), post('ts1', [alert('d1'), alert('d2')])];
    await queued(3);
    clock.fire();
    expect((await Promise.all(answers)).map((answer) => answer.json())).toEqual([
      { accepted: 1, duplicates: 0 },
      { accepted: 1, duplicates: 1 },
    ]);
    // One verification job per alert, though the batch named d1 twice.
    expect(verifyCalls).toEqual([
      [
        { integrationId: 'ts1', alertId: 'd1' },
        { integrationId: 'ts1', alertId: 'd2' },
      ],
    ]);
    const replay = post('ts1', [alert('d1')]);
    await queued(1);
    clock.fire();
    expect((await replay).json()).toEqual({ accepted: 0, duplicates: 1 });
    expect(commits).toEqual([2, 1]);
  });

  it('answers every delivery of a failed batch 500, storing none of them, and carries on', async () => {
    failNextBatch = true;
    const answers = [post('ts1', [alert('f1')]), post('ts1', [alert('f2')])];
    await queued(2);
    clock.fire();
    const failed = await Promise.all(answers);
    expect(failed.map((answer) => [answer.statusCode, answer.json().error.code])).toEqual([
      [500, 'STORE_ERROR'],
      [500, 'STORE_ERROR'],
    ]);
    expect(await store.getEntity(alertKey('f1'))).toBeUndefined();
    expect(await store.getEntity(alertKey('f2'))).toBeUndefined();
    expect(verifyCalls).toEqual([]);
    // The vendor retries: the next batch stores them.
    const retried = post('ts1', [alert('f1'), alert('f2')]);
    await queued(2);
    clock.fire();
    expect([(await retried).statusCode, (await retried).json()]).toEqual([
      202,
      { accepted: 2, duplicates: 0 },
    ]);
  });

  it('writes the verification jobs in the batch transaction: a failed enqueue stores no alert', async () => {
    failNextEnqueue = true;
    const failed = post('ts1', [alert('j1')]);
    await queued(1);
    clock.fire();
    expect((await failed).statusCode).toBeGreaterThanOrEqual(500);
    expect(await store.getEntity(alertKey('j1'))).toBeUndefined();
    expect(await store.listUnfinishedJobs()).toEqual([]);
    const retried = post('ts1', [alert('j1')]);
    await queued(1);
    clock.fire();
    expect((await retried).json()).toEqual({ accepted: 1, duplicates: 0 });
    expect((await store.listUnfinishedJobs()).map((job) => job.key)).toEqual(['ts1|j1']);
  });

  it('answers 503 with Retry-After when the queue is full, and takes deliveries again once written', async () => {
    const waiting = [post('ts1', [alert('q1'), alert('q2')]), post('ts1', [alert('q3'), alert('q4')])];
    await queued(4);
    const refused = await post('ts1', [alert('q5')]);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json().error.code).toBe('INTAKE_BUSY');
    clock.fire();
    expect((await Promise.all(waiting)).map((answer) => answer.statusCode)).toEqual([202, 202]);
    expect(await store.getEntity(alertKey('q5'))).toBeUndefined();
    const later = post('ts1', [alert('q5')]);
    await queued(1);
    clock.fire();
    expect((await later).statusCode).toBe(202);
  });

  it('stores the queued deliveries on close, then refuses new ones', async () => {
    const answers = [post('ts1', [alert('s1')]), post('ts1', [alert('s2')])];
    await queued(2);
    await intake.close();
    expect((await Promise.all(answers)).map((answer) => answer.statusCode)).toEqual([202, 202]);
    expect(commits).toEqual([2]);
    expect(await store.getEntity(alertKey('s2'))).toBeDefined();
    const late = await post('ts1', [alert('s3')]);
    expect([late.statusCode, late.json().error.code]).toEqual([503, 'INTAKE_BUSY']);
  });

  it('writes a batch at once when it reaches its size, without waiting for the timer', async () => {
    const big = Array.from({ length: 100 }, (_, index) => alert(`z${index}`));
    const answer = await post('ts1', big);
    expect([answer.statusCode, answer.json()]).toEqual([202, { accepted: 100, duplicates: 0 }]);
    expect(commits).toEqual([1]);
  });
});
