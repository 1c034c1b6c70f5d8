/**
 * A tiny metrics registry rendered in the Prometheus text exposition format (version 0.0.4):
 * counters, gauges (set, or read through a callback at scrape time) and histograms, each with
 * a fixed set of label names. Enough for `/metrics` without a dependency.
 */

type Labels<Name extends string> = Record<Name, string>;

interface Metric {
  readonly name: string;
  render(): Promise<string[]>;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatLabels(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return '';
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** Series keyed by their label values, in the metric's label-name order. */
class Series<Name extends string, Value> {
  private readonly values = new Map<string, { pairs: Array<[string, string]>; value: Value }>();

  constructor(private readonly labelNames: readonly Name[]) {}

  /** The value of the series of `labels`, created with `initial()` on first use. */
  get(labels: Labels<Name>, initial: () => Value): Value {
    const pairs = this.labelNames.map((name): [string, string] => [name, labels[name]]);
    const key = JSON.stringify(pairs.map(([, value]) => value));
    const existing = this.values.get(key);
    if (existing !== undefined) return existing.value;
    const value = initial();
    this.values.set(key, { pairs, value });
    return value;
  }

  entries(): Array<{ pairs: Array<[string, string]>; value: Value }> {
    return [...this.values.values()];
  }
}

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`];
}

/** A monotonically increasing count per label set. */
export class Counter<Name extends string = never> implements Metric {
  private readonly series: Series<Name, { value: number }>;

  constructor(
    readonly name: string,
    private readonly help: string,
    labelNames: readonly Name[] = [],
  ) {
    this.series = new Series(labelNames);
  }

  /** Adds `by` (default 1, never negative) to the series of `labels`. */
  inc(labels: Labels<Name>, by = 1): void {
    if (by < 0) throw new RangeError(`Counter ${this.name} cannot decrease`);
    this.series.get(labels, () => ({ value: 0 })).value += by;
  }

  async render(): Promise<string[]> {
    const lines = this.series
      .entries()
      .map(({ pairs, value }) => `${this.name}${formatLabels(pairs)} ${formatNumber(value.value)}`);
    return [...header(this.name, this.help, 'counter'), ...lines];
  }
}

/** A value that goes up and down: set explicitly, or read from `collect` at every scrape. */
export class Gauge<Name extends string = never> implements Metric {
  private readonly series: Series<Name, { value: number }>;

  constructor(
    readonly name: string,
    private readonly help: string,
    labelNames: readonly Name[] = [],
    private readonly collect?: () => Promise<Array<{ labels: Labels<Name>; value: number }>>,
  ) {
    this.series = new Series(labelNames);
  }

  set(labels: Labels<Name>, value: number): void {
    this.series.get(labels, () => ({ value })).value = value;
  }

  async render(): Promise<string[]> {
    if (this.collect !== undefined)
      for (const { labels, value } of await this.collect()) this.set(labels, value);
    const lines = this.series
      .entries()
      .map(({ pairs, value }) => `${this.name}${formatLabels(pairs)} ${formatNumber(value.value)}`);
    return [...header(this.name, this.help, 'gauge'), ...lines];
  }
}

/** Observations counted into cumulative buckets (upper bounds, ascending), with their sum and count. */
export class Histogram<Name extends string = never> implements Metric {
  private readonly series: Series<Name, { buckets: number[]; sum: number; count: number }>;
  private readonly bounds: number[];

  constructor(
    readonly name: string,
    private readonly help: string,
    bounds: readonly number[],
    labelNames: readonly Name[] = [],
  ) {
    this.bounds = [...bounds].sort((a, b) => a - b);
    this.series = new Series(labelNames);
  }

  observe(labels: Labels<Name>, value: number): void {
    const state = this.series.get(labels, () => ({ buckets: this.bounds.map(() => 0), sum: 0, count: 0 }));
    this.bounds.forEach((bound, index) => {
      if (value <= bound) state.buckets[index] = (state.buckets[index] ?? 0) + 1;
    });
    state.sum += value;
    state.count += 1;
  }

  async render(): Promise<string[]> {
    const lines = this.series
      .entries()
      .flatMap(({ pairs, value }) => [
        ...this.bounds.map(
          (bound, index) =>
            `${this.name}_bucket${formatLabels([...pairs, ['le', formatNumber(bound)]])} ${value.buckets[index] ?? 0}`,
        ),
        `${this.name}_bucket${formatLabels([...pairs, ['le', '+Inf']])} ${value.count}`,
        `${this.name}_sum${formatLabels(pairs)} ${formatNumber(value.sum)}`,
        `${this.name}_count${formatLabels(pairs)} ${value.count}`,
      ]);
    return [...header(this.name, this.help, 'histogram'), ...lines];
  }
}

/** Metrics rendered together, in registration order. */
export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(metric: M): M {
    if (this.metrics.some((existing) => existing.name === metric.name)) {
      throw new Error(`Metric ${metric.name} is registered twice`);
    }
    this.metrics.push(metric);
    return metric;
  }

  /** The exposition text: every metric's HELP, TYPE and samples, ending with a newline. */
  async render(): Promise<string> {
    const blocks = await Promise.all(this.metrics.map((metric) => metric.render()));
    return `${blocks.flat().join('\n')}\n`;
  }
}

/** The content type of the exposition text. */
export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

/** Upper bounds (seconds) of the sync duration histogram: 1 s to 1 h. */
const syncDurationBounds = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

/** Vigil's metrics. The job queue depth is read at scrape time from `queueDepth`. */
export interface VigilMetrics {
  registry: MetricsRegistry;
  syncRuns: Counter<'integration' | 'status'>;
  syncDuration: Histogram<'integration' | 'status'>;
  vendorRequests: Counter<'integration'>;
  vendorRetries: Counter<'integration'>;
  vendorRateLimited: Counter<'integration'>;
  webhookAlerts: Counter<'result'>;
  jobQueueDepth: Gauge;
}

/** Creates Vigil's metrics in a fresh registry; `queueDepth` answers the job queue's depth per scrape. */
export function createVigilMetrics(queueDepth: () => Promise<number>): VigilMetrics {
  const registry = new MetricsRegistry();
  return {
    registry,
    syncRuns: registry.register(
      new Counter('vigil_sync_runs_total', 'Sync runs finished, by integration and status.', [
        'integration',
        'status',
      ]),
    ),
    syncDuration: registry.register(
      new Histogram('vigil_sync_duration_seconds', 'Duration of finished sync runs.', syncDurationBounds, [
        'integration',
        'status',
      ]),
    ),
    vendorRequests: registry.register(
      new Counter('vigil_vendor_requests_total', 'Requests sent to a vendor API, by integration.', [
        'integration',
      ]),
    ),
    vendorRetries: registry.register(
      new Counter('vigil_vendor_retries_total', 'Vendor API requests retried, by integration.', [
        'integration',
      ]),
    ),
    vendorRateLimited: registry.register(
      new Counter('vigil_vendor_rate_limited_total', 'Vendor API answers 429, by integration.', [
        'integration',
      ]),
    ),
    webhookAlerts: registry.register(
      new Counter(
        'vigil_webhook_alerts_total',
        'Webhook intake: alerts accepted or duplicate, deliveries rejected.',
        ['result'],
      ),
    ),
    jobQueueDepth: registry.register(
      new Gauge('vigil_job_queue_depth', 'Jobs waiting in the job runtime.', [], async () => [
        { labels: {}, value: await queueDepth() },
      ]),
    ),
  };
}
