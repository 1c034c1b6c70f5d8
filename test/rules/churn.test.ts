import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { graphEntities } from '../../src/graph/vocabulary.ts';
import type { QueryResult } from '../../src/rules/evaluate.ts';
import { createRuleEvaluator } from '../../src/rules/evaluator.ts';
import type { AlertPayload } from '../../src/rules/payload.ts';
import { createRuleService } from '../../src/rules/service.ts';
import type { GraphStore } from '../../src/store/types.ts';
import type { SyncSummary } from '../../src/sync/types.ts';
import { syncOnce, tempStore } from '../helpers/sync.ts';
import { admin, type SimHarness, startSim } from '../helpers/threatstack.ts';

/**
 * Until the J1QL engine merges, `FIND threatstack_agent` is answered by the store's own listing in
 * JupiterOne's list shape, and the types it reads are given; everything else is the real thing:
 * the simulator, the sync engine, the store, the rule evaluator and a webhook receiver on loopback.
 */
function findAgents(store: GraphStore) {
  return async (): Promise<QueryResult> => {
    const entities = await store.listEntities({ type: 'threatstack_agent', limit: 100_000 });
    return {
      type: 'list',
      data: entities.map((e) => ({
        _key: e._key,
        _type: e._type,
        _class: e._class,
        displayName: e.displayName,
      })),
    };
  };
}

const writtenTypes = (summary: SyncSummary) =>
  summary.types.filter((t) => t.created + t.updated + t.deleted > 0).map((t) => t.type);

describe('a `new` rule over real syncs', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('fires once for the agents a churn sync added, and not for an unchanged re-sync', async () => {
    const h: SimHarness = await startSim({ agents: 12, cves: 6, findingsPerAgent: 2, alerts: 3 });
    cleanups.push(() => h.close());
    const { store, dispose } = await tempStore();
    cleanups.push(dispose);
    const bodies: AlertPayload[] = [];
    const receiver: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertPayload);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    let ids = 0;
    const now = () => new Date(h.clock.now());
    const newId = () => `id-${++ids}`;
    const service = createRuleService({ store, now, newId });
    const evaluator = createRuleEvaluator({
      store,
      runQuery: findAgents(store),
      typesReadBy: () => new Set(['threatstack_agent']),
      now,
      newId,
      webhook: { sleep: async () => {}, random: () => 0, now, warn: () => {} },
      logAlert: () => {},
    });
    await service.addRule({
      name: 'new agents',
      queries: [{ text: 'FIND threatstack_agent' }],
      when: 'new',
      actions: [`webhook:${url}`],
    });
    const syncAndEvaluate = async () => {
      const summary = await syncOnce(h, store);
      const selected = await evaluator.rulesToEvaluateAfterSync(writtenTypes(summary));
      return Promise.all(selected.map((id) => evaluator.evaluateRule(id)));
    };

    const [baseline] = await syncAndEvaluate();
    expect(baseline).toMatchObject({ fired: true, rowCount: 12, decision: 'open' });

    const churn = await admin<{ addedAgents: string[] }>(h.sim.url, 'POST', '/_sim/churn', { addAgents: 3 });
    const [afterChurn] = await syncAndEvaluate();
    expect(afterChurn).toMatchObject({ fired: true, rowCount: 3, decision: 'refresh' });
    expect(bodies).toHaveLength(2);
    const added = (bodies[1]?.rows ?? []).map(({ row }) => row._key);
    expect(added.sort()).toEqual(churn.json.addedAgents.map(graphEntities.threatstackAgent.key).sort());
    expect(bodies[1]).toMatchObject({ rule: 'new agents', condition: 'new', rowCount: 3, truncated: false });

    expect(await syncAndEvaluate()).toEqual([]);
    expect(await evaluator.evaluateRule('new agents')).toMatchObject({ fired: false, decision: 'clear' });
    expect(bodies).toHaveLength(2);
  });
});
