import type { ActorDetails } from '../coverage/actors.ts';
import { describeZodError, VigilError } from '../errors.ts';
import type { MonitorJobDeps } from '../jobs/kinds/monitor-run.ts';
import { expectationSchema } from '../monitors/drift.ts';
import {
  type DriftAlertView,
  driftView,
  formatInterval,
  intervalWarning,
  type MonitorRunView,
  type MonitorSummary,
  monitorInputSchema,
  nextRunAtOf,
  parseEvery,
  runView,
} from '../monitors/model.ts';
import { formatAction, parseAction } from '../rules/model.ts';
import { describeAction } from '../rules/webhook.ts';
import type { MonitorRecord } from '../store/types.ts';
import { windowSettingsFrom } from '../validation/window.ts';
import type { AppContext } from './context.ts';
import { type MonitorRunDeps, MonitorRuns, type StartedRun } from './monitor-runs.ts';
import { threatStackConfigOf } from './validation-poll.ts';

/** What `monitors show` answers: the monitor, its runs (newest first) and its drift alerts. */
export interface MonitorDetails {
  monitor: MonitorSummary;
  runs: MonitorRunView[];
  drift: DriftAlertView[];
}

/** The runs `show` lists. */
const runsShown = 20;

/**
 * Monitors that catch drift (issue 14): add (techniques given, or an actor's from the synced
 * ThreatConnect graph), list, show, remove, run now, dismiss a drift alert; and what the
 * `monitor-run` job kind calls (`jobs`). The runs themselves are `MonitorRuns`'.
 */
export class MonitorService {
  readonly runs: MonitorRuns;

  constructor(
    private readonly ctx: AppContext,
    deps: MonitorRunDeps & { describeActor(reference: string): Promise<ActorDetails> },
  ) {
    this.runs = new MonitorRuns(ctx, deps);
    this.describeActor = deps.describeActor;
    this.newId = deps.newId;
  }

  private readonly describeActor: (reference: string) => Promise<ActorDetails>;
  private readonly newId: () => string;

  /** Adds a monitor; INPUT_INVALID naming what is wrong (and taken names), NOT_FOUND for an unknown integration or actor. */
  async add(input: unknown): Promise<MonitorSummary> {
    const parsed = monitorInputSchema.safeParse(input);
    if (!parsed.success) {
      throw new VigilError('INPUT_INVALID', `The monitor is invalid: ${describeZodError(parsed.error)}`, {
        hint: 'Give --name, --integration, --host, --every, --expect and --actor or --techniques.',
      });
    }
    const request = parsed.data;
    if ((request.actor === undefined) === (request.techniques === undefined)) {
      throw new VigilError('INPUT_INVALID', 'Give either an actor or techniques, not both or neither.', {
        hint: 'Use --actor NAME|ID or --techniques T1059.004 T1105 ….',
      });
    }
    const integration = await this.ctx.registry.get(request.integration);
    threatStackConfigOf(integration);
    const everyMs = parseEvery(request.every);
    const actions = (request.actions ?? ['log']).map((text) => formatAction(parseAction(text)));
    let actor: MonitorRecord['actor'] = null;
    let techniques = request.techniques ?? [];
    if (request.actor !== undefined) {
      const details = await this.describeActor(request.actor);
      actor = { key: details.key, name: details.name };
      techniques = details.techniques.map((t) => t.id);
      if (techniques.length === 0) {
        throw new VigilError('INPUT_INVALID', `The actor ${details.name} has no ATT&CK technique.`, {
          hint: 'Sync its ThreatConnect integration, or give --techniques.',
        });
      }
    }
    techniques = [...new Set(techniques)];
    const catalogue = this.ctx.stepDeps.attackCatalogue();
    const unknown = techniques.filter((t) => catalogue.get(t) === undefined);
    if (unknown.length > 0) {
      throw new VigilError('INPUT_INVALID', `Not ATT&CK techniques: ${unknown.slice(0, 10).join(', ')}.`, {
        hint: 'Give technique ids such as T1059.004 (`vigil attack` lists them).',
      });
    }
    const record: MonitorRecord = {
      id: this.newId(),
      name: request.name,
      integrationId: integration.id,
      actor,
      techniques,
      host: request.host,
      everyMs,
      expect: request.expect,
      actions,
      createdAt: this.ctx.now().toISOString(),
    };
    await this.ctx.store.insertMonitor(record);
    return this.summarize(record);
  }

