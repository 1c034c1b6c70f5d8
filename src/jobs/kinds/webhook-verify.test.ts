import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../../test/helpers/log-capture.ts';
import { VigilError } from '../../errors.ts';
import type { JobContext } from '../types.ts';
import { maxAlertsPerVerifyJob, webhookVerifyJobKind, webhookVerifyRequests } from './webhook-verify.ts';

const context: JobContext = {
  signal: new AbortController().signal,
  logger: captureLogger().logger,
  now: () => 0,
  attempt: 0,
  leaseMs: 30_000,
};
const data = { integrationId: 'int-1', alertIds: ['a1', 'a2'] };

const kindFailingWith = (code: VigilError['code']) =>
  webhookVerifyJobKind({
    verify: async () => {
      throw new VigilError(code, 'failed');
    },
  });

describe('the webhook-verify job kind', () => {
  it('verifies the alerts of its data with the job signal and completes with the tally', async () => {
    const calls: string[] = [];
    const kind = webhookVerifyJobKind({
      verify: async (integrationId, alertIds, { signal }) => {
        expect(signal).toBe(context.signal);
        calls.push(`${integrationId}/${alertIds.join(',')}`);
        return { verified: 1, unverified: 1, settled: 0 };
      },
    });
    expect(await kind.handle(data, context)).toEqual({
      status: 'completed',
      output: { verified: 1, unverified: 1, settled: 0 },
    });
    expect(calls).toEqual(['int-1/a1,a2']);
  });

  it('retries a deferred verification and a store failure, not a refused credential; skips what is gone', async () => {
    expect(await kindFailingWith('ALERT_VERIFICATION_DEFERRED').handle(data, context)).toMatchObject({
      status: 'failed',
      retry: true,
    });
    expect(await kindFailingWith('STORE_ERROR').handle(data, context)).toMatchObject({ retry: true });
    expect(await kindFailingWith('PROVIDER_AUTHENTICATION_ERROR').handle(data, context)).toMatchObject({
      status: 'failed',
      retry: false,
      error: { code: 'PROVIDER_AUTHENTICATION_ERROR' },
    });
    expect(await kindFailingWith('NOT_FOUND').handle(data, context)).toEqual({
      status: 'skipped',
      reason: 'gone',
    });
  });

  it('sends one job per integration of a batch, keyed by its alert ids, split past the per-job limit', () => {
    const of = (integrationId: string, alertIds: readonly string[]) =>
      alertIds.map((alertId) => ({ integrationId, alertId }));
    const [request, ...rest] = webhookVerifyRequests(of('int-1', ['a1', 'a2']));
    expect(rest).toEqual([]);
    expect(request?.data).toEqual(data);
    expect(request?.key).toMatch(/^int-1\|2\|[0-9a-f]{32}$/);
    expect(webhookVerifyRequests(of('int-1', ['a1', 'a2']))[0]?.key).toBe(request?.key);
    expect(webhookVerifyRequests(of('int-1', ['a1', 'a3']))[0]?.key).not.toBe(request?.key);

    const twoIntegrations = webhookVerifyRequests([...of('int-1', ['a1']), ...of('int-2', ['a1', 'a2'])]);
    expect(twoIntegrations.map((r) => r.data)).toEqual([
      { integrationId: 'int-1', alertIds: ['a1'] },
      { integrationId: 'int-2', alertIds: ['a1', 'a2'] },
    ]);

    const many = Array.from({ length: maxAlertsPerVerifyJob * 2 + 1 }, (_, i) => `id-${i}`);
    const split = webhookVerifyRequests(of('int-1', many));
    expect(split.map((r) => r.data.alertIds.length)).toEqual([
      maxAlertsPerVerifyJob,
      maxAlertsPerVerifyJob,
      1,
    ]);
    expect(split.flatMap((r) => r.data.alertIds)).toEqual(many);
    expect(new Set(split.map((r) => r.key)).size).toBe(3);
  });

  it('reads back the one-alert jobs an earlier version sent, and refuses data of another shape', () => {
    const kind = webhookVerifyJobKind({ verify: async () => ({ verified: 0, unverified: 0, settled: 0 }) });
    expect(kind.data.parse({ integrationId: 'int-1', alertId: 'a1' })).toEqual({
      integrationId: 'int-1',
      alertIds: ['a1'],
    });
    expect(kind.data.parse(data)).toEqual(data);
    expect(kind.data.safeParse({ ...data, extra: 1 }).success).toBe(false);
    expect(kind.data.safeParse({ integrationId: 'int-1', alertIds: [] }).success).toBe(false);
    expect(
      kind.data.safeParse({ integrationId: 'int-1', alertIds: Array(maxAlertsPerVerifyJob + 1).fill('a') })
        .success,
    ).toBe(false);
    expect(kind.name).toBe('webhook-verify');
  });
});
