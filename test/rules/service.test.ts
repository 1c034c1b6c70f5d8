import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import type { QueryResult } from '../../src/rules/evaluate.ts';
import { createRuleEvaluator, type RuleEvaluator } from '../../src/rules/evaluator.ts';
import type { AlertPayload } from '../../src/rules/payload.ts';
import { createRuleService, type RuleService } from '../../src/rules/service.ts';
import { storeBackends, type TestStore } from '../../src/store/testing.ts';

const agents = (...keys: string[]): QueryResult => ({
  type: 'list',
  data: keys.map((key) => ({ _key: key, _type: 'threatstack_agent', displayName: `host-${key}` })),
});

/** A loopback receiver answering every POST with `status`, keeping the bodies. */
async function receiver(status: number): Promise<{ server: Server; url: string; bodies: AlertPayload[] }> {
  const bodies: AlertPayload[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertPayload);
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/token-123`, bodies };
}

async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
  } catch (error) {
    return error instanceof VigilError ? error.code : 'not a VigilError';
  }
  return undefined;
}

describe.each(storeBackends)('rule service and evaluator on $name', (backend) => {
  let opened: TestStore | undefined;
  let servers: Server[] = [];
  let service: RuleService;
  let evaluator: RuleEvaluator;
  let result: QueryResult;
  let clock: number;
  let ids: number;
  let logged: AlertPayload[];

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    opened = await backend.open();
    result = agents();
    clock = Date.parse('2026-01-01T00:00:00.000Z');
    ids = 0;
    logged = [];
    const now = () => new Date(clock);
    const newId = () => `id-${++ids}`;
    service = createRuleService({ store: opened.store, now, newId });
    evaluator = createRuleEvaluator({
      store: opened.store,
      runQuery: async () => result,
      typesReadBy: (text) => new Set(text.includes('threatstack_agent') ? ['threatstack_agent'] : ['cve']),
      now,
      newId,
      webhook: {
        sleep: async (ms) => {
          clock += ms;
        },
        random: () => 0,
        now: () => new Date(clock),
        warn: () => {},
      },
      webhookPolicy: {
        maxAttempts: 2,
        baseDelayMs: 10,
        maxDelayMs: 100,
        attemptTimeoutMs: 5_000,
        totalTimeMs: 60_000,
      },
      logAlert: (payload) => logged.push(payload),
    });
  });

  afterEach(async () => {
    for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
    servers = [];
    await opened?.dispose();
    opened = undefined;
  });

  /** Sets the query's answer, moves the clock a minute and evaluates. */
  async function evaluate(...keys: string[]) {
    result = agents(...keys);
    clock += 60_000;
    return evaluator.evaluateRule('new agents');
  }

  it('walks a `new` rule through its alert lifecycle, posting each opening or firing', async () => {
    const hook = await receiver(200);
    servers.push(hook.server);
    const rule = await service.addRule({
      name: 'new agents',
      queries: [{ text: 'FIND threatstack_agent' }],
      when: 'new',
      actions: ['log', `webhook:${hook.url}`],
    });

    const first = await evaluate('a', 'b');
    expect(first).toMatchObject({ fired: true, rowCount: 2, decision: 'open' });
    expect(first.deliveries).toEqual([{ outcome: 'delivered', attempts: 1, statusCode: 200 }]);
    expect(hook.bodies[0]).toMatchObject({
      rule: 'new agents',
      condition: 'new',
      rowCount: 2,
      alertId: first.alertId,
    });
    expect(hook.bodies[0]?.rows.map(({ row }) => row._key)).toEqual(['a', 'b']);
    expect(logged).toHaveLength(1);

    expect(await evaluate('b', 'a')).toMatchObject({
      fired: false,
      decision: 'clear',
      alertId: first.alertId,
    });
    const third = await evaluate('a', 'b', 'c');
    expect(third).toMatchObject({ fired: true, rowCount: 1, decision: 'open' });
    expect(hook.bodies[1]?.rows.map(({ row }) => row._key)).toEqual(['c']);

    await service.dismissAlert(third.alertId ?? '', 'alice');
    expect(await evaluate('a', 'b', 'c', 'd')).toMatchObject({
      fired: true,
      decision: 'silenced',
      deliveries: [],
    });
    expect(await evaluate('a', 'b', 'c', 'd')).toMatchObject({ fired: false, decision: 'clear' });
    const reopened = await evaluate('a', 'b', 'c', 'd', 'e');
    expect(reopened).toMatchObject({ decision: 'open', rowCount: 1 });
    expect(hook.bodies).toHaveLength(3);

    const alerts = await service.listAlerts({ rule: 'NEW AGENTS' });
    expect(alerts.map((alert) => [alert.id, alert.status])).toEqual([
      [reopened.alertId, 'ACTIVE'],
      [third.alertId, 'DISMISSED'],
      [first.alertId, 'INACTIVE'],
    ]);
    const details = await service.showRule('new agents');
    expect(details.rule.id).toBe(rule.id);
    expect(details.lastEvaluatedAt).toBe(new Date(clock).toISOString());
    expect(details.openAlert?.id).toBe(reopened.alertId);
    expect(details.deliveries.map((attempt) => [attempt.statusCode, attempt.outcome])).toEqual([
      [200, 'delivered'],
      [200, 'delivered'],
      [200, 'delivered'],
    ]);
    expect(JSON.stringify(details.deliveries)).not.toContain('token-123');
  });

  it('opens the alert and records a failed delivery when the webhook always answers 500', async () => {
    const hook = await receiver(500);
    servers.push(hook.server);
    await service.addRule({
      name: 'new agents',
      queries: [{ text: 'FIND threatstack_agent' }],
      when: 'any',
      actions: [`webhook:${hook.url}`],
    });
    const report = await evaluate('a');
    expect(report).toMatchObject({ fired: true, decision: 'open' });
    expect(report.deliveries).toEqual([{ outcome: 'failed', attempts: 2, statusCode: 500 }]);
    expect((await service.showRule('new agents')).deliveries.map((attempt) => attempt.outcome)).toEqual([
      'failed',
      'retrying',
    ]);
    expect((await service.listAlerts({ status: 'ACTIVE' })).map((alert) => alert.id)).toEqual([
      report.alertId,
    ]);
  });

  it('selects rules after a sync and on their interval; removes a rule keeping its alerts', async () => {
    const rule = await service.addRule({
      name: 'new agents',
      queries: [{ text: 'FIND threatstack_agent' }],
      when: 'any',
      actions: ['log'],
      every: '15m',
    });
    await service.addRule({ name: 'cves', queries: [{ text: 'FIND cve' }], when: 'any', actions: ['log'] });
    expect(await evaluator.rulesToEvaluateAfterSync(['threatstack_agent'])).toEqual([rule.id]);
    expect((await evaluator.dueRules()).map((due) => due.ruleId)).toEqual([rule.id]);
    await evaluate('a');
    expect(await evaluator.dueRules()).toEqual([]);
    clock += 15 * 60_000;
    expect((await evaluator.dueRules()).map((due) => due.ruleId)).toEqual([rule.id]);

    expect(
      await codeOf(
        service.addRule({ name: 'CVES', queries: [{ text: 'FIND cve' }], when: 'any', actions: ['log'] }),
      ),
    ).toBe('INPUT_INVALID');
    await service.removeRule('new agents');
    expect((await service.listRules()).map((r) => r.name)).toEqual(['cves']);
    expect(await service.listAlerts()).toHaveLength(1);
    expect(await codeOf(service.showRule('new agents'))).toBe('NOT_FOUND');
    expect(await codeOf(service.dismissAlert('nope', 'alice'))).toBe('NOT_FOUND');
  });
});
