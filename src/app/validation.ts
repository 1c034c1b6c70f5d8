import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import type { ClientDeps } from '../connectors/descriptor.ts';
import { baseUrlOf } from '../connectors/descriptor.ts';
import { VigilError } from '../errors.ts';
import type { Integration } from '../integrations/config.ts';
import type { PendingPollRecord } from '../store/types.ts';
import {
  type Action,
  assertValidationSize,
  type ExecutorOutcome,
  newMarker,
  type PassRule,
  parseAction,
  parseValidationActions,
} from '../validation/action.ts';
import { createSimulatorExecutor, executeAction, type PlannedAction } from '../validation/executor.ts';
import { importExecutionLog, type SkippedRecord } from '../validation/importers/index.ts';
import { pollWindow, windowSettingsFrom } from '../validation/window.ts';
import type { AppContext } from './context.ts';
import {
  pollValidationAction,
  threatStackConfigOf,
  type ValidationPollOutcome,
  type ValidationPollRef,
  type ValidationSettings,
} from './validation-poll.ts';
import { describeValidation, type ValidationReport } from './validation-report.ts';

/** `vigil validate record`: one action done by hand (or by a tool Vigil does not drive). */
export interface RecordRequest {
  integration: string;
  technique: string;
  host: string;
  command: string;
  /** ISO-8601; default now. */
  at?: string | undefined;
  outcome?: ExecutorOutcome | undefined;
  name?: string | undefined;
  passRule?: PassRule | undefined;
}

/** `vigil validate run`: techniques run on one host by an executor (the Threat Stack simulator today). */
export interface RunRequest {
  integration: string;
  techniques: readonly string[];
  host: string;
  executor: 'simulator';
  /** The simulator's base URL (its admin API); default the integration's `protocol://host:port`. */
  simulatorUrl?: string | undefined;
  /** The command each technique runs (the executor appends the action's marker). */
  command?: string | undefined;
  name?: string | undefined;
  passRule?: PassRule | undefined;
}

/** `vigil validate run --plan`: one evaluation of a plan, each technique on its own host. */
export interface RunActionsRequest extends Omit<RunRequest, 'techniques' | 'host'> {
  actions: ReadonlyArray<{ technique: string; host: string }>;
}

export interface CreatedValidation {
  id: string;
  name: string;
  actions: number;
  /** When the first poll is due. */
  firstPollAt: string;
  skipped: SkippedRecord[];
}

export interface ValidationServiceDeps {
  newId?: () => string;
  /** The Threat Stack clients' clock and retries (tests). */
  client?: Omit<ClientDeps, 'logger'>;
}

/**
 * Detection validations (C14): creates them from recorded, imported or executed actions, freezing
 * the integration's window settings and correlation options; each action's polls then run as
 * `validation-poll` jobs (planned from the stored progress by any `vigil serve` or worker, see
 * `pendingPolls`), and `show` reports progress, verdicts and evidence.
 */
export class ValidationService {
  private readonly newId: () => string;

  constructor(
    private readonly ctx: AppContext,
    private readonly deps: ValidationServiceDeps = {},
  ) {
    this.newId = deps.newId ?? randomUUID;
  }

  /** Records one action as a validation of its own. INPUT_INVALID naming a bad flag. */
  async record(request: RecordRequest): Promise<CreatedValidation> {
    const integration = await this.integration(request.integration);
    const input = {
      id: 'action-1',
      technique: request.technique,
      target: { hostname: request.host },
      commandLine: request.command,
      startedAt: request.at ?? this.ctx.now().toISOString(),
      outcome: request.outcome ?? 'ran',
      source: 'manual',
    };
    const action = parseAction(input, this.ctx.stepDeps.attackCatalogue(), 'action');
    const name = request.name ?? `${action.technique} on ${request.host}`;
    return this.create(integration, name, [action], request.passRule);
  }

  /** Imports an Atomic Red Team or Caldera execution log as one validation. */
  async import(request: {
    integration: string;
    text: string;
    file: string;
    name?: string | undefined;
    passRule?: PassRule | undefined;
  }): Promise<CreatedValidation> {
    const integration = await this.integration(request.integration);
    const result = importExecutionLog(request.text, request.file, this.ctx.stepDeps.attackCatalogue());
    if (result.actions.length === 0) {
      throw new VigilError('INPUT_INVALID', `${request.file}: no action in the file ran.`, {
        hint: 'Every record was skipped; see the execution log.',
      });
    }
    const name = request.name ?? basename(request.file);
    return {
      ...(await this.create(integration, name, result.actions, request.passRule)),
      skipped: result.skipped,
    };
  }

  /**
   * Runs each technique on the host with the executor, then creates the validation of what ran.
   * Every technique is checked (catalogue, count) before the first one runs.
   */
  run(request: RunRequest): Promise<CreatedValidation> {
    const { techniques, host, ...rest } = request;
    if (techniques.length === 0) {
      throw new VigilError('INPUT_INVALID', 'Give at least one technique to run.', {
        hint: 'Add --technique T1059.004 (repeat it for more).',
      });
    }
    return this.runActions({
      ...rest,
      actions: techniques.map((technique) => ({ technique, host })),
      name: request.name ?? `${techniques.length} techniques on ${host}`,
    });
  }

