import type { Logger } from 'pino';
import { decideSync, defaultStaleRunningMs, type LatestRun, slotOf } from '../jobs/due.ts';
import { asVerdict, type Expectation, expectationSchema, findDrift } from '../monitors/drift.ts';
import { buildDriftPayload } from '../monitors/payload.ts';
import { parseAction } from '../rules/model.ts';
import {
  deliverWebhook,
  type WebhookDelivery,
  type WebhookDeps,
  type WebhookPolicy,
} from '../rules/webhook.ts';
import { chunk } from '../store/driver.ts';
import type { DriftRecord, MonitorRecord, MonitorRunRecord } from '../store/types.ts';
import { MAX_ACTIONS_PER_VALIDATION } from '../validation/action.ts';
import type { Verdict } from '../validation/verdict.ts';
import type { AppContext } from './context.ts';
import type { ValidationService } from './validation.ts';

/** What running monitors needs besides the context: validations, ids, and the drift actions' means. */
export interface MonitorRunDeps {
  validations: ValidationService;
  newId(): string;
  /** A delivery's time, chance and warnings (its log is the store's `webhook_attempts`). */
  webhook: Omit<WebhookDeps, 'record'>;
  webhookPolicy?: WebhookPolicy;
  /** The log of the `log` action (made on first use). */
  logger(): Logger;
}

/** A started run: its id and its validations (one per 100 techniques). */
export interface StartedRun {
  runId: string;
  validationIds: string[];
}

/** What completing a run did: the drift alerts it raised and their deliveries. */
export interface FinishedRun {
  runId: string;
  monitor: string;
  byVerdict: Record<string, number>;
  drift: DriftRecord[];
  deliveries: WebhookDelivery[];
}

/** How many of a monitor's latest runs are read for the previous verdict of each technique. */
const previousRunsRead = 50;

/** A monitor run as the due-slot rule (`decideSync`) reads it: a complete run served its slot. */
export function latestRunOf(run: MonitorRunRecord | undefined): LatestRun | undefined {
  if (run === undefined) return undefined;
  return { id: run.id, status: run.status === 'running' ? 'running' : 'success', startedAt: run.startedAt };
}

/**
 * Monitor runs (issue 14): the due slot of each monitor (the sync's due-slot rule of
 * `src/jobs/due.ts` over its runs: one interval after the last run started, never while one runs
 * unless it is stale), starting a run (one validation per 100 techniques, run on the monitor's
 * host through the simulator executor), and completing it once every verdict is in: each
 * technique compared with its verdict in the monitor's previous completed runs (`findDrift`), one
 * drift alert per run × technique stored with the completion, then delivered through the
 * monitor's actions (the rules' webhook delivery, with its retries and delivery log, and `log`).
 */
export class MonitorRuns {
  constructor(
    private readonly ctx: AppContext,
    private readonly deps: MonitorRunDeps,
  ) {}

  /** The monitors due now, each with the slot it would fill (stable across planners). */
  async due(now: number): Promise<Array<{ monitorId: string; slot: string }>> {
    const due: Array<{ monitorId: string; slot: string }> = [];
    for (const monitor of await this.ctx.store.listMonitors()) {
      const slot = await this.dueSlot(monitor, now);
      if (slot !== undefined) due.push({ monitorId: monitor.id, slot });
    }
    return due;
  }

  /** The slot the monitor is due to fill at `now`, or undefined when it is not due. */
  async dueSlot(monitor: MonitorRecord, now: number): Promise<string | undefined> {
    const [latest] = await this.ctx.store.listMonitorRuns(monitor.id, 1);
    const decision = decideSync(monitor.everyMs, latestRunOf(latest), now, {
      staleRunningAfterMs: defaultStaleRunningMs,
    });
    if (!decision.due) return undefined;
    return slotOf(decision, Date.parse(monitor.createdAt), monitor.everyMs, now);
  }

  /**
   * Starts a run of `monitor` for `slot`: undefined when the slot already has one (another worker
   * or an earlier attempt). A validation that fails to start leaves the run with those started
   * before it, and rethrows; a run with no validation at all is completed empty.
   */
  async start(monitor: MonitorRecord, slot: string): Promise<StartedRun | undefined> {
    const runId = this.deps.newId();
    const startedAt = this.ctx.now().toISOString();
    const run = {
      id: runId,
      monitorId: monitor.id,
      slot,
      startedAt,
      finishedAt: null,
      status: 'running' as const,
    };
    if (!(await this.ctx.store.insertMonitorRun({ ...run, verdicts: null, byVerdict: null })))
      return undefined;
    const validationIds: string[] = [];
    const parts = chunk(monitor.techniques, MAX_ACTIONS_PER_VALIDATION);
    try {
      for (const [i, techniques] of parts.entries()) {
        const part = parts.length > 1 ? ` (${i + 1}/${parts.length})` : '';
        const created = await this.deps.validations.run({
          integration: monitor.integrationId,
          techniques,
          host: monitor.host,
          executor: 'simulator',
          name: `monitor ${monitor.name}${part}`,
        });
        validationIds.push(created.id);
      }
    } finally {
      await this.ctx.store.setMonitorRunValidations(runId, validationIds);
      if (validationIds.length === 0) {
        const finishedAt = this.ctx.now().toISOString();
        await this.ctx.store.completeMonitorRun(runId, { finishedAt, verdicts: {}, byVerdict: {} }, []);
      }
    }
    return { runId, validationIds };
  }

