import { z } from 'zod';
import { VigilError } from '../errors.ts';
import type { IntegrationRegistry } from '../integrations/registry.ts';
import type { RunRecord, StepRecord, TypeChanges } from '../store/types.ts';
import type { AppContext } from './context.ts';

/** What a run's stored summary may tell beyond the store's own records (re-validated: it is JSON from the database). */
const storedSummarySchema = z.looseObject({
  durationMs: z.number().optional(),
  steps: z.array(z.looseObject({ id: z.string(), name: z.string(), items: z.number() })).optional(),
  requests: z.record(z.string(), z.number()).optional(),
});

interface RunTotals {
  created: number;
  updated: number;
  deleted: number;
}

/** A run in the history: which integration (its name when registered), how it went, what it changed. */
export interface RunListItem {
  id: string;
  integrationId: string;
  integration: string | null;
  status: RunRecord['status'];
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  changes: RunTotals;
}

/** One run in full: its steps with their results, the per-type change counts, the request counters. */
export interface RunDetail extends Omit<RunListItem, 'changes'> {
  steps: Array<StepRecord & { name: string | null; items: number | null; durationMs: number }>;
  changes: TypeChanges[];
  requests: Record<string, number> | null;
}

const millisBetween = (from: string, to: string) => Math.max(0, Date.parse(to) - Date.parse(from));

function durationOf(run: RunRecord): number | null {
  return run.finishedAt === null ? null : millisBetween(run.startedAt, run.finishedAt);
}

function totalsOf(changes: readonly TypeChanges[]): RunTotals {
  return changes.reduce(
    (sum, c) => ({
      created: sum.created + c.created,
      updated: sum.updated + c.updated,
      deleted: sum.deleted + c.deleted,
    }),
    { created: 0, updated: 0, deleted: 0 },
  );
}

async function integrationNames(registry: IntegrationRegistry): Promise<Map<string, string>> {
  return new Map((await registry.list()).map((i) => [i.id, i.name]));
}

/**
 * Runs newest first, of one integration (a registered name or id, or the id of an environment
 * sync such as `threatstack:<orgId>`) or of all. NOT_FOUND for a reference that is neither
 * registered nor has a single run.
 */
export async function listRunHistory(
  { store, registry }: Pick<AppContext, 'store' | 'registry'>,
  options: { integration?: string | undefined; limit: number },
): Promise<RunListItem[]> {
  const registered = options.integration === undefined ? undefined : await registry.find(options.integration);
  const integrationId = registered?.id ?? options.integration;
  const runs = await store.listRuns(integrationId, options.limit);
  if (options.integration !== undefined && registered === undefined && runs.length === 0) {
    throw new VigilError('NOT_FOUND', `No integration named '${options.integration}' and no runs of it.`, {
      hint: 'Run `vigil integrations list` to see the integrations.',
    });
  }
  const names = await integrationNames(registry);
  return Promise.all(
    runs.map(async (run) => ({
      id: run.id,
      integrationId: run.integrationId,
      integration: names.get(run.integrationId) ?? null,
      status: run.status,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      durationMs: durationOf(run),
      changes: totalsOf(await store.listChanges(run.id)),
    })),
  );
}

/** The most runs a prefix is looked up among (the history, newest first). */
const PREFIX_SEARCH_LIMIT = 100_000;

/**
 * The run an id or a unique id prefix names, as git resolves commits: NOT_FOUND when none
 * matches, INPUT_INVALID listing the candidates when several do.
 */
async function findRun(store: AppContext['store'], reference: string): Promise<RunRecord> {
  const exact = await store.getRun(reference);
  if (exact !== undefined) return exact;
  const matches =
    reference === ''
      ? []
      : (await store.listRuns(undefined, PREFIX_SEARCH_LIMIT)).filter((run) => run.id.startsWith(reference));
  const [only] = matches;
  if (matches.length === 1 && only) return only;
  if (matches.length > 1) {
    const shown = matches.slice(0, 10).map((run) => `${run.id} (${run.startedAt})`);
    throw new VigilError(
      'INPUT_INVALID',
      `${matches.length} sync runs have ids starting with '${reference}'.`,
      {
        hint: `Give more of the id: ${shown.join(', ')}${matches.length > 10 ? ', …' : ''}.`,
      },
    );
  }
  throw new VigilError('NOT_FOUND', `No sync run with id '${reference}'.`, {
    hint: 'Run `vigil runs list` to see the runs and their ids.',
  });
}

/**
 * One run, by id or unique id prefix, with its steps (name and items from the stored summary when
 * it has them), changes and request counters.
 */
export async function describeRun(
  { store, registry }: Pick<AppContext, 'store' | 'registry'>,
  runId: string,
): Promise<RunDetail> {
  const run = await findRun(store, runId);
  const summary = storedSummarySchema.safeParse(run.summary ?? {});
  const stepSummaries = new Map((summary.success ? (summary.data.steps ?? []) : []).map((s) => [s.id, s]));
  const [steps, changes, integration] = await Promise.all([
    store.listSteps(run.id),
    store.listChanges(run.id),
    registry.find(run.integrationId),
  ]);
  return {
    id: run.id,
    integrationId: run.integrationId,
    integration: integration?.name ?? null,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: durationOf(run),
    steps: steps.map((step) => ({
      ...step,
      name: stepSummaries.get(step.stepId)?.name ?? null,
      items: stepSummaries.get(step.stepId)?.items ?? null,
      durationMs: millisBetween(step.startedAt, step.finishedAt),
    })),
    changes,
    requests: summary.success ? (summary.data.requests ?? null) : null,
  };
}
