import { channel } from 'node:diagnostics_channel';
import type { Logger } from 'pino';
import { toVigilError, VigilError } from '../errors.ts';
import type { Entity, Relationship } from '../graph/types.ts';
import type { GraphKind, GraphStore, RunLock, StepStatus, TypeChanges } from '../store/types.ts';
import { orderSteps } from './step-order.ts';
import type { IntegrationStep, StepResult, SyncObserver, SyncSummary, TypeSummary } from './types.ts';
import { BufferedWriter, ChangeTally } from './writer.ts';

export interface SyncOptions<C> {
  store: GraphStore;
  integrationId: string;
  steps: readonly IntegrationStep<C>[];
  client: C;
  now?: () => number;
  logger?: Logger;
  observer?: SyncObserver;
  /**
   * Asks the run to stop (SIGINT, a lost job lease): it stops before its next store write,
   * deletes nothing, is recorded `interrupted`, and `runSync` throws SYNC_INTERRUPTED.
   */
  signal?: AbortSignal;
}

/**
 * Publishes `{ stepId, phase: 'start' | 'end' }` around every step that runs, for tools that profile a
 * sync from inside its process (the sync bench's memory probe); nothing is published without a
 * subscriber.
 */
const stepChannel = channel('vigil:sync:step');

/** What one run works with, once it holds the integration's run lock. */
interface RunContext<C> {
  options: SyncOptions<C>;
  runId: string;
  now: () => number;
  signal: AbortSignal;
  tally: ChangeTally;
  results: Map<string, StepResult>;
}

/**
 * Runs an integration's steps against the store (C8), holding the integration's run lock from
 * start to end: SYNC_IN_PROGRESS, with nothing written, when another run holds it. Each step
 * streams batches to the store as it goes and ends `success`, `failure`, `partial` (a
 * dependency did not fully succeed) or `skipped` (a dependency failed or was skipped: it does not run). Only types whose every declaring step fully succeeded are
 * deleted by absence, and never history types (`IntegrationStep.history`); the types of any
 * other step are a partial dataset and keep what the graph had. When `signal` or the lock's own signal aborts, the run stops between batches, deletes
 * nothing more, is recorded `interrupted` with what it wrote, and SYNC_INTERRUPTED is thrown (an
 * abort after its last delete changes nothing: the run is complete). A crash
 * leaves the run `running` (the next holder of the lock marks it `aborted`) and deletes nothing.
 */
export async function runSync<C>(options: SyncOptions<C>): Promise<SyncSummary> {
  const { store, integrationId } = options;
  const lock = await store.acquireRunLock(integrationId);
  if (lock === undefined) throw await syncInProgress(store, integrationId);
  try {
    return await runLocked(options, lock);
  } finally {
    await lock.release().catch((error: unknown) => {
      options.logger?.warn({ err: toVigilError(error).message }, 'could not release the run lock');
    });
  }
}

async function syncInProgress(store: GraphStore, integrationId: string): Promise<VigilError> {
  const running = (await store.listRuns(integrationId, 5)).find((run) => run.status === 'running');
  const which = running === undefined ? 'starting' : `run ${running.id}, since ${running.startedAt}`;
  return new VigilError(
    'SYNC_IN_PROGRESS',
    `Another run of integration ${integrationId} is in progress (${which}).`,
    { hint: 'Wait for it to finish, or check `vigil runs list`.', details: { integrationId } },
  );
}

async function runLocked<C>(options: SyncOptions<C>, lock: RunLock): Promise<SyncSummary> {
  const { store, integrationId } = options;
  const now = options.now ?? Date.now;
  const signal = options.signal === undefined ? lock.signal : AbortSignal.any([lock.signal, options.signal]);
  const steps = orderSteps(options.steps);
  const started = now();
  const runId = await store.createRun(integrationId, new Date(started).toISOString());
  await clearAbortedRuns(store, integrationId);
  const run: RunContext<C> = { options, runId, now, signal, tally: new ChangeTally(), results: new Map() };
  let completed = true;
  for (const [index, step] of steps.entries()) {
    if (signal.aborted) {
      completed = false;
      break;
    }
    await runStep(run, step, index, steps.length);
  }
  completed = completed && (await deleteAbsent(run, steps));
  const changes = run.tally.all();
  await store.recordChanges(runId, changes);
  await store.clearSeen(runId);
  const stepResults = steps.map((s) => run.results.get(s.id)).filter((r): r is StepResult => r !== undefined);
  const finished = now();
  const summary: SyncSummary = {
    runId,
    integrationId,
    status: runStatus(stepResults),
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    steps: stepResults,
    types: await typeSummaries(store, integrationId, steps, changes),
  };
  if (!completed) {
    await store.finishRun(runId, 'interrupted', summary.finishedAt, { ...summary, status: 'interrupted' });
    throw interrupted(runId, integrationId, signal.reason);
  }
  await store.finishRun(runId, summary.status, summary.finishedAt, summary);
  return summary;
}

function interrupted(runId: string, integrationId: string, reason: unknown): VigilError {
  const why = reason instanceof Error ? reason.message : 'it was asked to stop';
  return new VigilError(
    'SYNC_INTERRUPTED',
    `The sync of integration ${integrationId} stopped before the end (${why}); run ${runId} kept what it wrote.`,
    { hint: 'Sync again to complete the graph.', details: { runId, integrationId } },
  );
}

/**
 * Runs one step and records its outcome. What the step produced before it failed still goes to
 * the store (its types are not deleted). An interruption ends the step as a failure coded
 * SYNC_INTERRUPTED, without writing what is still buffered.
 */
