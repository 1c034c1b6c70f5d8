import { z } from 'zod';
import { toVigilError } from '../../errors.ts';
import type { DueRule, RuleRunReport } from '../../rules/evaluator.ts';
import type { JobContext, JobKind, JobRequest, JobResult } from '../types.ts';

/**
 * What the rule-evaluation job needs of the application: the rule evaluator (src/rules/evaluator.ts)
 * over the query engine. The composition root wires it (`vigil.jobs.rules`).
 */
export interface RuleJobDeps {
  /** Evaluates one rule now: queries, alert lifecycle, actions; NOT_FOUND when it was removed. */
  evaluateRule(ruleId: string): Promise<RuleRunReport>;
  /** The enabled rules due on their interval. */
  dueRules(): Promise<DueRule[]>;
  /** Whether a rule is still due on its interval (false when removed). */
  isDue(ruleId: string): Promise<boolean>;
  /** The enabled rules reading one of the types a sync wrote. */
  rulesToEvaluateAfterSync(writtenTypes: readonly string[]): Promise<string[]>;
}

const ruleJobData = z
  .object({
    ruleId: z.string().min(1),
    /** `sync`: a sync wrote a type the rule reads; `interval`: the rule's interval passed. */
    trigger: z.enum(['sync', 'interval']),
    /** The sync's run id, or the interval's due slot (the last evaluation it follows). */
    slot: z.string().min(1),
  })
  .strict();
export type RuleJobData = z.infer<typeof ruleJobData>;

/** The kind's name (its pg-boss queue is `vigil-rule-evaluation`). */
export const ruleEvaluationKindName = 'rule-evaluation';

/** One job per (rule, trigger); grouped by rule, so one rule never evaluates twice at once. */
function ruleJob(data: RuleJobData): JobRequest<RuleJobData> {
  return { data, key: `${data.ruleId}|${data.trigger}|${data.slot}`, group: data.ruleId };
}

/**
 * The rule jobs a finished sync (run `runId`) calls for: one per enabled rule reading a type it
 * wrote (created, updated or deleted rows). While a rule's job waits, another is not queued
 * (the group keeps one waiting): the waiting one reads the newest graph when it runs.
 */
export async function ruleJobsAfterSync(
  deps: RuleJobDeps,
  sync: { runId: string; writtenTypes: readonly string[] },
): Promise<JobRequest<RuleJobData>[]> {
  const ruleIds = await deps.rulesToEvaluateAfterSync(sync.writtenTypes);
  return ruleIds.map((ruleId) => ruleJob({ ruleId, trigger: 'sync', slot: sync.runId }));
}

/**
 * Alert-rule evaluation as jobs of the one runtime (C11). Its planner sends one job per rule due
 * on its interval (slot: the last evaluation, so every planner sends the same key); after-sync
 * jobs are enqueued from the sync job's completion (`ruleJobsAfterSync`). Its handler:
 * - `completed` with what the evaluation did (fired, rows, decision, deliveries): a failing
 *   webhook is an outcome in the delivery log, never a failure;
 * - `skipped` when the rule was removed, or an interval job finds it no longer due (an after-sync
 *   evaluation served the slot);
 * - `failed` when its query failed: retried for a store failure only.
 */
export function ruleEvaluationJobKind(deps: RuleJobDeps): JobKind<RuleJobData> {
  return {
    name: ruleEvaluationKindName,
    data: ruleJobData,
    async planDue(_now, held) {
      const due = (await deps.dueRules()).filter((rule) => !held.has(rule.ruleId));
      return due.map(({ ruleId, lastEvaluatedAt }) =>
        ruleJob({ ruleId, trigger: 'interval', slot: lastEvaluatedAt ?? 'first' }),
      );
    },
    handle: (data, context) => handleRuleJob(data, context, deps),
  };
}

/** The handler of one rule job (see `ruleEvaluationJobKind`). */
export async function handleRuleJob(
  data: RuleJobData,
  context: JobContext,
  deps: RuleJobDeps,
): Promise<JobResult> {
  const logger = context.logger.child({ ruleId: data.ruleId, trigger: data.trigger });
  if (data.trigger === 'interval' && !(await deps.isDue(data.ruleId)))
    return { status: 'skipped', reason: 'not-due' };
  try {
    const report = await deps.evaluateRule(data.ruleId);
    const { rule, fired, rowCount, decision } = report;
    const deliveries = report.deliveries.map((delivery) => delivery.outcome);
    logger.info({ rule, fired, rowCount, decision, deliveries }, 'rule evaluated');
    return { status: 'completed', output: { rule, fired, rowCount, decision, deliveries } };
  } catch (error) {
    const { code, message } = toVigilError(error);
    if (code === 'NOT_FOUND') return { status: 'skipped', reason: 'rule-removed' };
    logger.error({ code, err: message }, 'rule evaluation failed');
    return { status: 'failed', error: { code, message }, retry: code === 'STORE_ERROR' };
  }
}
