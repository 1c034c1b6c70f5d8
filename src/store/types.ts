import type { Entity, Relationship, StoredEntity, StoredRelationship } from '../graph/types.ts';
import type { Query } from '../query/ast.ts';
import type { QueryOptions, QueryResult } from '../query/result.ts';
import type { AlertIntake, WebhookSecrets } from './roles/alerts.ts';
import type { ScheduledJobRecords } from './roles/jobs.ts';
import type { MonitorRecords } from './roles/monitors.ts';
import type { RuleRecords } from './roles/rules.ts';
import type { ValidationRecords } from './roles/validations.ts';

export type * from './roles/alerts.ts';
export type * from './roles/jobs.ts';
export type * from './roles/monitors.ts';
export type * from './roles/rules.ts';
export type * from './roles/validations.ts';

/**
 * `running` until the engine finishes it; `aborted` when its process died (set by the next holder
 * of the run lock); `interrupted` when it was asked to stop or lost its run lock, and stopped
 * between batches having deleted nothing.
 */
export type RunStatus = 'running' | 'success' | 'partial' | 'failure' | 'aborted' | 'interrupted';
/** `skipped`: not run because a step it depends on failed or was skipped. */
export type StepStatus = 'success' | 'failure' | 'partial' | 'skipped';
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

/** What an API token may do: viewer reads; operator also syncs, tests, validates; admin manages. */
export type ApiTokenRole = 'viewer' | 'operator' | 'admin';

/** An API token as stored: only the SHA-256 of the token (hex), never the token itself. */
export interface ApiTokenRecord {
  id: string;
  name: string;
  role: ApiTokenRole;
  hash: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The API token rows (role interface): hashed bearer tokens with a role, revocable, never deleted. */
export interface ApiTokenRecords {
  /** Stores a new token; INPUT_INVALID when its name (in any case), id or hash is taken. */
  insertApiToken(record: ApiTokenRecord): Promise<void>;
  /** The token with this hash, revoked or not, or undefined. */
  findApiTokenByHash(hash: string): Promise<ApiTokenRecord | undefined>;
  /** Every token, revoked ones included, ordered by name. */
  listApiTokens(): Promise<ApiTokenRecord[]>;
  /**
   * Revokes the unrevoked token named `name` (any case) at `at` and returns it revoked; NOT_FOUND
   * when there is no such token or it was already revoked.
   */
  revokeApiToken(name: string, at: string): Promise<ApiTokenRecord>;
  /** Records a use of the token at `at` (no-op for an unknown id). */
  touchApiToken(id: string, at: string): Promise<void>;
}

/**
 * The exclusive right to sync one integration, held by one run at a time across every process
 * sharing the database. Released when the holder ends it or its process dies.
 */
export interface RunLock {
  /**
   * Aborts when the lock is lost while held (PostgreSQL: its connection failed; SQLite: its lease
   * expired and another process took it over). The holder must then stop writing.
   */
  readonly signal: AbortSignal;
  /** Gives the lock up; harmless when called again or after the lock was lost. */
  release(): Promise<void>;
}

/**
 * Writes one integration's graph rows for a run (the sync engine). Writes are set-based batches;
 * a row whose content hash is unchanged is not rewritten. Text is stored sanitized: NUL characters
 * are removed and lone UTF-16 surrogates become U+FFFD, in keys, names, properties and raw data,
 * on both back ends alike; content hashes are of the sanitized form.
 */
export interface GraphWriter {
  /**
   * Upserts entities of one integration in one transaction: new keys are created, keys whose
   * content hash differs are updated, unchanged ones are not written. Every key is marked seen
   * by the run (for delete-by-absence). Duplicate keys within or across batches of a run are
   * fine (last write wins, counted once). The counts are added to the run's change log in the
   * same transaction, so a run that dies later still shows what it wrote. Returns counts per type.
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
}

/** Reads the graph (query, coverage, export, the CLI's lookups). */
export interface GraphReader {
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
}

/** The history of sync runs: their lock, records, steps and change logs. */
export interface RunLog {
  /**
   * Takes the run lock of an integration, or returns undefined at once when another run holds it
   * (in this process or another). On SQLite a lock whose lease expired, or whose holder is a dead
   * process on this host, is taken over.
   */
  acquireRunLock(integrationId: string): Promise<RunLock | undefined>;
  /**
   * Starts a run. Call it holding the integration's run lock; every earlier run of the integration
   * still `running` then belongs to a dead process, so it becomes `aborted` and its seen-key
   * bookkeeping is dropped (the rows it wrote stay).
   */
  createRun(integrationId: string, startedAt: string): Promise<string>;
  finishRun(runId: string, status: RunStatus, finishedAt: string, summary: unknown): Promise<void>;
  recordStep(step: StepRecord): Promise<void>;
  /** Sets the run's change-log rows for these (kind, type) pairs, replacing what was there. */
  recordChanges(runId: string, changes: TypeChanges[]): Promise<void>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  listRuns(integrationId?: string, limit?: number): Promise<RunRecord[]>;
  listSteps(runId: string): Promise<StepRecord[]>;
  listChanges(runId: string): Promise<TypeChanges[]>;
}

/** The integration registry's records (configuration and sealed secrets). */
export interface IntegrationRecords {
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

/** What the database says of its secret key (see src/integrations/secrets.ts). */
export interface SecretKeyState {
  /** The fingerprint of the key its secrets are sealed with, once recorded. */
  fingerprint?: string;
  /** Whether it holds any sealed secret (integration secrets, webhook secrets). */
  holdsSecrets: boolean;
}

/** The database's record of its secret key: a fingerprint, never the key. */
export interface SecretKeyRecords {
  secretKeyState(): Promise<SecretKeyState>;
  /** Records the fingerprint unless one is recorded; returns the recorded one (the first wins). */
  recordSecretKeyFingerprint(fingerprint: string): Promise<string>;
}

/**
 * The graph store: the only module that speaks SQL. One interface, two back ends (SQLite
 * embedded default, PostgreSQL for scale-out), composed of the roles above so that a reader can
 * depend on the narrow role it uses. Every failure of the database is `STORE_ERROR`.
 */
export interface GraphStore
  extends GraphWriter,
    SecretKeyRecords,
    GraphReader,
    RunLog,
    IntegrationRecords,
    ScheduledJobRecords,
    ApiTokenRecords,
    AlertIntake,
    WebhookSecrets,
    RuleRecords,
    ValidationRecords,
    MonitorRecords {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending numbered migrations (idempotent). */
  migrate(): Promise<void>;
  /**
   * For a long-running process (`vigil serve`): on SQLite, WAL checkpoints run from now on in a
   * worker thread with a connection of its own, so the event loop never stalls on one inside a
   * commit; nothing to do on PostgreSQL. It ends with `close`.
   */
  checkpointInBackground(): void;
  close(): Promise<void>;
}
