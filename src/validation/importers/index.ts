import type { AttackCatalogue } from '../../attack/catalogue.ts';
import { VigilError } from '../../errors.ts';
import { assertValidationSize } from '../action.ts';
import { importAtomicCsv, importAttire } from './atomic.ts';
import { importCalderaEventLogs, importCalderaReport } from './caldera.ts';
import { type ImportResult, parseJsonFile } from './common.ts';

export type { ImportFormat, ImportResult, SkippedRecord } from './common.ts';

/**
 * Reads an execution log into actions (source `import`), recognising the format by its content:
 * a JSON object with `procedures` is ATTiRe (Invoke-AtomicRedTeam), a JSON array is a Caldera
 * event log, a JSON object with `steps` and `host_group` is a Caldera operation report, and text
 * whose header has `Execution Time (UTC)` is Invoke-AtomicRedTeam's CSV. `source` (the file name)
 * prefixes every error. Anything else, or a bad record, → INPUT_INVALID naming the record and
 * field; more actions than one validation holds → VALIDATION_TOO_LARGE.
 */
export function importExecutionLog(text: string, source: string, catalogue: AttackCatalogue): ImportResult {
  const result = importByContent(text, source, catalogue);
  assertValidationSize(result.actions.length);
  return result;
}

function importByContent(text: string, source: string, catalogue: AttackCatalogue): ImportResult {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (!start.startsWith('{') && !start.startsWith('[')) {
    if (start.split(/\r?\n/, 1)[0]?.includes('Execution Time (UTC)'))
      return importAtomicCsv(text, source, catalogue);
    throw unrecognised(source);
  }
  const json = parseJsonFile(text, source);
  if (Array.isArray(json)) return importCalderaEventLogs(json, source, catalogue);
  if (typeof json !== 'object' || json === null) throw unrecognised(source);
  const object = json as Record<string, unknown>;
  if ('procedures' in object) return importAttire(object, source, catalogue);
  if ('steps' in object && 'host_group' in object) return importCalderaReport(object, source, catalogue);
  throw unrecognised(source);
}

function unrecognised(source: string): VigilError {
  return new VigilError('INPUT_INVALID', `${source}: not an execution log Vigil can read.`, {
    hint: "Give Invoke-AtomicRedTeam's CSV or ATTiRe JSON execution log, or a Caldera operation's event log or report (JSON).",
  });
}
