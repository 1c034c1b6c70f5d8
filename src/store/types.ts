import type { Entity, Relationship, StoredEntity, StoredRelationship } from '../graph/types.ts';
import type { Query } from '../query/ast.ts';
import type { QueryOptions, QueryResult } from '../query/result.ts';

export type RunStatus = 'running' | 'success' | 'partial' | 'failure' | 'aborted';
export type StepStatus = 'success' | 'failure' | 'partial';
export type GraphKind = 'entity' | 'relationship';

/** Created / updated counts of one write, per `_type`. */
export type WriteCounts = Record<string, { created: number; updated: number }>;

/** The change log of a run: one row per (kind, type). */
export interface TypeChanges {
  kind: GraphKind;
  type: string;
  created: number;
  updated: number;
  deleted: number;
}

export interface RunRecord {
  id: string;
  integrationId: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  /** Free-form JSON summary (requests, retries, duration …), re-validated by readers. */
  summary: unknown;
}

export interface StepRecord {
  runId: string;
  stepId: string;
  status: StepStatus;
  startedAt: string;
  finishedAt: string;
  /** Entity and relationship types the step declares. */
  types: string[];
  error: { code: string; message: string } | null;
}

/**
 * An integration as the registry stores it. `config` is JSON the registry re-validates when it
 * reads it back; `secrets` maps a secret's name to its sealed value (never plaintext).
 */
export interface IntegrationRecord {
  id: string;
  name: string;
  kind: string;
  config: unknown;
  secrets: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/** What an update of an integration replaces (its id, name, kind and creation time stay). */
export interface IntegrationUpdate {
  config: unknown;
  secrets: Record<string, string>;
  updatedAt: string;
}

/**
 * The graph store: the only module that speaks SQL. One interface, two back ends (SQLite
 * embedded default, PostgreSQL for scale-out). Writes are set-based batches; a row whose
 * content hash is unchanged is not rewritten.
 */
export interface GraphStore {
  readonly dialect: 'sqlite' | 'postgres';

  /** Applies pending numbered migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Starts a run; any earlier run of the integration still `running` (a crashed process) becomes `aborted`. */
  createRun(integrationId: string, startedAt: string): Promise<string>;
  finishRun(runId: string, status: RunStatus, finishedAt: string, summary: unknown): Promise<void>;
  recordStep(step: StepRecord): Promise<void>;
  recordChanges(runId: string, changes: TypeChanges[]): Promise<void>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  listRuns(integrationId?: string, limit?: number): Promise<RunRecord[]>;
  listSteps(runId: string): Promise<StepRecord[]>;
  listChanges(runId: string): Promise<TypeChanges[]>;

  /**
   * Upserts entities of one integration in one transaction: new keys are created, keys whose
   * content hash differs are updated, unchanged ones are not written. Every key is marked seen
   * by the run (for delete-by-absence). Duplicate keys within or across batches of a run are
   * fine (last write wins, counted once). Returns counts per type.
   */
  writeEntities(runId: string, integrationId: string, entities: Entity[], at: string): Promise<WriteCounts>;
  /** The same for relationships. */
  writeRelationships(
    runId: string,
    integrationId: string,
    relationships: Relationship[],
    at: string,
  ): Promise<WriteCounts>;
  /**
   * Deletes this integration's rows of `type` that the run did not see; returns how many.
   * Called only for (integration, type) pairs whose step fully succeeded.
   */
  deleteUnseen(runId: string, integrationId: string, kind: GraphKind, type: string): Promise<number>;
  /** Drops the run's seen-key bookkeeping (after deletes, or when a run ends). */
  clearSeen(runId: string): Promise<void>;

  countEntitiesByType(integrationId?: string): Promise<Record<string, number>>;
  countRelationshipsByType(integrationId?: string): Promise<Record<string, number>>;
  getEntity(key: string): Promise<StoredEntity | undefined>;
  /** Entities of a `_type` (optionally with a display name, case-insensitive), ordered by display name; default limit 1000. */
  listEntities(filter: {
    type: string;
    displayName?: string;
    limit?: number;
    offset?: number;
  }): Promise<StoredEntity[]>;
  getRelationship(key: string): Promise<StoredRelationship | undefined>;
  /** Relationships touching an entity (either direction). */
  relationshipsOf(key: string): Promise<StoredRelationship[]>;
  /** Runs a parsed J1QL query as one SQL statement (src/store/query/); see QueryResult for its semantics. */
  query(query: Query, options?: QueryOptions): Promise<QueryResult>;

  /** Stores a new integration; INPUT_INVALID when its name (in any case) or id is taken. */
  insertIntegration(record: IntegrationRecord): Promise<void>;
  /** Replaces an integration's config and sealed secrets; NOT_FOUND when the id does not exist. */
  updateIntegration(id: string, update: IntegrationUpdate): Promise<void>;
  /** The integration with this id, else with this name (case-insensitive), or undefined. */
  findIntegration(reference: string): Promise<IntegrationRecord | undefined>;
  /** Every integration, ordered by name. */
  listIntegrations(): Promise<IntegrationRecord[]>;
  /** Deletes an integration and its sealed secrets; false when there was none. Graph rows and runs stay. */
  deleteIntegration(id: string): Promise<boolean>;
}
