import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AttackCatalogue } from '../attack/catalogue.ts';
import { VigilError } from '../errors.ts';

/**
 * The attack-simulation action model (C14): an ATT&CK technique executed on a host at a time,
 * with what the executor saw. Parsed once at the edge (`parseAction`, `parseValidationActions`);
 * times are ISO-8601 strings in Vigil's clock so an action round-trips through JSON unchanged.
 */

export const techniqueIdSchema = z
  .string()
  .regex(/^T\d{4}(\.\d{3})?$/, 'must be an ATT&CK technique id such as T1059.004');

/** What the executor reported: it ran, a control blocked it, or it could not run at all. */
export const executorOutcomeSchema = z.enum(['ran', 'blocked', 'failed']);
export type ExecutorOutcome = z.infer<typeof executorOutcomeSchema>;

/** Where the action came from: recorded by hand, imported from a tool's log, or run by an executor. */
export const actionSourceSchema = z.enum(['manual', 'import', 'simulator']);
export type ActionSource = z.infer<typeof actionSourceSchema>;

/** The pass rules; their meaning is defined where they are applied (`verdict.ts`, `passes`). */
export const passRuleSchema = z.enum(['either', 'prevented', 'detected', 'both']);
export type PassRule = z.infer<typeof passRuleSchema>;

export const actionTargetSchema = z
  .object({
    agentId: z.string().trim().min(1).optional(),
    hostname: z.string().trim().min(1).optional(),
    ips: z.array(z.union([z.ipv4(), z.ipv6()])).default([]),
    ports: z.array(z.number().int().min(1).max(65_535)).default([]),
  })
  .strict()
  .refine((t) => t.agentId !== undefined || t.hostname !== undefined, 'give an agent id or a hostname');
export type ActionTarget = z.infer<typeof actionTargetSchema>;

const isoTime = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time such as 2026-11-25T12:00:00Z',
});

export const actionSchema = z
  .object({
    id: z.string().trim().min(1),
    technique: techniqueIdSchema,
    target: actionTargetSchema,
    commandLine: z.string().trim().min(1).optional(),
    /** A unique string the action's command line carries, so its events can be told apart. */
    marker: z.string().trim().min(6, 'must be at least 6 characters to be unique').optional(),
    /** The process id the executor reported, when it did. */
    processId: z.number().int().positive().optional(),
    startedAt: isoTime,
    endedAt: isoTime.optional(),
    outcome: executorOutcomeSchema,
    source: actionSourceSchema,
    /** The pass rule for this action; else the technique's, else the default (`either`). */
    expected: passRuleSchema.optional(),
  })
  .strict()
  .refine(
    (a) => a.commandLine !== undefined || a.marker !== undefined || a.processId !== undefined,
    'give a command line, a marker or a process id: without one no event can be tied to the action',
  )
  .refine((a) => a.endedAt === undefined || Date.parse(a.endedAt) >= Date.parse(a.startedAt), {
    message: 'must not be before startedAt',
    path: ['endedAt'],
  });
export type Action = z.infer<typeof actionSchema>;

/** TAAM-style evaluations cap a validation at 100 actions. */
export const MAX_ACTIONS_PER_VALIDATION = 100;

/** A fresh marker, `vigil-` and 16 hex digits, from `random` (injectable for tests). */
export function newMarker(random: (bytes: number) => Buffer = randomBytes): string {
  return `vigil-${random(8).toString('hex')}`;
}

/**
 * The command line an executor runs so that the marker shows in the vendor's events: the
 * command followed by a shell comment (`# marker`, a comment for sh, bash and PowerShell).
 */
export function markedCommandLine(commandLine: string, marker: string): string {
  return `${commandLine} # ${marker}`;
}

/**
 * Parses one action and checks its technique against the ATT&CK catalogue. Bad input →
 * INPUT_INVALID naming each field (prefixed with `label`, e.g. `actions[3]`).
 */
export function parseAction(input: unknown, catalogue: AttackCatalogue, label = 'action'): Action {
  const parsed = actionSchema.safeParse(input);
  if (!parsed.success) {
    throw new VigilError('INPUT_INVALID', describeIssues(parsed.error, label));
  }
  const action = parsed.data;
  if (catalogue.get(action.technique) === undefined) {
    throw new VigilError(
      'INPUT_INVALID',
      `${label}.technique: ${action.technique} is not in the ATT&CK catalogue (${catalogue.source} ${catalogue.version}).`,
      { hint: 'Check the id, or import a newer catalogue with `vigil attack import`.' },
    );
  }
  return action;
}

/**
 * Parses the actions of one validation: at most `MAX_ACTIONS_PER_VALIDATION` (else
 * VALIDATION_TOO_LARGE), each valid (else INPUT_INVALID naming `actions[i].field`), ids unique.
 */
export function parseValidationActions(inputs: readonly unknown[], catalogue: AttackCatalogue): Action[] {
  assertValidationSize(inputs.length);
  const actions = inputs.map((input, i) => parseAction(input, catalogue, `actions[${i}]`));
  const seen = new Set<string>();
  actions.forEach((action, i) => {
    if (seen.has(action.id)) {
      throw new VigilError('INPUT_INVALID', `actions[${i}].id: ${action.id} is used by an earlier action.`);
    }
    seen.add(action.id);
  });
  return actions;
}

/** Throws VALIDATION_TOO_LARGE when a validation would hold more than the cap. */
export function assertValidationSize(count: number): void {
  if (count <= MAX_ACTIONS_PER_VALIDATION) return;
  throw new VigilError(
    'VALIDATION_TOO_LARGE',
    `A validation holds at most ${MAX_ACTIONS_PER_VALIDATION} actions; this one would hold ${count}.`,
    {
      hint: 'Split the actions over several validations.',
      details: { count, max: MAX_ACTIONS_PER_VALIDATION },
    },
  );
}

/** zod issues as `label.path: problem; …` (the label alone for whole-object problems). */
export function describeIssues(error: z.ZodError, label: string): string {
  return error.issues
    .map((issue) => `${[label, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
}
