import type { ValidationActionRecord, ValidationRecord } from '../store/types.ts';
import { type Action, actionSchema } from '../validation/action.ts';
import { pollCount, pollWindow } from '../validation/window.ts';
import { validationSettingsSchema } from './validation-poll.ts';

/** One action of a validation report: the action, how far its polls got, and its verdict. */
export interface ActionReport {
  action: Action;
  progress: {
    pollsDone: number;
    polls: number;
    /** When the next poll is due (null once every poll is done). */
    nextPollAt: string | null;
    /** The windows searched so far, in Vigil's time. */
    windowsSearched: Array<{ index: number; from: string; until: string }>;
  };
  /** Null until the last poll has run. */
  verdict: string | null;
  /** Pass rule, result and evidence (alert ids, event ids, the fields that matched). */
  correlation: unknown;
  /** Null unless the integration saves suspicious events. */
  suspicious: unknown;
  correlatedAt: string | null;
}

export interface ValidationReport {
  id: string;
  name: string;
  integration: { id: string; name: string | null };
  createdAt: string;
  status: ValidationRecord['status'];
  passRules: unknown;
  settings: unknown;
  /** Verdict counts over the actions that have one. */
  verdicts: Record<string, number>;
  actions: ActionReport[];
}

/** Shapes a stored validation and its actions into the report `vigil validate show` prints. */
export function describeValidation(
  validation: ValidationRecord,
  integrationName: string | null,
  rows: readonly ValidationActionRecord[],
): ValidationReport {
  const { window } = validationSettingsSchema.parse(validation.settings);
  const verdicts: Record<string, number> = {};
  const actions = rows.map((row): ActionReport => {
    const action = actionSchema.parse(row.action);
    if (row.verdict !== null) verdicts[row.verdict] = (verdicts[row.verdict] ?? 0) + 1;
    const startMs = Date.parse(action.startedAt);
    return {
      action,
      progress: {
        pollsDone: row.donePolls.length,
        polls: pollCount(window),
        nextPollAt: row.nextPoll?.at ?? null,
        windowsSearched: row.donePolls.map((index) => {
          const poll = pollWindow(startMs, window, index);
          return { index, from: poll.from.toISOString(), until: poll.until.toISOString() };
        }),
      },
      verdict: row.verdict,
      correlation: row.correlation,
      suspicious: row.suspicious,
      correlatedAt: row.correlatedAt,
    };
  });
  return {
    id: validation.id,
    name: validation.name,
    integration: { id: validation.integrationId, name: integrationName },
    createdAt: validation.createdAt,
    status: validation.status,
    passRules: validation.passRules,
    settings: validation.settings,
    verdicts,
    actions,
  };
}