  /** The running runs whose validations all have every verdict (their completion is due). */
  async readyToComplete(): Promise<string[]> {
    const ready: string[] = [];
    for (const run of await this.ctx.store.listRunningMonitorRuns()) {
      if (run.validationIds.length === 0) continue;
      const validations = await Promise.all(run.validationIds.map((id) => this.ctx.store.getValidation(id)));
      if (validations.every((v) => v === undefined || v.status === 'complete')) ready.push(run.id);
    }
    return ready;
  }

  /**
   * Completes a run whose verdicts are all in: its verdicts, the drift against the previous
   * completed runs, stored at once (a second completion raises nothing), then delivered.
   * Undefined when the run is gone, still waiting for verdicts, or already complete.
   */
  async complete(runId: string): Promise<FinishedRun | undefined> {
    const run = await this.findRun(runId);
    if (run === undefined || run.status !== 'running') return undefined;
    const monitor = await this.ctx.store.findMonitor(run.monitorId);
    if (monitor === undefined) return undefined;
    const current = await this.verdictsOf(run.validationIds);
    if (current === undefined) return undefined;
    const expected: Expectation = expectationSchema.parse(monitor.expect);
    const previous = await this.previousVerdicts(monitor.id, run.id);
    const raisedAt = this.ctx.now().toISOString();
    const drift: DriftRecord[] = findDrift(
      previous,
      new Map([...current].map(([technique, { verdict }]) => [technique, verdict])),
      expected,
    ).map((d) => ({
      id: this.deps.newId(),
      monitorId: monitor.id,
      runId: run.id,
      technique: d.technique,
      previous: d.previous,
      current: d.current,
      expected: d.expected,
      validationId: current.get(d.technique)?.validationId ?? run.validationIds[0] ?? '',
      raisedAt,
      status: 'ACTIVE',
      dismissedAt: null,
    }));
    const verdicts = Object.fromEntries([...current].map(([t, { verdict }]) => [t, verdict]));
    const byVerdict: Record<string, number> = {};
    for (const verdict of Object.values(verdicts)) byVerdict[verdict] = (byVerdict[verdict] ?? 0) + 1;
    const raised = await this.ctx.store.completeMonitorRun(
      run.id,
      { finishedAt: raisedAt, verdicts, byVerdict },
      drift,
    );
    const deliveries: WebhookDelivery[] = [];
    for (const alert of raised) deliveries.push(...(await this.deliver(monitor, alert)));
    return { runId: run.id, monitor: monitor.name, byVerdict, drift: raised, deliveries };
  }

  private async findRun(runId: string): Promise<MonitorRunRecord | undefined> {
    return (await this.ctx.store.listRunningMonitorRuns()).find((run) => run.id === runId);
  }

  /** Technique → verdict (and its validation) of complete validations; undefined while one runs. */
  private async verdictsOf(validationIds: readonly string[]) {
    const verdicts = new Map<string, { verdict: Verdict; validationId: string }>();
    for (const validationId of validationIds) {
      const validation = await this.ctx.store.getValidation(validationId);
      if (validation === undefined) continue;
      if (validation.status !== 'complete') return undefined;
      for (const action of await this.ctx.store.listValidationActions(validationId)) {
        const verdict = asVerdict(action.verdict);
        if (verdict !== null) verdicts.set(action.technique, { verdict, validationId });
      }
    }
    return verdicts;
  }

  /** Each technique's verdict in the newest completed run (other than `runId`) that has one. */
  private async previousVerdicts(monitorId: string, runId: string): Promise<Map<string, Verdict>> {
    const previous = new Map<string, Verdict>();
    for (const run of await this.ctx.store.listMonitorRuns(monitorId, previousRunsRead)) {
      if (run.id === runId || run.status !== 'complete') continue;
      for (const [technique, text] of Object.entries(run.verdicts ?? {})) {
        const verdict = asVerdict(text);
        if (verdict !== null && !previous.has(technique)) previous.set(technique, verdict);
      }
    }
    return previous;
  }

  /** Runs the monitor's actions for one drift alert; a failing webhook is an outcome, never a throw. */
  private async deliver(monitor: MonitorRecord, drift: DriftRecord): Promise<WebhookDelivery[]> {
    const payload = buildDriftPayload(monitor.name, drift);
    const record = (attempt: Parameters<WebhookDeps['record']>[0]) =>
      this.ctx.store.recordWebhookAttempt(attempt);
    const deliveries: WebhookDelivery[] = [];
    for (const text of monitor.actions) {
      const action = parseAction(text);
      if (action.kind === 'log') {
        this.deps
          .logger()
          .warn({ monitor: monitor.name, driftId: drift.id, technique: drift.technique }, payload.text);
        continue;
      }
      const context = { deliveryId: this.deps.newId(), ruleId: `monitor:${monitor.id}`, alertId: drift.id };
      deliveries.push(
        await deliverWebhook(
          action.url,
          payload,
          context,
          { ...this.deps.webhook, record },
          this.deps.webhookPolicy,
        ),
      );
    }
    return deliveries;
  }
}
