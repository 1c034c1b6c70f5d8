import type { AttackCatalogue } from '../../attack/catalogue.ts';
import { VigilError } from '../../errors.ts';
import {
  type ActionDraft,
  actionFromDraft,
  type ImportResult,
  integerOf,
  invalid,
  outcomeOfExit,
  stringOf,
  type VendorFieldNames,
} from './common.ts';
import { parseCsv } from './csv.ts';

/**
 * Invoke-AtomicRedTeam execution logs (redcanaryco/invoke-atomicredteam):
 * - CSV from `Public/Default-ExecutionLogger.psm1`: one row per test run with the columns
 *   `Execution Time (UTC)`, `Execution Time (Local)`, `Technique`, `Test Number`, `Test Name`,
 *   `Hostname`, `IP Address`, `Username`, `GUID`, `ProcessId`, `ExitCode`. It records no command
 *   line, so the process id is what ties events to the run.
 * - ATTiRe JSON from `Public/Attire-ExecutionLogger.psm1`: `execution-data.target` (`host`, `ip`,
 *   `user`) and `procedures[]` (`mitre-technique-id`, `procedure-id.id`) each with `steps[]`
 *   (`time-start`, `time-stop`, `command`, `process-id`, `exit-code`, `is-timeout`); one action
 *   per step.
 * Exit code 0 (or none) → `ran`; another exit code or a timeout → `failed`. Neither log says
 * whether a control blocked a test, so imported tests are never `blocked`.
 */

const csvColumns = {
  technique: 'Technique',
  hostname: 'Hostname',
  startedAt: 'Execution Time (UTC)',
  endedAt: 'Execution Time (UTC)',
  commandLine: 'command line (not in this log)',
  processId: 'ProcessId',
} satisfies VendorFieldNames;

export function importAtomicCsv(text: string, source: string, catalogue: AttackCatalogue): ImportResult {
  const { header, records } = parseCsv(text, source);
  for (const column of [
    csvColumns.startedAt,
    csvColumns.technique,
    csvColumns.hostname,
    csvColumns.processId,
  ]) {
    if (!header.includes(column)) {
      throw new VigilError('INPUT_INVALID', `${source}: the header has no "${column}" column.`, {
        hint: 'Give an execution log written by Invoke-AtomicTest -LoggingModule "Default-ExecutionLogger".',
      });
    }
  }
  const actions = records.map(({ line, fields }) => {
    const where = `line ${line}`;
    const time = fields[csvColumns.startedAt] ?? '';
    const processId = integerOf(fields[csvColumns.processId]);
    if (processId === undefined) {
      throw invalid(
        source,
        where,
        csvColumns.processId,
        `"${fields[csvColumns.processId] ?? ''}" is not a process id`,
      );
    }
    const draft: ActionDraft = {
      where,
      identity: [String(line), fields.GUID ?? '', time, fields.Hostname ?? ''],
      technique: fields[csvColumns.technique],
      hostname: fields[csvColumns.hostname],
      ips: [fields['IP Address'] ?? ''],
      commandLine: undefined,
      processId,
      startedAt: time,
      endedAt: undefined,
      outcome: outcomeOfExit(integerOf(fields.ExitCode)),
    };
    return actionFromDraft(draft, csvColumns, source, 'atomic-csv', catalogue);
  });
  return { format: 'atomic-csv', actions, skipped: [] };
}

const attireFields = {
  technique: 'mitre-technique-id',
  hostname: 'execution-data.target.host',
  startedAt: 'time-start',
  endedAt: 'time-stop',
  commandLine: 'command',
  processId: 'process-id',
} satisfies VendorFieldNames;

export function importAttire(
  log: Record<string, unknown>,
  source: string,
  catalogue: AttackCatalogue,
): ImportResult {
  const execution = objectOf(log['execution-data']);
  const target = objectOf(execution.target);
  const host = hostValue(target.host);
  const ip = stringOf(target.ip);
  const executionId = stringOf(execution['execution-id']) ?? '';
  if (!Array.isArray(log.procedures)) throw invalid(source, 'top level', 'procedures', 'must be an array');
  const actions = log.procedures.flatMap((procedureValue, p) => {
    const procedure = objectOf(procedureValue);
    const steps = procedure.steps;
    if (!Array.isArray(steps)) throw invalid(source, `procedures[${p}]`, 'steps', 'must be an array');
    return steps.map((stepValue, s) => {
      const step = objectOf(stepValue);
      const draft: ActionDraft = {
        where: `procedures[${p}].steps[${s}]`,
        identity: [executionId, String(p), String(s), stringOf(step['time-start']) ?? ''],
        technique: stringOf(procedure['mitre-technique-id']),
        hostname: host,
        ips: ip === undefined ? [] : [ip],
        commandLine: stringOf(step.command),
        processId: integerOf(step['process-id']),
        startedAt: attireTime(step['time-start']),
        endedAt: attireTime(step['time-stop']),
        outcome: outcomeOfExit(integerOf(step['exit-code']), step['is-timeout'] === true),
      };
      return actionFromDraft(draft, attireFields, source, 'atomic-attire', catalogue);
    });
  });
  return { format: 'atomic-attire', actions, skipped: [] };
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The logger stores a host as a string, or (PowerShell objects) as `{value}`. */
function hostValue(value: unknown): string | undefined {
  return stringOf(value) ?? stringOf(objectOf(value).value);
}

/** ATTiRe times are `%Y-%m-%dT%H:%M:%S.000Z`, possibly with the `+` of the PowerShell UFormat kept. */
function attireTime(value: unknown): string | undefined {
  return stringOf(value)?.replace(/^\+/, '');
}
