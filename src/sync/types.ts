import type { Logger } from 'pino';
import type { Entity, Relationship } from '../graph/types.ts';
import type { GraphKind, RunStatus, StepStatus } from '../store/types.ts';

/** Where a step sends what it produced; batches go to the store as they come. */
export interface StepWriter {
  entities(batch: Entity[]): Promise<void>;
  relationships(batch: Relationship[]): Promise<void>;
}

export interface StepContext<C> {
  client: C;
  writer: StepWriter;
  now: () => number;
  logger: Logger | undefined;
  /** Reports more items processed (for progress display). */
  progress(items: number): void;
  /**
   * Aborts when the run is asked to stop or loses its run lock. Writes then fail on their own;
   * a step may also hand it to long vendor calls so that it stops sooner.
   */
  signal: AbortSignal;
}

/**
 * One unit of a sync (JupiterOne SDK style): it declares the entity and relationship types it
 * writes and the steps it depends on. A step that writes a type it did not declare fails.
 * A step whose data is history (`history: true`, e.g. alerts read over a time window) declares
 * types that are never deleted by absence: a row the run did not see is kept, because a window
 * or a feed that only shows recent items says nothing about older ones.
 */
export interface IntegrationStep<C> {
  id: string;
  name: string;
  entityTypes: readonly string[];
  relationshipTypes: readonly string[];
  dependsOn: readonly string[];
  /** True when the step's types are history: the engine never deletes them by absence. */
  history?: boolean;
  execute(context: StepContext<C>): Promise<void>;
}

export interface StepResult {
  id: string;
  name: string;
  /** `partial`: the step ran but a dependency did not fully succeed, so its types are a partial dataset. */
  status: StepStatus;
  items: number;
  durationMs: number;
  /** What failed; `hint`, when the error had one, says what to do (the CLI prints it). */
  error: { code: string; message: string; hint?: string } | null;
}

/** Per type: rows after the run, and what the run created, updated and deleted. */
export interface TypeSummary {
  kind: GraphKind;
  type: string;
  total: number;
  created: number;
  updated: number;
  deleted: number;
}

export interface SyncSummary {
  runId: string;
  integrationId: string;
  /** How a run that reached its end went (an interrupted run throws SYNC_INTERRUPTED instead). */
  status: Exclude<RunStatus, 'running' | 'aborted' | 'interrupted'>;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  steps: StepResult[];
  types: TypeSummary[];
}

/** Receives progress as a sync runs (the CLI draws it; tests may record it). */
export interface SyncObserver {
  stepStarted(step: { id: string; name: string }, index: number, count: number): void;
  stepProgress(step: { id: string; name: string }, items: number): void;
  stepFinished(result: StepResult): void;
  /** Given before the first step: reads the client's request counters (a display shows them live). */
  clientCounters?(read: () => Record<string, number>): void;
}
