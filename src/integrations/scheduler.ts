import { toVigilError } from '../errors.ts';
import type { Integration } from './config.ts';
import { type DueIntegration, type DuePolicy, findDueIntegrations, type LatestRun } from './schedule.ts';

/** How a sync ended, as the scheduler reports it (the run's own status when it got that far). */
export interface SyncOutcome {
  runId: string;
  status: 'success' | 'partial' | 'failure';
  durationMs: number;
}

/** What the scheduler tells its log: one event when a sync starts and one when it ends. */
export interface SchedulerEvents {
  syncStarted(integration: Integration, due: DueIntegration['decision']): void;
  syncFinished(integration: Integration, outcome: SyncOutcome): void;
  /** The sync threw before it could record an outcome (bad secret, unreachable store …). */
  syncFailed(integration: Integration, error: { code: string; message: string }): void;
  /** A tick could not read the integrations or their runs; the next tick tries again. */
  tickFailed(error: { code: string; message: string }): void;
}

export interface EmbeddedSchedulerDeps {
  listIntegrations(): Promise<readonly Integration[]>;
  latestRun(integrationId: string): Promise<LatestRun | undefined>;
  /** Runs one sync to its end (the real one: `syncIntegration`). */
  runSync(integration: Integration): Promise<SyncOutcome>;
  now(): number;
  /** Syncs of different integrations running at once (at least 1). */
  maxConcurrent: number;
  policy?: DuePolicy;
  events?: Partial<SchedulerEvents>;
}

/**
 * Runs a function now and then every `periodMs` after each run has ended (never two at once),
 * until stopped; `stop` resolves once a run in progress has ended. Errors are the function's to
 * handle (a rejection is swallowed so that the next tick still comes).
 */
export function startTicker(tick: () => Promise<unknown>, periodMs: number): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  const run = () => {
    current = tick()
      .catch(() => undefined)
      .then(() => {
        if (!stopped) timer = setTimeout(run, periodMs);
      });
  };
  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}

/**
 * The embedded scheduler of `vigil serve` (C9): on each tick it starts the syncs that are due
 * (`decideSync`), most overdue first, at most one per integration and `maxConcurrent` in all;
 * the rest wait for a later tick. Syncs run in this process; `stop` starts no more and waits for
 * those running to finish (nothing is cut off half way).
 */
export class EmbeddedScheduler {
  private readonly running = new Map<string, Promise<void>>();
  private ticking: Promise<string[]> | undefined;
  private stopping = false;
  private ticker: { stop(): Promise<void> } | undefined;

  constructor(private readonly deps: EmbeddedSchedulerDeps) {
    if (!Number.isInteger(deps.maxConcurrent) || deps.maxConcurrent < 1) {
      throw new RangeError(`maxConcurrent must be a whole number ≥ 1, not ${deps.maxConcurrent}`);
    }
  }

  /** Ids of the integrations whose sync is running now. */
  get runningIds(): string[] {
    return [...this.running.keys()];
  }

  /** Ticks now and then every `periodMs` until `stop`. */
  start(periodMs: number): void {
    if (this.ticker !== undefined) throw new Error('the scheduler is already started');
    this.ticker = startTicker(() => this.tick(), periodMs);
  }

  /**
   * Starts the due syncs that fit under the concurrency limit and returns the ids of those it
   * started (without waiting for them). A tick called while another is in progress joins it.
   */
  tick(): Promise<string[]> {
    this.ticking ??= this.startDueSyncs().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  /** Resolves when every sync running now has ended. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /** Stops ticking, starts no more syncs, and waits for the running ones to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.ticker?.stop();
    await this.ticking;
    await this.idle();
  }

  private async startDueSyncs(): Promise<string[]> {
    if (this.stopping) return [];
    let due: DueIntegration[];
    try {
      const idle = (await this.deps.listIntegrations()).filter((i) => !this.running.has(i.id));
      due = await findDueIntegrations(idle, this.deps.latestRun, this.deps.now(), this.deps.policy);
    } catch (error) {
      this.deps.events?.tickFailed?.(toVigilError(error).toJSON());
      return [];
    }
    const room = this.deps.maxConcurrent - this.running.size;
    const started = this.stopping ? [] : due.slice(0, Math.max(0, room));
    for (const entry of started) this.launch(entry);
    return started.map((entry) => entry.integration.id);
  }

  private launch({ integration, decision }: DueIntegration): void {
    const events = this.deps.events;
    events?.syncStarted?.(integration, decision);
    const sync = Promise.resolve()
      .then(() => this.deps.runSync(integration))
      .then(
        (outcome) => events?.syncFinished?.(integration, outcome),
        (error: unknown) => events?.syncFailed?.(integration, toVigilError(error).toJSON()),
      )
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(integration.id);
      });
    this.running.set(integration.id, sync);
  }
}
