import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import {
  handleRuleJob,
  type RuleJobDeps,
  ruleEvaluationJobKind,
  ruleJobsAfterSync,
} from '../../src/jobs/kinds/rule-evaluation.ts';
import { handleSyncJob } from '../../src/jobs/kinds/sync.ts';
import type { JobContext } from '../../src/jobs/types.ts';
import type { RuleRunReport } from '../../src/rules/evaluator.ts';
import { testIntegration } from '../helpers/integrations.ts';
import { captureLogger } from '../helpers/log-capture.ts';

const report: RuleRunReport = {
  rule: 'r',
  fired: true,
  rowCount: 2,
  rows: [],
  decision: 'open',
  alertId: 'a1',
  deliveries: [{ outcome: 'failed', attempts: 5, statusCode: 503 }],
};

function deps(overrides: Partial<RuleJobDeps> = {}): RuleJobDeps & { evaluated: string[] } {
  const evaluated: string[] = [];
  return {
    evaluated,
    evaluateRule: async (id) => {
      evaluated.push(id);
      return report;
    },
    dueRules: async () => [
      { ruleId: 'r1', lastEvaluatedAt: null },
      { ruleId: 'r2', lastEvaluatedAt: '2026-12-01T10:00:00.000Z' },
    ],
    isDue: async () => true,
    rulesToEvaluateAfterSync: async (types) => (types.includes('cve') ? ['r1', 'r2'] : []),
    ...overrides,
  };
}

function context(): JobContext & { lines: ReturnType<typeof captureLogger>['lines'] } {
  const { logger, lines } = captureLogger();
  return { signal: new AbortController().signal, logger, now: () => 0, attempt: 0, leaseMs: 60_000, lines };
}

describe('the rule-evaluation job kind', () => {
  it('plans one job per due rule, keyed by its last evaluation, grouped by rule, leaving held rules out', async () => {
    const planned = await ruleEvaluationJobKind(deps()).planDue?.(0, new Set(['r1']));
    expect(planned).toEqual([
      {
        data: { ruleId: 'r2', trigger: 'interval', slot: '2026-12-01T10:00:00.000Z' },
        key: 'r2|interval|2026-12-01T10:00:00.000Z',
        group: 'r2',
      },
    ]);
    const first = await ruleEvaluationJobKind(deps()).planDue?.(0, new Set());
    expect(first?.[0]).toMatchObject({ key: 'r1|interval|first', group: 'r1' });
  });

  it('asks for one job per rule reading a written type, keyed by the sync run', async () => {
    expect(await ruleJobsAfterSync(deps(), { runId: 'run-7', writtenTypes: ['cve'] })).toEqual([
      { data: { ruleId: 'r1', trigger: 'sync', slot: 'run-7' }, key: 'r1|sync|run-7', group: 'r1' },
      { data: { ruleId: 'r2', trigger: 'sync', slot: 'run-7' }, key: 'r2|sync|run-7', group: 'r2' },
    ]);
    expect(await ruleJobsAfterSync(deps(), { runId: 'run-8', writtenTypes: ['server'] })).toEqual([]);
  });

  it('completes with what the evaluation did, a failed delivery included', async () => {
    const d = deps();
    const result = await handleRuleJob({ ruleId: 'r1', trigger: 'sync', slot: 'run-1' }, context(), d);
    expect(result).toEqual({
      status: 'completed',
      output: { rule: 'r', fired: true, rowCount: 2, decision: 'open', deliveries: ['failed'] },
    });
    expect(d.evaluated).toEqual(['r1']);
  });

  it('skips an interval job whose rule is no longer due, and a job whose rule was removed', async () => {
    const notDue = deps({ isDue: async () => false });
    expect(
      await handleRuleJob({ ruleId: 'r1', trigger: 'interval', slot: 'first' }, context(), notDue),
    ).toEqual({
      status: 'skipped',
      reason: 'not-due',
    });
    expect(notDue.evaluated).toEqual([]);
    const removed = deps({
      evaluateRule: async () => {
        throw new VigilError('NOT_FOUND', 'No rule is named r1.');
      },
    });
    expect(await handleRuleJob({ ruleId: 'r1', trigger: 'sync', slot: 'run-1' }, context(), removed)).toEqual(
      {
        status: 'skipped',
        reason: 'rule-removed',
      },
    );
  });

  it('fails a job whose query fails, retrying store failures only', async () => {
    const failing = (code: 'QUERY_INVALID' | 'STORE_ERROR') =>
      deps({
        evaluateRule: async () => {
          throw new VigilError(code, 'boom');
        },
      });
    const data = { ruleId: 'r1', trigger: 'sync', slot: 'run-1' } as const;
    expect(await handleRuleJob(data, context(), failing('QUERY_INVALID'))).toMatchObject({
      status: 'failed',
      retry: false,
    });
    expect(await handleRuleJob(data, context(), failing('STORE_ERROR'))).toMatchObject({
      status: 'failed',
      retry: true,
    });
  });
});

describe('the sync job completion hook', () => {
  it('completes the sync job when the after-sync work throws, and logs why', async () => {
    const integration = testIntegration('ts', 60);
    const outcome = { runId: 'run-1', status: 'success' as const, durationMs: 3, writtenTypes: ['cve'] };
    const seen: string[][] = [];
    const ctx = context();
    const result = await handleSyncJob(
      { integrationId: integration.id, slot: 'first#0' },
      ctx,
      {
        listIntegrations: async () => [integration],
        findIntegration: async () => integration,
        latestRun: async () => undefined,
        runSync: async () => outcome,
      },
      async (synced) => {
        seen.push(synced.writtenTypes);
        throw new VigilError('STORE_ERROR', 'the rules table is locked');
      },
    );
    expect(result).toEqual({ status: 'completed', output: outcome });
    expect(seen).toEqual([['cve']]);
    expect(ctx.lines.map((line) => line.msg)).toContain('after-sync work failed (the sync itself completed)');
  });
});
