import type { SyncReport } from '../integrations/sync-plan.ts';
import type { JobLedger } from '../jobs/in-process.ts';
import type { MonitorJobDeps } from '../jobs/kinds/monitor-run.ts';
import type { RuleJobDeps } from '../jobs/kinds/rule-evaluation.ts';
import type { SyncJobDeps, SyncOutcome } from '../jobs/kinds/sync.ts';
import type { ValidationPollDeps } from '../jobs/kinds/validation-poll.ts';
import { sqlJobLedger } from '../jobs/sql-ledger.ts';
import type { AppContext } from './context.ts';
import type { MonitorService } from './monitors.ts';
import type { SyncService } from './sync.ts';
import type { ValidationService } from './validation.ts';

/** What the job runtime needs of an open Vigil: the sync job's services and the jobs' ledger. */
export interface JobServices {
  /** The periodic sync's view of the registry, the run history and the sync service. */
  readonly sync: SyncJobDeps;
  /** The rule-evaluation job's evaluator (rules after syncs and on their interval). */
  readonly rules: RuleJobDeps;
  /** The validation polls' view of the validation service. */
  readonly validation: ValidationPollDeps;
  /** The monitor runs' view of the monitor service (start due slots, complete runs). */
  readonly monitors: MonitorJobDeps;
  /** The in-process queue's persistent ledger (the store's scheduled jobs). */
  readonly ledger: JobLedger;
}

/** How a sync ended, as the job runtime records it: its run, status, duration and the types it changed. */
export function syncOutcomeOf(report: SyncReport): SyncOutcome {
  const writtenTypes = report.types
    .filter((type) => type.created + type.updated + type.deleted > 0)
    .map((type) => type.type);
  return { runId: report.runId, status: report.status, durationMs: report.durationMs, writtenTypes };
}

/** Wires the job runtime to the services: each sync job runs through the sync service, with its signal. */
export function jobServicesOf(
  ctx: AppContext,
  services: {
    sync: SyncService;
    rules: RuleJobDeps;
    validations: ValidationService;
    monitors: MonitorService;
  },
): JobServices {
  const { sync, rules, validations, monitors } = services;
  return {
    sync: {
      listIntegrations: () => ctx.registry.list(),
      findIntegration: (id) => ctx.registry.find(id),
      latestRun: async (id) => (await ctx.store.listRuns(id, 1))[0],
      async runSync(integration, { signal, logger }) {
        const { report } = await sync.runIntegration(integration.id, { signal, logger });
        return syncOutcomeOf(report);
      },
    },
    rules,
    validation: {
      pendingPolls: () => validations.pendingPolls(),
      poll: (data, options) => validations.poll(data, options),
    },
    monitors: monitors.jobs(),
    ledger: sqlJobLedger(ctx.store),
  };
}
