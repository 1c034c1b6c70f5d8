import type { Logger } from 'pino';
import { toVigilError, VigilError } from '../errors.ts';
import type { Entity, Relationship } from '../graph/types.ts';
import type { GraphKind, GraphStore, StepStatus, TypeChanges, WriteCounts } from '../store/types.ts';
import { orderSteps } from './step-order.ts';
import type { IntegrationStep, StepResult, SyncObserver, SyncSummary, TypeSummary } from './types.ts';

export interface SyncOptions<C> {
  store: GraphStore;
  integrationId: string;
  steps: readonly IntegrationStep<C>[];
  client: C;
  now?: () => number;
  logger?: Logger;
  observer?: SyncObserver;
}

/** Accumulates created/updated counts per (kind, type) across a run. */
class ChangeTally {
  private readonly rows = new Map<string, TypeChanges>();

  add(kind: GraphKind, counts: WriteCounts): void {
    for (const [type, { created, updated }] of Object.entries(counts)) {
      const row = this.row(kind, type);
      row.created += created;
      row.updated += updated;
    }
  }

  deleted(kind: GraphKind, type: string, count: number): void {
    this.row(kind, type).deleted += count;
  }

  all(): TypeChanges[] {
    return [...this.rows.values()];
  }

  private row(kind: GraphKind, type: string): TypeChanges {
    const key = `${kind}:${type}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { kind, type, created: 0, updated: 0, deleted: 0 };
      this.rows.set(key, row);
    }
    return row;
  }
}

/** Items buffered per kind before one store write: fewer, larger transactions cost far less I/O. */
const FLUSH_AT = 5_000;

/**
 * The step's writer: checks every item's type against the step's declaration, and buffers
 * batches so the store sees few large transactions instead of one per vendor page.
 */
class BufferedWriter {
  private readonly pending = { entity: [] as Entity[], relationship: [] as Relationship[] };

  constructor(
    private readonly step: IntegrationStep<unknown>,
    private readonly write: (kind: GraphKind, batch: Entity[] | Relationship[]) => Promise<void>,
  ) {}

  async entities(batch: Entity[]): Promise<void> {
    assertDeclared(this.step, this.step.entityTypes, batch, 'entity');
    this.pending.entity.push(...batch);
    if (this.pending.entity.length >= FLUSH_AT) await this.flushKind('entity');
  }

  async relationships(batch: Relationship[]): Promise<void> {
    assertDeclared(this.step, this.step.relationshipTypes, batch, 'relationship');
    this.pending.relationship.push(...batch);
    if (this.pending.relationship.length >= FLUSH_AT) await this.flushKind('relationship');
  }

  /** Writes whatever is buffered (entities first, so relationship targets exist). */
  async flush(): Promise<void> {
    await this.flushKind('entity');
    await this.flushKind('relationship');
  }

  private async flushKind(kind: GraphKind): Promise<void> {
    const batch = this.pending[kind];
    if (batch.length === 0) return;
    this.pending[kind] = [];
    await this.write(kind, batch);
  }
}

function assertDeclared(
  step: { id: string },
  declared: readonly string[],
  written: Iterable<{ _type: string }>,
  kind: GraphKind,
): void {
  for (const item of written) {
    if (!declared.includes(item._type)) {
      throw new VigilError(
        'INTERNAL_ERROR',
        `Step ${step.id} wrote ${kind} type ${item._type}, which it does not declare.`,
      );
    }
  }
}

/**
 * Runs an integration's steps against the store (C8). Each step streams batches to the store as
 * it goes and ends `success`, `failure`, or `partial` (a dependency did not fully succeed). Only
 * types whose every declaring step fully succeeded are deleted by absence; the types of any
 * other step are a partial dataset and keep what the graph had. A crash leaves the run
 * `running` (the next run marks it `aborted`) and deletes nothing.
 */
export async function runSync<C>(options: SyncOptions<C>): Promise<SyncSummary> {
  const { store, integrationId, client, logger, observer } = options;
  const now = options.now ?? Date.now;
  const steps = orderSteps(options.steps);
  const started = now();
  const startedAt = new Date(started).toISOString();
  const runId = await store.createRun(integrationId, startedAt);
  await clearAbortedRuns(store, integrationId);
  const tally = new ChangeTally();
  const results = new Map<string, StepResult>();

  for (const [index, step] of steps.entries()) {
    observer?.stepStarted(step, index, steps.length);
    const stepStarted = now();
    let items = 0;
    const writer = new BufferedWriter(step, async (kind, batch) => {
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
        progress: (n) => {
          items += n;
          observer?.stepProgress(step, items);
        },
      });
      await writer.flush();
    } catch (thrown) {
      // What the step produced before it failed still goes to the store (its types are not deleted).
      await writer.flush().catch(() => undefined);
      const coded = toVigilError(thrown);
      error = { code: coded.code, message: coded.message };
      logger?.warn({ step: step.id, code: coded.code, err: coded.message }, 'step failed');
    }
    const dependencyIncomplete = step.dependsOn.some((d) => results.get(d)?.status !== 'success');
    const status: StepStatus = error ? 'failure' : dependencyIncomplete ? 'partial' : 'success';
    const result: StepResult = {
      id: step.id,
      name: step.name,
      status,
      items,
      durationMs: now() - stepStarted,
      error,
    };
    results.set(step.id, result);
    await store.recordStep({
      runId,
      stepId: step.id,
      status,
      startedAt: new Date(stepStarted).toISOString(),
      finishedAt: new Date(now()).toISOString(),
      types: [...step.entityTypes, ...step.relationshipTypes],
      error,
    });
    observer?.stepFinished(result);
  }

  await deleteAbsent(store, runId, integrationId, steps, results, tally);
  const changes = tally.all();
  await store.recordChanges(runId, changes);
  await store.clearSeen(runId);
  const stepResults = steps.map((s) => results.get(s.id)).filter((r): r is StepResult => r !== undefined);
  const status = runStatus(stepResults);
  const finished = now();
  const summary: SyncSummary = {
    runId,
    integrationId,
    status,
    startedAt,
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    steps: stepResults,
    types: await typeSummaries(store, integrationId, steps, changes),
  };
  await store.finishRun(runId, status, summary.finishedAt, summary);
  return summary;
}

function runStatus(steps: StepResult[]): SyncSummary['status'] {
  if (steps.every((s) => s.status === 'success')) return 'success';
  if (steps.every((s) => s.status === 'failure')) return 'failure';
  return 'partial';
}

/** Deletes by absence the (integration, type) pairs whose every declaring step succeeded. */
async function deleteAbsent<C>(
  store: GraphStore,
  runId: string,
  integrationId: string,
  steps: readonly IntegrationStep<C>[],
  results: Map<string, StepResult>,
  tally: ChangeTally,
): Promise<void> {
  const complete = (kind: GraphKind, type: string) =>
    steps
      .filter((s) => (kind === 'entity' ? s.entityTypes : s.relationshipTypes).includes(type))
      .every((s) => results.get(s.id)?.status === 'success');
  const declared = new Set<string>();
  for (const step of steps) {
    for (const type of step.entityTypes) declared.add(`entity|${type}`);
    for (const type of step.relationshipTypes) declared.add(`relationship|${type}`);
  }
  for (const pair of declared) {
    const [kind, type] = pair.split('|') as [GraphKind, string];
    if (!complete(kind, type)) continue;
    tally.deleted(kind, type, await store.deleteUnseen(runId, integrationId, kind, type));
  }
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
