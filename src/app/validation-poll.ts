import type { Logger } from 'pino';
import { z } from 'zod';
import type { ClientDeps } from '../connectors/descriptor.ts';
import type { ThreatStackClient } from '../connectors/threatstack/client.ts';
import type { ThreatStackConfig } from '../connectors/threatstack/config.ts';
import { threatStack } from '../connectors/threatstack/index.ts';
import { VigilError } from '../errors.ts';
import { graphEntities } from '../graph/vocabulary.ts';
import type { ValidationPollUpdate, ValidationRecord } from '../store/types.ts';
import { type Action, actionSchema, passRuleSchema } from '../validation/action.ts';
import { correlateAction } from '../validation/correlate.ts';
import type { KnownHosts } from '../validation/discovery.ts';
import { EvidencePool, type Observations } from '../validation/evidence.ts';
import { alertElsewhere } from '../validation/match.ts';
import { runPoll } from '../validation/poll.ts';
import { nextPoll, pollWindow } from '../validation/window.ts';
import type { AppContext } from './context.ts';
import { apiKeyFromEnv } from './sync.ts';

/** What a validation freezes of its integration when it is created. */
export const validationSettingsSchema = z.object({
  window: z.object({
    queryTimeMs: z.number(),
    queryIntervalMs: z.number().positive(),
    delayMs: z.number(),
    eventTimeAdjustmentMs: z.number(),
  }),
  saveSuspiciousEvents: z.boolean(),
  discoverDevices: z.boolean(),
});
export type ValidationSettings = z.infer<typeof validationSettingsSchema>;

export const passRulesSchema = z.object({
  default: passRuleSchema.optional(),
  byTechnique: z.record(z.string(), passRuleSchema).optional(),
});

/** The pool snapshot as stored: the shapes `EvidencePool.snapshot()` wrote (vendor objects kept whole). */
const observationsSchema = z.custom<Observations>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { alerts?: unknown }).alerts) &&
    Array.isArray((value as { events?: unknown }).events),
  'an evidence pool snapshot',
);

/** One poll job's identity: poll `index` of one action's schedule. */
export interface ValidationPollRef {
  validationId: string;
  actionId: string;
  index: number;
}

export type ValidationPollOutcome =
  | {
      status: 'polled';
      alertsReturned: number;
      newAlerts: number;
      nextPollAt: string | null;
      verdict?: string;
    }
  | { status: 'skipped'; reason: 'validation-removed' | 'already-polled' };

/** How one poll runs: the client's injected clock and retries (tests), its logger, the abort signal. */
export interface PollRunOptions {
  client?: Omit<ClientDeps, 'logger'>;
  logger?: Logger;
  signal?: AbortSignal;
}

/**
 * Runs one poll of one action (the `validation-poll` job's work): reads the action's stored
 * progress and pool, runs poll `index` against the integration's Threat Stack (a client of its
 * own, so the integration's request budget applies per poll), and records the poll; after the
 * last poll it correlates and records the verdict, the suspicious events (only when the
 * integration saves them) and the discovered devices. A poll already recorded, or not the
 * action's next, is skipped: several workers or a retry never record one poll twice.
 */
export async function pollValidationAction(
  ctx: AppContext,
  ref: ValidationPollRef,
  options: PollRunOptions = {},
): Promise<ValidationPollOutcome> {
  const [validation, row] = await Promise.all([
    ctx.store.getValidation(ref.validationId),
    ctx.store.getValidationAction(ref.validationId, ref.actionId),
  ]);
  if (validation === undefined || row === undefined)
    return { status: 'skipped', reason: 'validation-removed' };
  if (row.verdict !== null || row.nextPoll?.index !== ref.index)
    return { status: 'skipped', reason: 'already-polled' };
  const settings = validationSettingsSchema.parse(validation.settings);
  const action = actionSchema.parse(row.action);
  const pool = EvidencePool.from(observationsSchema.parse(row.pool));
  const startMs = Date.parse(action.startedAt);
  const client = await openAlertSource(ctx, validation.integrationId, options);
  let result: Awaited<ReturnType<typeof runPoll>>;
  try {
    options.signal?.throwIfAborted();
    result = await runPoll(client, pool, pollWindow(startMs, settings.window, ref.index), {
      ignore: (alert) => alertElsewhere(action, alert),
    });
  } finally {
    await client.close();
  }
  const donePolls = [...row.donePolls, ref.index];
  const next = nextPoll(startMs, settings.window, donePolls, ctx.now().getTime());
  const update: ValidationPollUpdate = {
    index: ref.index,
    donePolls,
    nextPoll: next.kind === 'complete' ? null : { index: next.poll.index, at: next.poll.runAt.toISOString() },
    pool: pool.snapshot(),
    ...(next.kind === 'complete'
      ? { verdict: await verdictOf(ctx, validation, action, pool, settings) }
      : {}),
  };
  options.signal?.throwIfAborted();
  if (!(await ctx.store.recordValidationPoll(ref.validationId, ref.actionId, update)))
    return { status: 'skipped', reason: 'already-polled' };
  return {
    status: 'polled',
    alertsReturned: result.alertsReturned,
    newAlerts: result.newAlertIds.length,
    nextPollAt: update.nextPoll?.at ?? null,
    ...(update.verdict === undefined ? {} : { verdict: update.verdict.verdict }),
  };
}

