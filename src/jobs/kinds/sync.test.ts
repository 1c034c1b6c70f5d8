import { describe, expect, it } from 'vitest';
import { testIntegration } from '../../../test/helpers/integrations.ts';
import { captureLogger } from '../../../test/helpers/log-capture.ts';
import { VigilError } from '../../errors.ts';
import type { LatestRun } from '../due.ts';
import type { JobContext } from '../types.ts';
import { handleSyncJob, type SyncJobDeps, syncJobKind } from './sync.ts';

const integration = testIntegration('tc-one', 60, { id: 'i1', at: '2026-11-25T11:00:00.000Z' });
const now = Date.parse('2026-11-25T12:00:00.000Z');
const data = { integrationId: 'i1', slot: 'first#0' };

function context(attempt: number): JobContext {
  return {
    signal: new AbortController().signal,
    logger: captureLogger().logger,
    now: () => now,
    attempt,
    leaseMs: 30_000,
  };
}

function deps(latest: LatestRun | undefined, overrides: Partial<SyncJobDeps> = {}) {
  const synced: string[] = [];
  const value: SyncJobDeps = {
    listIntegrations: async () => [integration],
    findIntegration: async (id) => (id === integration.id ? integration : undefined),
    latestRun: async () => latest,
    runSync: async (i) => {
      synced.push(i.id);
      return { runId: 'r-new', status: 'success', durationMs: 5, writtenTypes: [] };
    },
    ...overrides,
  };
  return { deps: value, synced };
}

const recent = (status: LatestRun['status']): LatestRun => ({
  id: 'r-old',
  status,
  startedAt: new Date(now - 5_000).toISOString(),
});

const throwing = (code: 'CONFIG_INVALID' | 'STORE_ERROR' | 'SYNC_IN_PROGRESS', message: string) => ({
  runSync: async () => {
    throw new VigilError(code, message);
  },
});

describe('the sync job handler (decides again while it holds the job)', () => {
  it('syncs when due', async () => {
    const { deps: d, synced } = deps(undefined);
    expect(await handleSyncJob(data, context(0), d)).toEqual({
      status: 'completed',
      output: { runId: 'r-new', status: 'success', durationMs: 5, writtenTypes: [] },
    });
    expect(synced).toEqual(['i1']);
  });

  it('skips a job whose slot another job already served', async () => {
    const { deps: d, synced } = deps(recent('success'));
    expect(await handleSyncJob(data, context(0), d)).toEqual({ status: 'skipped', reason: 'not-due' });
    expect(synced).toEqual([]);
  });

  it('leaves a running run alone on a first attempt, and takes it for its own dead attempt on a retry', async () => {
    const first = deps(recent('running'));
    expect(await handleSyncJob(data, context(0), first.deps)).toEqual({
      status: 'skipped',
      reason: 'running',
    });
    const retry = deps(recent('running'));
    expect((await handleSyncJob(data, context(1), retry.deps)).status).toBe('completed');
    expect(retry.synced).toEqual(['i1']);
  });

  it('skips a removed integration', async () => {
    const { deps: d } = deps(undefined, { findIntegration: async () => undefined });
    expect(await handleSyncJob(data, context(0), d)).toEqual({
      status: 'skipped',
      reason: 'integration-removed',
    });
  });

  it('fails without a retry when the sync throws, but with a retry for a store failure', async () => {
    const config = deps(undefined, throwing('CONFIG_INVALID', 'no API key'));
    expect(await handleSyncJob(data, context(0), config.deps)).toEqual({
      status: 'failed',
      error: { code: 'CONFIG_INVALID', message: 'no API key' },
      retry: false,
    });
    const store = deps(undefined, throwing('STORE_ERROR', 'connection refused'));
    expect(await handleSyncJob(data, context(0), store.deps)).toMatchObject({
      status: 'failed',
      error: { code: 'STORE_ERROR' },
      retry: true,
    });
  });

  it('skips when another process holds the run lock (SYNC_IN_PROGRESS)', async () => {
    const locked = deps(undefined, throwing('SYNC_IN_PROGRESS', 'another run is in progress'));
    expect(await handleSyncJob(data, context(1), locked.deps)).toEqual({
      status: 'skipped',
      reason: 'sync-in-progress',
    });
  });

  it("passes the job's signal to the sync", async () => {
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const { deps: d } = deps(undefined, {
      runSync: async (_i, options) => {
        signals.push(options.signal);
        return { runId: 'r', status: 'success', durationMs: 1, writtenTypes: [] };
      },
    });
    await handleSyncJob(data, { ...context(0), signal: controller.signal }, d);
    expect(signals).toEqual([controller.signal]);
  });
});

describe('the sync kind planner', () => {
  it('plans one job per due slot, keyed by integration and slot, grouped by integration, leaving out held ones', async () => {
    const other = testIntegration('tc-two', 60, { id: 'i2', at: '2026-11-25T11:00:00.000Z' });
    const { deps: d } = deps(undefined, { listIntegrations: async () => [integration, other] });
    const kind = syncJobKind(d, { leaseMs: 30_000 });
    expect(await kind.planDue?.(now, new Set(['i2']))).toEqual([
      { data: { integrationId: 'i1', slot: 'first#60' }, key: 'i1|first#60', group: 'i1' },
    ]);
  });

  it('takes a running run for dead only after two leases when no job holds it', async () => {
    const running = (msAgo: number): LatestRun => ({
      id: 'r-old',
      status: 'running',
      startedAt: new Date(now - msAgo).toISOString(),
    });
    const kind = (latest: LatestRun) => syncJobKind(deps(latest).deps, { leaseMs: 30_000 });
    expect(await kind(running(59_999)).planDue?.(now, new Set())).toEqual([]);
    expect((await kind(running(60_000)).planDue?.(now, new Set()))?.map((job) => job.key)).toEqual([
      'i1|r-old#0',
    ]);
  });
});
