import { z } from 'zod';
import { describeZodError, VigilError } from '../errors.ts';
import { parseCondition, type RuleCondition } from './condition.ts';

/** One J1QL query of a rule; conditions name it by `label`. */
export interface RuleQuery {
  label: string;
  text: string;
}

/** What a rule does when it fires: POST to a webhook, or write a log line. */
export type RuleAction = { kind: 'webhook'; url: string } | { kind: 'log' };

/** A rule as the evaluator and the service use it: every field parsed and checked. */
export interface Rule {
  name: string;
  queries: RuleQuery[];
  condition: RuleCondition;
  /** The condition as the user wrote it (shown in alerts and payloads). */
  conditionText: string;
  actions: RuleAction[];
  /** Milliseconds between evaluations on the interval; undefined: only after syncs. */
  intervalMs: number | undefined;
  enabled: boolean;
}

/**
 * Parses `webhook:<url>` or `log`. The URL must be absolute http(s); anything else (file:, a bare
 * host, javascript:) is INPUT_INVALID. The message never repeats the URL: it may carry a token.
 */
export function parseAction(text: string): RuleAction {
  const trimmed = text.trim();
  if (trimmed === 'log') return { kind: 'log' };
  if (!trimmed.startsWith('webhook:')) {
    throw new VigilError('INPUT_INVALID', `Action '${trimmed.split(':')[0]}' is not known.`, {
      hint: 'Write --action log or --action webhook:https://host/path.',
    });
  }
  const url = trimmed.slice('webhook:'.length);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VigilError('INPUT_INVALID', 'The webhook action does not hold an absolute URL.', {
      hint: 'Write --action webhook:https://host/path.',
    });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new VigilError('INPUT_INVALID', `A webhook URL must be http or https, not '${parsed.protocol}'.`, {
      hint: 'Write --action webhook:https://host/path.',
    });
  }
  return { kind: 'webhook', url: parsed.href };
}

/** The action as `parseAction` reads it. */
export function formatAction(action: RuleAction): string {
  return action.kind === 'log' ? 'log' : `webhook:${action.url}`;
}

const intervalUnits = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** The shortest interval a rule may ask for: a query per rule per minute at most. */
export const minIntervalMs = 60_000;

/** Parses `30s`, `15m`, `2h`, `1d` into milliseconds; at least one minute, at most 30 days. */
export function parseInterval(text: string): number {
  const match = /^(\d{1,6})([smhd])$/.exec(text.trim());
  const unit = match?.[2] as keyof typeof intervalUnits | undefined;
  const ms = match === null || unit === undefined ? Number.NaN : Number(match[1]) * intervalUnits[unit];
  if (!(ms >= minIntervalMs && ms <= 30 * intervalUnits.d)) {
    throw new VigilError('INPUT_INVALID', `Interval '${text}' is not valid.`, {
      hint: 'Write a whole number and a unit s, m, h or d, between 1m and 30d (e.g. --every 15m).',
    });
  }
  return ms;
}

/** An interval in its largest whole unit (`15m`, `2h`, `90s`), as `parseInterval` reads it. */
export function formatInterval(ms: number): string {
  const units = Object.entries(intervalUnits).reverse();
  const [unit, size] = units.find(([, size]) => ms % size === 0) ?? ['s', 1_000];
  return `${Math.round(ms / size)}${unit}`;
}

const labelSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a label is a letter or _ then letters, digits or _ (e.g. query0)');

/**
 * A rule as given by a person (CLI flags, an API body). Queries without a label are named
 * `query0`, `query1` … by position, as JupiterOne names a question's queries.
 */
export const ruleInputSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'a rule needs a name')
    .max(100)
    .regex(/^\P{Cc}*$/u, 'a name cannot hold control characters (newlines, tabs …)'),
  queries: z
    .array(
      z.object({ label: labelSchema.optional(), text: z.string().trim().min(1, 'a query cannot be empty') }),
    )
    .min(1, 'a rule needs at least one query')
    .max(10),
  when: z.string(),
  actions: z.array(z.string()).min(1, 'a rule needs at least one action').max(10),
  every: z.string().optional(),
  enabled: z.boolean().default(true),
});
export type RuleInput = z.input<typeof ruleInputSchema>;

/**
 * Parses a rule once, at the edge: zod for the shape, then the condition, actions and interval.
 * INPUT_INVALID when a label repeats or a threshold names a label no query has.
 */
export function parseRule(input: unknown): Rule {
  const result = ruleInputSchema.safeParse(input);
  if (!result.success)
    throw new VigilError('INPUT_INVALID', `Rule is not valid: ${describeZodError(result.error)}`);
  const { name, when, actions, every, enabled } = result.data;
  const queries = result.data.queries.map((query, index) => ({
    label: query.label ?? `query${index}`,
    text: query.text,
  }));
  const labels = queries.map((query) => query.label);
  const repeated = labels.find((label, index) => labels.indexOf(label) !== index);
  if (repeated !== undefined) {
    throw new VigilError('INPUT_INVALID', `Rule '${name}' has two queries labelled '${repeated}'.`, {
      hint: 'Give each query its own label.',
    });
  }
  const condition = parseCondition(when);
  if (condition.kind === 'threshold' && !labels.includes(condition.label)) {
    throw new VigilError(
      'INPUT_INVALID',
      `Condition names '${condition.label}', which no query of the rule has.`,
      {
        hint: `The rule's queries are labelled ${labels.join(', ')}.`,
      },
    );
  }
  return {
    name,
    queries,
    condition,
    conditionText: when.trim(),
    actions: actions.map(parseAction),
    intervalMs: every === undefined ? undefined : parseInterval(every),
    enabled,
  };
}
