import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { type ValidationPollDeps, validationPollJobKind } from '../../src/jobs/kinds/validation-poll.ts';

const pending = [
  { validationId: 'v', actionId: 'a1', index: 3, at: '2026-11-25T12:01:30.000Z' },
  { validationId: 'v', actionId: 'a2', index: 0, at: '2026-11-25T12:00:00.000Z' },
];
const context = {
  signal: new AbortController().signal,
  logger: pino({ level: 'silent' }),
  now: () => 0,
  attempt: 0,
  leaseMs: 30_000,
};

function kindWith(poll: ValidationPollDeps['poll']) {
  return validationPollJobKind({ pendingPolls: async () => pending, poll });
}

describe('the validation-poll job kind', () => {
  it('plans each pending poll at its window time, keyed per poll and grouped per action, leaving held actions out', async () => {
    const kind = kindWith(async () => ({ status: 'polled' }));
    expect(await kind.planDue?.(0, new Set(['v/a2']))).toEqual([
      {
        data: { validationId: 'v', actionId: 'a1', index: 3 },
        key: 'v/a1/3',
        group: 'v/a1',
        runAt: Date.parse('2026-11-25T12:01:30.000Z'),
      },
    ]);
  });

  it('reports a poll done, a poll already recorded as skipped, and a failure for a retry', async () => {
    const data = { validationId: 'v', actionId: 'a1', index: 3 };
    expect(
      await kindWith(async () => ({ status: 'polled', verdict: 'Alerted' })).handle(data, context),
    ).toEqual({
      status: 'completed',
      output: { status: 'polled', verdict: 'Alerted' },
    });
    expect(
      await kindWith(async () => ({ status: 'skipped', reason: 'already-polled' })).handle(data, context),
    ).toEqual({ status: 'skipped', reason: 'already-polled' });
    const failing = kindWith(async () => {
      throw new VigilError('PROVIDER_RATE_LIMITED', 'slow down');
    });
    expect(await failing.handle(data, context)).toEqual({
      status: 'failed',
      error: { code: 'PROVIDER_RATE_LIMITED', message: 'slow down' },
      retry: true,
    });
  });
});