/** The graph owner of the devices an integration's validations discover (never touched by its syncs). */
export function discoveryOwner(integrationId: string): string {
  return `${integrationId}:discovery`;
}

async function verdictOf(
  ctx: AppContext,
  validation: ValidationRecord,
  action: Action,
  pool: EvidencePool,
  settings: ValidationSettings,
): Promise<NonNullable<ValidationPollUpdate['verdict']>> {
  const correlation = correlateAction(action, pool, {
    settings: settings.window,
    passRules: passRulesSchema.parse(validation.passRules),
    saveSuspiciousEvents: settings.saveSuspiciousEvents,
    discoverDevices: settings.discoverDevices,
    ...(settings.discoverDevices ? { knownHosts: await knownHosts(ctx) } : {}),
  });
  return {
    verdict: correlation.verdict,
    correlation: {
      passRule: correlation.passRule,
      result: correlation.result,
      evidence: correlation.evidence,
    },
    suspicious: correlation.suspicious.store ? correlation.suspicious.events : null,
    at: ctx.now().toISOString(),
    devices: { owner: discoveryOwner(validation.integrationId), entities: correlation.devices },
  };
}

/** The hostnames and addresses of the Threat Stack agents in the graph. */
async function knownHosts(ctx: AppContext): Promise<KnownHosts> {
  const agents = await ctx.store.listEntities({ type: graphEntities.threatstackAgent.type, limit: 100_000 });
  const text = (value: unknown): string[] => (typeof value === 'string' && value !== '' ? [value] : []);
  return {
    hostnames: agents.flatMap((a) => [...text(a.properties.hostname), ...text(a.properties.fqdn)]),
    ips: agents.flatMap((a) => {
      const ips = a.properties.ipAddresses;
      return Array.isArray(ips) ? ips.flatMap(text) : [];
    }),
  };
}

/** The integration's Threat Stack configuration; INPUT_INVALID for an integration of another kind. */
export function threatStackConfigOf(integration: {
  name: string;
  kind: string;
  config: unknown;
}): ThreatStackConfig {
  if (integration.kind !== threatStack.kind) {
    throw new VigilError(
      'INPUT_INVALID',
      `The integration ${integration.name} is a ${integration.kind} integration; validations search Threat Stack.`,
      { hint: 'Give a Threat Stack integration (`vigil integrations list`).' },
    );
  }
  return threatStack.configSchema.parse(integration.config);
}

/** A Threat Stack client for the integration, through its connector descriptor. */
async function openAlertSource(
  ctx: AppContext,
  integrationId: string,
  options: PollRunOptions,
): Promise<ThreatStackClient> {
  const resolved = await ctx.registry.resolve(integrationId);
  const { integration } = resolved;
  const apiKey = integration.source === 'environment' ? apiKeyFromEnv(ctx, integration) : resolved.apiKey;
  if (apiKey === null) {
    throw new VigilError('CONFIG_INVALID', `The integration ${integration.name} has no API key.`, {
      hint: `Set one with \`vigil integrations update ${integration.name} --api-key-stdin\`.`,
    });
  }
  const config = threatStackConfigOf({ ...integration, config: resolved.config });
  return threatStack.createClient(
    config,
    { apiKey },
    { ...options.client, ...(options.logger ? { logger: options.logger } : {}) },
  );
}
