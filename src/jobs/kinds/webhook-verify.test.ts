import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../../test/helpers/log-capture.ts';
import { VigilError } from '../../errors.ts';
import type { JobContext } from '../types.ts';
import { webhookVerifyJobKind, webhookVerifyRequest } from './webhook-verify.ts';

const context: JobContext = {
  signal: new AbortController().signal,
  logger: captureLogger().logger,
  now: () => 0,
  attempt: 0,
  leaseMs: 30_000,
};
const data = { integrationId: 'int-1', alertId: 'a1' };

const kindFailingWith = (code: VigilError['code']) =>
  webhookVerifyJobKind({
    verify: async () => {
      throw new VigilError(code, 'failed');
    },
  });

describe('the webhook-verify job kind', () => {
  it('verifies the alert of its data and completes with the outcome', async () => {
    const calls: string[] = [];
    const kind = webhookVerifyJobKind({
      verify: async (integrationId, alertId) => {
        calls.push(`${integrationId}/${alertId}`);
        return { status: 'unverified' };
      },
    });
    expect(await kind.handle(data, context)).toEqual({
      status: 'completed',
      output: { verification: 'unverified' },
    });
    expect(calls).toEqual(['int-1/a1']);
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

  it('keys one job per integration and alert, and refuses data of another shape', () => {
    expect(webhookVerifyRequest('int-1', 'a1')).toEqual({ data, key: 'int-1|a1' });
    const kind = webhookVerifyJobKind({ verify: async () => ({ status: 'verified' }) });
    expect(kind.data.safeParse({ ...data, extra: 1 }).success).toBe(false);
    expect(kind.name).toBe('webhook-verify');
  });
});
