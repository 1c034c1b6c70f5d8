import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, MetricsRegistry } from '../../src/server/metrics.ts';
import { bearer, type Harness, openHarness } from './harness.ts';

describe('MetricsRegistry', () => {
  it('renders counters, gauges and histograms in the Prometheus text format', async () => {
    const registry = new MetricsRegistry();
    const runs = registry.register(new Counter('runs_total', 'Runs.', ['integration', 'status']));
    const depth = registry.register(new Gauge('depth', 'Depth.'));
    const duration = registry.register(
      new Histogram('duration_seconds', 'Duration.', [1, 5], ['integration']),
    );
    runs.inc({ integration: 'prod', status: 'success' });
    runs.inc({ integration: 'prod', status: 'success' }, 2);
    runs.inc({ integration: 'we"ird\\', status: 'failure' });
    depth.set({}, 4);
    duration.observe({ integration: 'prod' }, 0.5);
    duration.observe({ integration: 'prod' }, 3);
    duration.observe({ integration: 'prod' }, 9);
    expect(await registry.render()).toBe(
      [
        '# HELP runs_total Runs.',
        '# TYPE runs_total counter',
        'runs_total{integration="prod",status="success"} 3',
        'runs_total{integration="we\\"ird\\\\",status="failure"} 1',
        '# HELP depth Depth.',
        '# TYPE depth gauge',
        'depth 4',
        '# HELP duration_seconds Duration.',
        '# TYPE duration_seconds histogram',
        'duration_seconds_bucket{integration="prod",le="1"} 1',
        'duration_seconds_bucket{integration="prod",le="5"} 2',
        'duration_seconds_bucket{integration="prod",le="+Inf"} 3',
        'duration_seconds_sum{integration="prod"} 12.5',
        'duration_seconds_count{integration="prod"} 3',
        '',
      ].join('\n'),
    );
  });

  it('refuses a counter decrease and a name registered twice', () => {
    const registry = new MetricsRegistry();
    const counter = registry.register(new Counter('c', 'C.'));
    expect(() => counter.inc({}, -1)).toThrow('Counter c cannot decrease');
    expect(() => registry.register(new Counter('c', 'again'))).toThrow('Metric c is registered twice');
  });
});

describe('GET /metrics', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await openHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('serves Vigil metrics as text to a viewer, reading the job queue depth at scrape time', async () => {
    const viewer = await harness.tokenFor('viewer');
    harness.metrics.syncRuns.inc({ integration: 'prod', status: 'success' });
    harness.metrics.syncDuration.observe({ integration: 'prod', status: 'success' }, 42);
    harness.metrics.vendorRequests.inc({ integration: 'prod' }, 12);
    harness.metrics.vendorRetries.inc({ integration: 'prod' });
    harness.metrics.vendorRateLimited.inc({ integration: 'prod' });
    harness.queueDepth.value = 7;
    const answer = await harness.app.inject({ url: '/metrics', headers: bearer(viewer) });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const line of [
      'vigil_sync_runs_total{integration="prod",status="success"} 1',
      'vigil_sync_duration_seconds_bucket{integration="prod",status="success",le="60"} 1',
      'vigil_sync_duration_seconds_bucket{integration="prod",status="success",le="30"} 0',
      'vigil_vendor_requests_total{integration="prod"} 12',
      'vigil_vendor_retries_total{integration="prod"} 1',
      'vigil_vendor_rate_limited_total{integration="prod"} 1',
      'vigil_job_queue_depth 7',
    ]) {
      expect(answer.body.split('\n')).toContain(line);
    }
  });
});
