import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningThreatStackSimulator,
  startThreatStackSimulator,
} from '../../src/simulators/threatstack/server.ts';
import { graphSnapshot, type SyncTarget, syncOnce, tempStore } from '../helpers/sync.ts';
import { admin } from '../helpers/threatstack.ts';

/** Resolves with the first stderr line matching `pattern` (the sync prints plain progress lines off a TTY). */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!child.stderr) return reject(new Error('no stderr'));
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      if (pattern.test(line)) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`sync exited (${code}) before printing ${pattern}`)));
  });
}

describe('a sync killed with SIGKILL mid-run', () => {
  let sim: RunningThreatStackSimulator;
  let target: SyncTarget;
  beforeAll(async () => {
    sim = await startThreatStackSimulator({
      agents: 300,
      cves: 80,
      findingsPerAgent: 5,
      alerts: 100,
      rateLimit: 0,
    });
    target = {
      sim,
      identity: {
        userId: sim.credentials.userId,
        apiKey: sim.credentials.apiKey,
        orgId: sim.credentials.orgId,
      },
      clock: { now: () => Date.now(), advance: () => {} },
    };
  });
  afterAll(() => sim.close());

  it('leaves what was upserted, and the next run completes the graph with no duplicates and nothing wrongly deleted', async () => {
    const crashed = await tempStore();
    const clean = await tempStore();
    try {
      // Hold vulnerability pages so the process is certainly mid-run when it is killed.
      await admin(sim.url, 'PUT', '/_sim/faults', {
        slow: { probability: 1, delayMs: 60_000 },
        pathPrefix: '/v2/vulnerabilities',
      });
      const child = spawn(process.execPath, ['bin/vigil.js', 'sync', 'threatstack', '--db', crashed.path], {
        env: {
          ...process.env,
          TS_USER_ID: sim.credentials.userId,
          TS_API_KEY: sim.credentials.apiKey,
          TS_ORGANIZATION_ID: sim.credentials.orgId,
          TS_ORGANIZATION_NAME: sim.credentials.orgName,
          TS_HOST: '127.0.0.1',
          TS_PORT: new URL(sim.url).port,
          TS_PROTOCOL: 'http',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      await waitForLine(child, /^\[\d\/5\] Vulnerabilities …/);
      const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      await admin(sim.url, 'PUT', '/_sim/faults', {});

      const leftBehind = graphSnapshot(crashed.path);
      expect(leftBehind.entities.size).toBeGreaterThan(0);
      const integrationId = `threatstack:${sim.credentials.orgId}`;
      const [interrupted] = await crashed.store.listRuns(integrationId);
      expect(interrupted?.status).toBe('running');

      const resumed = await syncOnce(target, crashed.store, { integrationId });
      // The killed run's change log shows what it committed; the next run claims only the rest.
      const createdBy = async (runId: string, kind: 'entity' | 'relationship') =>
        (await crashed.store.listChanges(runId))
          .filter((change) => change.kind === kind)
          .reduce((sum, change) => sum + change.created, 0);
      expect(await createdBy(interrupted!.id, 'entity')).toBe(leftBehind.entities.size);
      expect(await createdBy(interrupted!.id, 'relationship')).toBe(leftBehind.relationships.size);
      const reference = await syncOnce(target, clean.store, { integrationId });
      expect(resumed.status).toBe('success');
      expect(reference.status).toBe('success');
      const after = graphSnapshot(crashed.path);
      expect(after).toEqual(graphSnapshot(clean.path));
      expect(await createdBy(resumed.runId, 'entity')).toBe(after.entities.size - leftBehind.entities.size);
      for (const key of leftBehind.entities.keys()) expect(after.entities.has(key)).toBe(true);
      const runs = await crashed.store.listRuns(integrationId);
      expect(runs.map((r) => r.status)).toEqual(['success', 'aborted']);
    } finally {
      await admin(sim.url, 'PUT', '/_sim/faults', {});
      await crashed.dispose();
      await clean.dispose();
    }
  });
});
