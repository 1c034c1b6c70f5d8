import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storeBackends } from '../../src/store/testing.ts';
import { syncOnce } from '../helpers/sync.ts';
import { admin, type SimHarness, startSim } from '../helpers/threatstack.ts';

/** Entity counts per type the simulator's data should give. */
async function expectedEntities(h: SimHarness): Promise<Record<string, number>> {
  const since = new Date(h.clock.now() - 7 * 86_400_000).toISOString();
  const truth = (
    await admin<{
      agents: { total: number; withoutInstance: number };
      ec2: { total: number };
      cves: { total: number };
      alerts: { since: { total: number } };
    }>(h.sim.url, 'GET', `/_sim/stats?alertsSince=${since}`)
  ).json;
  return {
    threatstack_account: 1,
    threatstack_agent: truth.agents.total,
    aws_instance: truth.ec2.total,
    server: truth.agents.withoutInstance,
    cve: truth.cves.total,
    threatstack_alert: truth.alerts.since.total,
  };
}

describe('two overlapping syncs of one integration', () => {
  let h: SimHarness;
  const disposers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    h = await startSim({ agents: 60, cves: 30, findingsPerAgent: 3, alerts: 40 });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    for (const dispose of disposers.splice(0)) await dispose();
  });

  for (const backend of storeBackends) {
    it.skipIf(!backend.available)(
      `on ${backend.name}: the second is refused with SYNC_IN_PROGRESS and the graph stays whole`,
      async () => {
        const opened = await backend.open();
        disposers.push(opened.dispose);
        expect((await syncOnce(h, opened.store)).status).toBe('success');
        const elsewhere = await opened.reopen();

        // The first run holds its lock while the second (another process, in effect) starts.
        let refusal: unknown;
        const first = syncOnce(h, opened.store, {
          beforeSteps: async () => {
            refusal = await syncOnce(h, elsewhere).then(
              () => undefined,
              (error: unknown) => error,
            );
          },
        });
        expect((await first).status).toBe('success');
        expect(refusal).toMatchObject({
          code: 'SYNC_IN_PROGRESS',
          message: expect.stringMatching(/in progress \(run .+, since /),
        });

        expect(await opened.store.countEntitiesByType()).toEqual(await expectedEntities(h));
        const runs = await opened.store.listRuns();
        expect(runs.map((run) => run.status)).toEqual(['success', 'success']);
        const last = await syncOnce(h, elsewhere);
        expect(last.types.every((type) => type.deleted === 0 && type.created === 0)).toBe(true);
      },
    );
  }
});