  /**
   * Runs each technique on its host with the executor, then creates one validation of what ran
   * (at most 100 actions: a plan's evaluation). Every action is checked (catalogue, count) before
   * the first one runs.
   */
  async runActions(request: RunActionsRequest): Promise<CreatedValidation> {
    const integration = await this.integration(request.integration);
    const baseUrl = request.simulatorUrl ?? baseUrlOf(threatStackConfigOf(integration));
    const executor = createSimulatorExecutor({ baseUrl, now: () => this.ctx.now().getTime() });
    const planned = this.plan(request);
    const actions: Action[] = [];
    for (const action of planned) actions.push(await executeAction(action, executor));
    const hosts = new Set(request.actions.map((action) => action.host));
    const name = request.name ?? `${request.actions.length} actions on ${hosts.size} host(s)`;
    return this.create(integration, name, actions, request.passRule);
  }

  /** The actions a run will execute, each checked as the action it will become. */
  private plan(request: RunActionsRequest): PlannedAction[] {
    if (request.actions.length === 0) {
      throw new VigilError('INPUT_INVALID', 'Give at least one technique to run.', {
        hint: 'Add --technique T1059.004 (repeat it for more).',
      });
    }
    assertValidationSize(request.actions.length);
    const catalogue = this.ctx.stepDeps.attackCatalogue();
    return request.actions.map(({ technique, host }, i) => {
      const planned = {
        id: `action-${i + 1}`,
        technique,
        target: { hostname: host },
        commandLine: request.command ?? `sh -c "echo vigil validation ${technique}"`,
        marker: newMarker(),
      };
      const check = {
        ...planned,
        startedAt: this.ctx.now().toISOString(),
        outcome: 'ran',
        source: 'simulator',
      };
      parseAction(check, catalogue, `techniques[${i}]`);
      return planned;
    });
  }

  /** The newest validations first. */
  list(limit = 50) {
    return this.ctx.store.listValidations(limit);
  }

  /** A validation's actions, poll progress, verdicts, evidence and suspicious events. NOT_FOUND when unknown. */
  async show(id: string): Promise<ValidationReport> {
    const validation = await this.ctx.store.getValidation(id);
    if (validation === undefined) {
      throw new VigilError('NOT_FOUND', `No validation ${id}.`, {
        hint: 'List them with `vigil validate list`.',
      });
    }
    const integration = await this.ctx.registry.find(validation.integrationId);
    const rows = await this.ctx.store.listValidationActions(id);
    return describeValidation(validation, integration?.name ?? null, rows);
  }

  /** The next poll of every action still without a verdict (what the job runtime schedules). */
  pendingPolls(): Promise<PendingPollRecord[]> {
    return this.ctx.store.listPendingPolls();
  }

  /** Runs one poll (the `validation-poll` job's work, see `pollValidationAction`). */
  poll(
    ref: ValidationPollRef,
    options: { signal?: AbortSignal; logger?: Logger } = {},
  ): Promise<ValidationPollOutcome> {
    return pollValidationAction(this.ctx, ref, {
      ...options,
      ...(this.deps.client === undefined ? {} : { client: this.deps.client }),
    });
  }

  private async integration(reference: string): Promise<Integration> {
    const integration = await this.ctx.registry.get(reference);
    threatStackConfigOf(integration);
    return integration;
  }

  private async create(
    integration: Integration,
    name: string,
    actions: Action[],
    passRule: PassRule | undefined,
  ): Promise<CreatedValidation> {
    const parsed = parseValidationActions(actions, this.ctx.stepDeps.attackCatalogue());
    const config = threatStackConfigOf(integration);
    const settings: ValidationSettings = {
      window: windowSettingsFrom(config),
      saveSuspiciousEvents: config.saveSuspiciousEvents,
      discoverDevices: config.discoverDevices,
    };
    const id = this.newId();
    const firstPolls = parsed.map((action) => pollWindow(Date.parse(action.startedAt), settings.window, 0));
    await this.ctx.store.insertValidation(
      {
        id,
        integrationId: integration.id,
        name,
        createdAt: this.ctx.now().toISOString(),
        status: 'running',
        passRules: passRule === undefined ? {} : { default: passRule },
        settings,
      },
      parsed.map((action, i) => ({
        actionId: action.id,
        technique: action.technique,
        action,
        nextPoll: { index: 0, at: firstPolls[i]!.runAt.toISOString() },
      })),
    );
    const firstPollAt = new Date(Math.min(...firstPolls.map((p) => p.runAt.getTime()))).toISOString();
    return { id, name, actions: parsed.length, firstPollAt, skipped: [] };
  }
}
