import type { Logger } from 'pino';
import { z } from 'zod';
import { toVigilError } from '../../errors.ts';
import type { JobKind, JobRequest } from '../types.ts';

const validationPollData = z
  .object({
    validationId: z.string().min(1),
    actionId: z.string().min(1),
    index: z.number().int().min(0),
  })
  .strict();
export type ValidationPollData = z.infer<typeof validationPollData>;

/** A poll to schedule: its identity and when the window model lets it run (ISO-8601). */
export interface PendingPoll extends ValidationPollData {
  at: string;
}

/** What one poll did; `skipped` when it was already recorded or its validation is gone. */
export type PollOutcome = { status: 'polled'; verdict?: string } | { status: 'skipped'; reason: string };

/** What the validation poll job needs of the application (the validation service). */
export interface ValidationPollDeps {
  /** The next poll of every action without a verdict, from the stored progress. */
  pendingPolls(): Promise<readonly PendingPoll[]>;
  /** Runs and records one poll (after the last, the verdict). */
  poll(data: ValidationPollData, options: { signal: AbortSignal; logger: Logger }): Promise<PollOutcome>;
}

/** The kind's name (its pg-boss queue is `vigil-validation-poll`). */
export const validationPollKindName = 'validation-poll';

/** `<validationId>/<actionId>/<k>`: one key per poll of the window model, whoever sends it. */
export function validationPollKey(data: ValidationPollData): string {
  return `${data.validationId}/${data.actionId}/${data.index}`;
}

/**
 * The polls of detection validations (C14), one job per poll `k` of an action's schedule, run at
 * the window model's time `T + k·I + D`. The planner reads the next poll of every action from the
 * stored progress on each tick and sends it ahead of time (the queue holds it until `runAt`),
 * keyed `<validationId>/<actionId>/<k>` and grouped by action: a key is sent once whoever plans
 * it (several workers, a restarted process), and one action's polls never run at once, in
 * order. So a validation recorded by any process is picked up by any `vigil serve` or worker,
 * and a restart resumes the schedule from the stored progress. A failed poll is retried by the
 * queue (a poll is only recorded once it finished, and its evidence is de-duplicated).
 */
export function validationPollJobKind(deps: ValidationPollDeps): JobKind<ValidationPollData> {
  return {
    name: validationPollKindName,
    data: validationPollData,
    async planDue(_now, held) {
      const requests: JobRequest<ValidationPollData>[] = [];
      for (const pending of await deps.pendingPolls()) {
        const data = { validationId: pending.validationId, actionId: pending.actionId, index: pending.index };
        const group = `${data.validationId}/${data.actionId}`;
        if (held.has(group)) continue;
        requests.push({ data, key: validationPollKey(data), group, runAt: Date.parse(pending.at) });
      }
      return requests;
    },
    async handle(data, context) {
      const logger = context.logger.child({ validationId: data.validationId, actionId: data.actionId });
      try {
        const outcome = await deps.poll(data, { signal: context.signal, logger });
        if (outcome.status === 'skipped') return { status: 'skipped', reason: outcome.reason };
        logger.info({ poll: data.index, ...outcome }, 'validation poll done');
        return { status: 'completed', output: { ...outcome } };
      } catch (error) {
        const { code, message } = toVigilError(error);
        logger.error({ poll: data.index, code, err: message }, 'validation poll failed');
        return { status: 'failed', error: { code, message }, retry: true };
      }
    },
  };
}
