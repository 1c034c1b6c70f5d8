import { z } from 'zod';
import type { AttackCatalogue } from '../attack/catalogue.ts';
import { VigilError } from '../errors.ts';
import type { JsonValue } from '../graph/types.ts';
import { MAX_ACTIONS_PER_VALIDATION, techniqueIdSchema } from '../validation/action.ts';
import type { ActorTechnique } from './actors.ts';

/**
 * An action plan (`vigil validate plan --actor`): the actor's techniques, each to run on each
 * host, split into evaluations of at most 100 actions (one validation each when run). A host may
 * be left open (`null`) and given when the plan runs. The file is JSON; `parseValidationPlan`
 * checks it when it comes back.
 */
export const validationPlanSchema = z
  .object({
    kind: z.literal('vigil-validation-plan'),
    version: z.literal(1),
    actor: z
      .object({ key: z.string().min(1), name: z.string().min(1), id: z.custom<JsonValue>(() => true) })
      .strict(),
    /** The technique ids planned, sorted. */
    techniques: z.array(techniqueIdSchema),
    /** Techniques of the actor left out, with why (not in the ATT&CK catalogue). */
    skipped: z.array(z.object({ technique: z.string(), reason: z.string() }).strict()).default([]),
    /** The hosts given; empty when the plan leaves the host to `validate run --host`. */
    hosts: z.array(z.string().trim().min(1)),
    /** Every technique × every host (technique-major), or every technique with host null. */
    actions: z
      .array(z.object({ technique: techniqueIdSchema, host: z.string().trim().min(1).nullable() }).strict())
      .min(1, 'a plan holds at least one action'),
    /** How many evaluations (validations) the actions make, at `actionsPerEvaluation` each. */
    evaluations: z.number().int().min(1),
    actionsPerEvaluation: z.number().int().min(1).max(MAX_ACTIONS_PER_VALIDATION),
  })
  .strict()
  .refine((plan) => plan.evaluations === Math.ceil(plan.actions.length / plan.actionsPerEvaluation), {
    message: 'evaluations must be ⌈actions ÷ actionsPerEvaluation⌉',
    path: ['evaluations'],
  });
export type ValidationPlan = z.infer<typeof validationPlanSchema>;
export type PlannedTechniqueAction = ValidationPlan['actions'][number];

/**
 * The plan of an actor's techniques (as `describeThreatActor` lists them) on `hosts` (none: the
 * host is given at run time). Techniques the ATT&CK catalogue does not know are skipped (an
 * action of one could not be recorded); INPUT_INVALID when none is left or a host repeats.
 */
export function planActorTechniques(
  actor: ValidationPlan['actor'],
  techniques: readonly ActorTechnique[],
  hosts: readonly string[],
  catalogue: AttackCatalogue,
): ValidationPlan {
  const uniqueHosts = [...new Set(hosts.map((host) => host.trim()))];
  if (uniqueHosts.length !== hosts.length || uniqueHosts.some((host) => host === '')) {
    throw new VigilError('INPUT_INVALID', `--host: give each host once, not empty (${hosts.join(', ')}).`);
  }
  const planned: string[] = [];
  const skipped: ValidationPlan['skipped'] = [];
  for (const { id } of techniques) {
    if (techniqueIdSchema.safeParse(id).success && catalogue.get(id) !== undefined) planned.push(id);
    else skipped.push({ technique: id, reason: `not in the ATT&CK catalogue (${catalogue.version})` });
  }
  planned.sort();
  if (planned.length === 0) {
    throw new VigilError('INPUT_INVALID', `${actor.name} has no technique to validate.`, {
      hint: 'Sync its ThreatConnect integration, or check `vigil actors show` for its ATT&CK tags.',
    });
  }
  const targets: Array<string | null> = uniqueHosts.length === 0 ? [null] : uniqueHosts;
  const actions = planned.flatMap((technique) => targets.map((host) => ({ technique, host })));
  return {
    kind: 'vigil-validation-plan',
    version: 1,
    actor,
    techniques: planned,
    skipped,
    hosts: uniqueHosts,
    actions,
    evaluations: Math.ceil(actions.length / MAX_ACTIONS_PER_VALIDATION),
    actionsPerEvaluation: MAX_ACTIONS_PER_VALIDATION,
  };
}

/** A plan file's text parsed and checked; INPUT_INVALID naming the file and each bad field. */
export function parseValidationPlan(text: string, file: string): ValidationPlan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new VigilError('INPUT_INVALID', `${file} is not JSON.`, {
      hint: 'Write a plan with `vigil validate plan --actor NAME -o FILE`.',
    });
  }
  const parsed = validationPlanSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(plan)'}: ${issue.message}`,
    );
    throw new VigilError('INPUT_INVALID', `${file} is not a validation plan: ${issues.join('; ')}.`, {
      hint: 'Write a plan with `vigil validate plan --actor NAME -o FILE`.',
    });
  }
  return parsed.data;
}

/**
 * The plan's evaluations: its actions in chunks of `actionsPerEvaluation`, each host filled in
 * (`host` replaces an open one; INPUT_INVALID when an action has none).
 */
export function planEvaluations(
  plan: ValidationPlan,
  host?: string,
): Array<Array<{ technique: string; host: string }>> {
  const actions = plan.actions.map((action) => {
    const target = action.host ?? host;
    if (target === undefined) {
      throw new VigilError('INPUT_INVALID', `The plan for ${plan.actor.name} names no host.`, {
        hint: 'Give one with --host.',
      });
    }
    return { technique: action.technique, host: target };
  });
  const chunks: Array<Array<{ technique: string; host: string }>> = [];
  for (let at = 0; at < actions.length; at += plan.actionsPerEvaluation) {
    chunks.push(actions.slice(at, at + plan.actionsPerEvaluation));
  }
  return chunks;
}