  async list(): Promise<MonitorSummary[]> {
    return Promise.all((await this.ctx.store.listMonitors()).map((m) => this.summarize(m)));
  }

  async show(reference: string): Promise<MonitorDetails> {
    const record = await this.get(reference);
    const [runs, drift] = await Promise.all([
      this.ctx.store.listMonitorRuns(record.id, runsShown),
      this.ctx.store.listDrift(record.id),
    ]);
    return { monitor: await this.summarize(record), runs: runs.map(runView), drift: drift.map(driftView) };
  }

  /** Removes a monitor with its runs and drift alerts (its validations stay). */
  async remove(reference: string): Promise<MonitorSummary> {
    const record = await this.get(reference);
    const summary = await this.summarize(record);
    await this.ctx.store.deleteMonitor(record.id);
    return summary;
  }

  /** Runs a monitor now (a manual slot); its completion follows when the verdicts are in. */
  async run(reference: string): Promise<StartedRun> {
    const record = await this.get(reference);
    const started = await this.runs.start(record, `manual:${this.ctx.now().toISOString()}:${this.newId()}`);
    if (started === undefined) throw new VigilError('INTERNAL_ERROR', 'A fresh manual slot was taken.');
    return started;
  }

  /** Dismisses a drift alert; NOT_FOUND when there is none of that id. */
  async dismiss(driftId: string): Promise<DriftAlertView> {
    const drift = await this.ctx.store.dismissDrift(driftId, this.ctx.now().toISOString());
    if (drift === undefined) {
      throw new VigilError('NOT_FOUND', `No drift alert ${driftId}.`, {
        hint: 'See the drift alerts with `vigil monitors show NAME`.',
      });
    }
    return driftView(drift);
  }

  /** What the `monitor-run` job kind calls. */
  jobs(): MonitorJobDeps {
    return {
      due: (now) => this.runs.due(now),
      isDue: async (monitorId, slot, now) => {
        const monitor = await this.ctx.store.findMonitor(monitorId);
        return monitor !== undefined && (await this.runs.dueSlot(monitor, now)) === slot;
      },
      start: async (monitorId, slot) => {
        const monitor = await this.ctx.store.findMonitor(monitorId);
        return monitor === undefined ? undefined : this.runs.start(monitor, slot);
      },
      readyToComplete: () => this.runs.readyToComplete(),
      complete: (runId) => this.runs.complete(runId),
    };
  }

  private async get(reference: string): Promise<MonitorRecord> {
    const record = await this.ctx.store.findMonitor(reference);
    if (record === undefined) {
      throw new VigilError('NOT_FOUND', `No monitor ${reference}.`, {
        hint: 'List them with `vigil monitors list`.',
      });
    }
    return record;
  }

  private async summarize(record: MonitorRecord): Promise<MonitorSummary> {
    const [integration, [latest], drift] = await Promise.all([
      this.ctx.registry.find(record.integrationId),
      this.ctx.store.listMonitorRuns(record.id, 1),
      this.ctx.store.listDrift(record.id),
    ]);
    let warning: string | null = null;
    if (integration !== undefined && integration.kind === 'threatstack') {
      warning = intervalWarning(record.everyMs, windowSettingsFrom(threatStackConfigOf(integration)));
    }
    return {
      id: record.id,
      name: record.name,
      integration: { id: record.integrationId, name: integration?.name ?? record.integrationId },
      actor: record.actor,
      techniques: record.techniques,
      host: record.host,
      every: formatInterval(record.everyMs),
      expect: expectationSchema.parse(record.expect),
      lastRunAt: latest?.startedAt ?? null,
      nextRunAt: nextRunAtOf(record, latest),
      openDrift: drift.filter((d) => d.status === 'ACTIVE').length,
      warning,
      actions: record.actions.map((text) => describeAction(parseAction(text))),
    };
  }
}
