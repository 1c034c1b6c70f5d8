import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ThreatStackClient } from '../../src/connectors/threatstack/client.ts';
import { threatStackSteps } from '../../src/connectors/threatstack/steps.ts';
import type { RunningThreatStackSimulator } from '../../src/simulators/threatstack/server.ts';
import { openStore } from '../../src/store/index.ts';
import type { GraphStore } from '../../src/store/types.ts';
import { runSync } from '../../src/sync/engine.ts';
import type { StepContext, SyncObserver, SyncSummary } from '../../src/sync/types.ts';

/** What a sync needs of a simulator harness: the server, whose credentials to use, and a clock. */
export interface SyncTarget {
  sim: RunningThreatStackSimulator;
  identity: { userId: string; apiKey: string; orgId: string };
  clock: { now(): number; advance(ms: number): void };
}

export const INTEGRATION_ID = 'threatstack:test';

/** A fresh SQLite store in a temp directory; `dispose` closes and removes it. */
export async function tempStore(): Promise<{ store: GraphStore; path: string; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sync-'));
  const path = join(dir, 'vigil.db');
  const store = await openStore(path);
  return {
    store,
    path,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One Threat Stack sync against the harness simulator. Time is the harness FakeClock and the
 * client's sleeps advance it, so retries and backoff cost no real time.
 */
export async function syncOnce(
  h: SyncTarget,
  store: GraphStore,
  options: {
    observer?: SyncObserver;
    integrationId?: string;
    /** Awaited once the run holds its lock, before its first step (to hold a run open in a test). */
    beforeSteps?: () => Promise<void>;
  } = {},
): Promise<SyncSummary & { requests: ThreatStackClient['stats'] }> {
  const client = new ThreatStackClient(
    {
      baseUrl: h.sim.url,
      userId: h.identity.userId,
      apiKey: h.identity.apiKey,
      orgId: h.identity.orgId,
      requestsPerMinute: 0,
    },
    {
      now: () => h.clock.now(),
      sleep: async (ms) => {
        h.clock.advance(ms);
      },
    },
  );
  try {
    const steps = threatStackSteps({
      orgId: h.identity.orgId,
      orgName: h.sim.credentials.orgName,
      alertsDays: 7,
    });
    const [first, ...rest] = steps;
    const { beforeSteps } = options;
    const gated =
      beforeSteps === undefined || first === undefined
        ? steps
        : [
            {
              ...first,
              execute: async (context: StepContext<ThreatStackClient>) => {
                await beforeSteps();
                await first.execute(context);
              },
            },
            ...rest,
          ];
    const summary = await runSync({
      store,
      integrationId: options.integrationId ?? INTEGRATION_ID,
      steps: gated,
      client,
      now: () => h.clock.now(),
      ...(options.observer ? { observer: options.observer } : {}),
    });
    return { ...summary, requests: client.stats };
  } finally {
    await client.close();
  }
}

/** Every graph row as key → content hash, read straight from the SQLite file (for whole-graph equality). */
export function graphSnapshot(path: string): {
  entities: Map<string, string>;
  relationships: Map<string, string>;
} {
  const db = new Database(path, { readonly: true });
  try {
    const read = (table: string) =>
      new Map(
        (
          db.prepare(`SELECT key, content_hash AS hash FROM ${table}`).all() as Array<{
            key: string;
            hash: string;
          }>
        ).map((r) => [r.key, r.hash]),
      );
    return { entities: read('entities'), relationships: read('relationships') };
  } finally {
    db.close();
  }
}

/** created/updated/deleted of one type in a summary. */
export function changesOf(
  summary: SyncSummary,
  type: string,
): { created: number; updated: number; deleted: number; total: number } {
  const row = summary.types.find((t) => t.type === type);
  if (!row) throw new Error(`no type ${type} in the summary`);
  return { created: row.created, updated: row.updated, deleted: row.deleted, total: row.total };
}