async function runStep<C>(
  run: RunContext<C>,
  step: IntegrationStep<C>,
  index: number,
  count: number,
): Promise<void> {
  const { options, runId, now, signal, tally, results } = run;
  const { store, integrationId, client, logger, observer } = options;
  observer?.stepStarted(step, index, count);
  const stepStarted = now();
  if (step.dependsOn.some((d) => ['failure', 'skipped'].includes(results.get(d)?.status ?? ''))) {
    await recordResult(run, step, { status: 'skipped', items: 0, startedAt: stepStarted, error: null });
    return;
  }
  if (stepChannel.hasSubscribers) stepChannel.publish({ stepId: step.id, phase: 'start' });
  let items = 0;
  const writer = new BufferedWriter(step, signal, async (kind, batch) => {
    const at = new Date(now()).toISOString();
    const counts =
      kind === 'entity'
        ? await store.writeEntities(runId, integrationId, batch as Entity[], at)
        : await store.writeRelationships(runId, integrationId, batch as Relationship[], at);
    tally.add(kind, counts);
  });
  let error: StepResult['error'] = null;
  try {
    await step.execute({
      client,
      writer,
      now,
      logger,
      signal,
      progress: (n) => {
        items += n;
        observer?.stepProgress(step, items);
      },
    });
    await writer.flush();
  } catch (thrown) {
    if (!signal.aborted) await writer.flush().catch(() => undefined);
    const coded = signal.aborted ? interrupted(runId, integrationId, signal.reason) : toVigilError(thrown);
    error = { code: coded.code, message: coded.message, ...(coded.hint ? { hint: coded.hint } : {}) };
    logger?.warn({ step: step.id, code: coded.code, err: coded.message }, 'step failed');
  }
  if (stepChannel.hasSubscribers) stepChannel.publish({ stepId: step.id, phase: 'end' });
  const dependencyIncomplete = step.dependsOn.some((d) => results.get(d)?.status !== 'success');
  const status: StepStatus = error ? 'failure' : dependencyIncomplete ? 'partial' : 'success';
  await recordResult(run, step, { status, items, startedAt: stepStarted, error });
}

/** Records a step's outcome (store, results so far, observer). */
async function recordResult<C>(
  run: RunContext<C>,
  step: IntegrationStep<C>,
  outcome: { status: StepStatus; items: number; startedAt: number; error: StepResult['error'] },
): Promise<void> {
  const { options, runId, now, results } = run;
  const finished = now();
  const result: StepResult = {
    id: step.id,
    name: step.name,
    status: outcome.status,
    items: outcome.items,
    durationMs: finished - outcome.startedAt,
    error: outcome.error,
  };
  results.set(step.id, result);
  await options.store.recordStep({
    runId,
    stepId: step.id,
    status: outcome.status,
    startedAt: new Date(outcome.startedAt).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    types: [...step.entityTypes, ...step.relationshipTypes],
    error: outcome.error,
  });
  options.observer?.stepFinished(result);
}

/** `success` when every step succeeded, `failure` when none reached anything (failed or skipped), else `partial`. */
function runStatus(steps: StepResult[]): SyncSummary['status'] {
  if (steps.every((s) => s.status === 'success')) return 'success';
  if (steps.every((s) => s.status === 'failure' || s.status === 'skipped')) return 'failure';
  return 'partial';
}

/**
 * Deletes by absence the (integration, type) pairs whose every declaring step succeeded, except
 * history types (declared by a step with `history: true`), which are never deleted by absence. The
 * signal is checked before each type: once the run is interrupted (or lost its lock) nothing more
 * is deleted, and false is returned.
 */
async function deleteAbsent<C>(run: RunContext<C>, steps: readonly IntegrationStep<C>[]): Promise<boolean> {
  const { options, runId, signal, results, tally } = run;
  const { store, integrationId } = options;
  const complete = (kind: GraphKind, type: string) => {
    const declaring = steps.filter((s) =>
      (kind === 'entity' ? s.entityTypes : s.relationshipTypes).includes(type),
    );
    return declaring.every((s) => s.history !== true && results.get(s.id)?.status === 'success');
  };
  const declared = new Set<string>();
  for (const step of steps) {
    for (const type of step.entityTypes) declared.add(`entity|${type}`);
    for (const type of step.relationshipTypes) declared.add(`relationship|${type}`);
  }
  for (const pair of declared) {
    const [kind, type] = pair.split('|') as [GraphKind, string];
    if (signal.aborted) return false;
    if (!complete(kind, type)) continue;
    tally.deleted(kind, type, await store.deleteUnseen(runId, integrationId, kind, type));
  }
  return true;
}

/** Seen-key bookkeeping of runs a crashed process left behind is of no further use. */
async function clearAbortedRuns(store: GraphStore, integrationId: string): Promise<void> {
  for (const run of await store.listRuns(integrationId, 20)) {
    if (run.status === 'aborted') await store.clearSeen(run.id);
  }
}

async function typeSummaries<C>(
  store: GraphStore,
  integrationId: string,
  steps: readonly IntegrationStep<C>[],
  changes: TypeChanges[],
): Promise<TypeSummary[]> {
  const totals = {
    entity: await store.countEntitiesByType(integrationId),
    relationship: await store.countRelationshipsByType(integrationId),
  };
  const summaries: TypeSummary[] = [];
  const add = (kind: GraphKind, type: string) => {
    if (summaries.some((s) => s.kind === kind && s.type === type)) return;
    const change = changes.find((c) => c.kind === kind && c.type === type);
    summaries.push({
      kind,
      type,
      total: totals[kind][type] ?? 0,
      created: change?.created ?? 0,
      updated: change?.updated ?? 0,
      deleted: change?.deleted ?? 0,
    });
  };
  for (const step of steps) {
    for (const type of step.entityTypes) add('entity', type);
    for (const type of step.relationshipTypes) add('relationship', type);
  }
  return summaries;
}
