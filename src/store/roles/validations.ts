import type { Entity } from '../../graph/types.ts';

/* The role of detection validation: validations, their actions, poll progress and verdicts. */

/** A validation as stored (C14); `passRules` and `settings` are JSON the application parses. */
export interface ValidationRecord {
  id: string;
  integrationId: string;
  name: string;
  createdAt: string;
  /** `running` until every action has its verdict, then `complete`. */
  status: 'running' | 'complete';
  passRules: unknown;
  /** The window settings and correlation options frozen at creation. */
  settings: unknown;
}

/** A validation with how far it got, as lists show it. */
export interface ValidationSummary extends ValidationRecord {
  actions: number;
  verdicts: number;
}

/** The next poll of an action's schedule (null once every poll is done). */
export interface NextPollRecord {
  index: number;
  at: string;
}

/** One action of a validation as stored: the action (JSON), its poll progress and its verdict. */
export interface ValidationActionRecord {
  validationId: string;
  actionId: string;
  position: number;
  technique: string;
  action: unknown;
  donePolls: number[];
  nextPoll: NextPollRecord | null;
  /** The evidence pool's snapshot (`EvidencePool.snapshot()`). */
  pool: unknown;
  verdict: string | null;
  /** Evidence, pass rule and result, once correlated. */
  correlation: unknown;
  /** The suspicious events, when the integration saves them; else null. */
  suspicious: unknown;
  correlatedAt: string | null;
}

/** What one finished poll stores; `verdict` only with the last poll. */
export interface ValidationPollUpdate {
  index: number;
  donePolls: number[];
  nextPoll: NextPollRecord | null;
  pool: unknown;
  verdict?: {
    verdict: string;
    correlation: unknown;
    suspicious: unknown;
    at: string;
    /** `network_device` entities discovered, written under `owner` (never another's keys). */
    devices: { owner: string; entities: Entity[] };
  };
}

/** A poll the job runtime should schedule. */
export interface PendingPollRecord {
  validationId: string;
  actionId: string;
  index: number;
  at: string;
}

/** Which latest verdicts to read: of these technique ids only (default all), of one integration's validations only. */
export interface LatestVerdictFilter {
  techniques?: readonly string[] | undefined;
  integrationId?: string | undefined;
}

/**
 * The latest verdict of one technique: of every action of that technique with a verdict, the one
 * whose verdict is newest (`verdictAt`, when its last poll ran), ties broken by the newer
 * validation, then the later action. `verdict` as stored (`Prevented`, `Alerted`, …).
 */
export interface LatestVerdictRecord {
  technique: string;
  verdict: string;
  verdictAt: string;
  validationId: string;
  actionId: string;
  integrationId: string;
  /** Pass rule, result and evidence (alert ids, event ids, the fields that matched). */
  correlation: unknown;
}

/** Detection validations (role interface): their actions, poll progress, evidence and verdicts. */
export interface ValidationRecords {
  /** Inserts a validation with its actions (each with its first poll) in one transaction. */
  insertValidation(
    record: ValidationRecord,
    actions: Array<{ actionId: string; technique: string; action: unknown; nextPoll: NextPollRecord }>,
  ): Promise<void>;
  /** The newest validations first, with their action and verdict counts. */
  listValidations(limit: number): Promise<ValidationSummary[]>;
  getValidation(id: string): Promise<ValidationRecord | undefined>;
  /** A validation's actions in the order they were given. */
  listValidationActions(validationId: string): Promise<ValidationActionRecord[]>;
  getValidationAction(validationId: string, actionId: string): Promise<ValidationActionRecord | undefined>;
  /** The next poll of every action still without a verdict, earliest first. */
  listPendingPolls(): Promise<PendingPollRecord[]>;
  /**
   * Records a finished poll in one transaction: progress and pool, and with the last poll the
   * verdict, the discovered devices and (when every action has one) the validation's status.
   * False, and nothing written, when the poll was already recorded (a second run of it).
   */
  recordValidationPoll(
    validationId: string,
    actionId: string,
    update: ValidationPollUpdate,
  ): Promise<boolean>;
  /** The latest verdict per technique id (see `LatestVerdictRecord`), sorted by technique id. */
  latestVerdicts(filter?: LatestVerdictFilter): Promise<LatestVerdictRecord[]>;
}
