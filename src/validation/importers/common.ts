import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { AttackCatalogue } from '../../attack/catalogue.ts';
import { VigilError } from '../../errors.ts';
import { type Action, actionSchema, type ExecutorOutcome } from '../action.ts';

/** The formats `importExecutionLog` reads. */
export type ImportFormat = 'atomic-csv' | 'atomic-attire' | 'caldera-event-logs' | 'caldera-report';

/** A record of the log that is not an action (it never ran), and why. */
export interface SkippedRecord {
  where: string;
  reason: string;
}

export interface ImportResult {
  format: ImportFormat;
  actions: Action[];
  skipped: SkippedRecord[];
}

/** What an importer read from one record, before validation; `where` locates it in the file. */
export interface ActionDraft {
  where: string;
  /** The parts that identify the record, so re-importing the same file yields the same ids. */
  identity: string[];
  technique: string | undefined;
  hostname: string | undefined;
  ips: string[];
  commandLine: string | undefined;
  processId: number | undefined;
  startedAt: string | undefined;
  endedAt: string | undefined;
  outcome: ExecutorOutcome;
}

/** The vendor's name of each draft field, used in error messages. */
export type VendorFieldNames = Record<
  'technique' | 'hostname' | 'startedAt' | 'endedAt' | 'commandLine' | 'processId',
  string
>;

export function invalid(source: string, where: string, field: string, problem: string): VigilError {
  return new VigilError('INPUT_INVALID', `${source}, ${where}, ${field}: ${problem}`);
}

/**
 * Turns a draft into an action (source `import`): the technique must be in the catalogue, the
 * host and start time present, and the action valid — else INPUT_INVALID naming the file, the
 * record and the vendor's field.
 */
export function actionFromDraft(
  draft: ActionDraft,
  names: VendorFieldNames,
  source: string,
  format: ImportFormat,
  catalogue: AttackCatalogue,
): Action {
  const technique = draft.technique?.trim().toUpperCase();
  if (!technique) throw invalid(source, draft.where, names.technique, 'missing');
  if (catalogue.get(technique) === undefined) {
    throw invalid(source, draft.where, names.technique, `${technique} is not in the ATT&CK catalogue`);
  }
  if (!draft.hostname?.trim()) throw invalid(source, draft.where, names.hostname, 'missing');
  const parsed = actionSchema.safeParse({
    id: `${format}:${createHash('sha256').update(draft.identity.join('\u0000')).digest('hex').slice(0, 20)}`,
    technique,
    target: { hostname: draft.hostname.trim(), ips: draft.ips.filter((ip) => isIP(ip) !== 0), ports: [] },
    ...defined({ commandLine: draft.commandLine?.trim() || undefined, processId: draft.processId }),
    startedAt: draft.startedAt,
    ...defined({ endedAt: draft.endedAt }),
    outcome: draft.outcome,
    source: 'import',
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = issue?.path[0];
  // A whole-action problem is the missing identity (neither command line nor process id).
  const field =
    key === undefined
      ? `${names.commandLine} / ${names.processId}`
      : key in names
        ? names[key as keyof VendorFieldNames]
        : String(key);
  throw invalid(source, draft.where, field, issue?.message ?? 'invalid');
}

/** Exit status → outcome: 0 (or unknown) ran; anything else, or a timeout, failed. */
export function outcomeOfExit(exitCode: number | undefined, timedOut = false): ExecutorOutcome {
  return timedOut || (exitCode !== undefined && exitCode !== 0) ? 'failed' : 'ran';
}

/** A number from a JSON number or a numeric string; undefined for empty, null or absent. */
export function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** A string when the value is a non-empty string, else undefined. */
export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Parses JSON or throws INPUT_INVALID naming the file and the position. */
export function parseJsonFile(text: string, source: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new VigilError('INPUT_INVALID', `${source}: not valid JSON (${detail}).`);
  }
}
