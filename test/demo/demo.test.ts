import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vigil } from '../helpers/vigil-process.ts';

/**
 * `vigil demo` as a new user runs it: a child process on a fresh home, real time (the campaign
 * waits out the real query-time windows, about a minute), checked through the public API, then
 * stopped with SIGINT. Nothing may be left listening.
 */

/** Resolves with the first match of `pattern` in the demo's stdout; rejects when it exits or `ms` pass. */
function waitForOutput(demo: Vigil, pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        finish(new Error(`no ${pattern} within ${ms} ms; stdout:\n${demo.stdout}\nstderr:\n${demo.stderr}`)),
      ms,
    );
    const check = () => {
      const match = pattern.exec(demo.stdout);
      if (match) finish(undefined, match);
    };
    const onExit = () =>
      finish(new Error(`vigil demo exited early; stdout:\n${demo.stdout}\nstderr:\n${demo.stderr}`));
    function finish(error?: Error, match?: RegExpMatchArray) {
      clearTimeout(timer);
      demo.child.stdout.off('data', check);
      demo.child.off('exit', onExit);
      if (error) reject(error);
      else if (match) resolve(match);
    }
    demo.child.stdout.on('data', check);
    demo.child.once('exit', onExit);
    check();
  });
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

describe('vigil demo', () => {
  let home: string;
  let demo: Vigil;
  let url: string;
  let token: string;
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status, `GET ${path}`).toBe(200);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    home = join(await mkdtemp(join(tmpdir(), 'vigil-demo-test-')), 'home');
    demo = new Vigil(['demo', '--home', home]);
    const [, openUrl, openToken] = await waitForOutput(
      demo,
      /Open (http:\/\/127\.0\.0\.1:\d+)\/\s+and sign in with the admin token:\s+(vgl_\S+)/,
      120_000,
    );
    url = openUrl ?? '';
    token = openToken ?? '';
  }, 130_000);

  afterAll(async () => {
    if (demo?.running) await demo.stop('SIGKILL');
    await rm(join(home, '..'), { recursive: true, force: true });
  });

  it('serves the API within a minute or two with both integrations tested and synced', async () => {
    const { integrations } = await api<{ integrations: Array<{ name: string; kind: string }> }>(
      '/integrations',
    );
    expect(integrations.map((i) => i.name).sort()).toEqual(['demo-threatconnect', 'demo-threatstack']);
    const agents = await api<{ entities: unknown[] }>('/entities?type=threatstack_agent&limit=1000');
    expect(agents.entities).toHaveLength(60);
    const actors = await api<{ entities: unknown[] }>('/entities?type=threatconnect_adversary&limit=1000');
    expect(actors.entities.length).toBeGreaterThan(0);
  });

  it('runs the campaign through the windows, receives its alerts by webhook, writes the layer, then stops on SIGINT', async () => {
    await waitForOutput(demo, /Vigil is serving/, 240_000);
    const verdicts = /polls (\d+)\/(\d+) · (.*)\n(?![\s\S]*polls)/.exec(demo.stdout);
    expect(verdicts?.[1]).toBe(verdicts?.[2]);
    const alerted = Number(/(\d+) Alerted/.exec(verdicts?.[3] ?? '')?.[1] ?? 0);
    expect(alerted).toBeGreaterThan(0);
    const { alerts } = await api<{ alerts: Array<{ properties: Record<string, unknown> }> }>(
      '/alerts?limit=1000',
    );
    const received = alerts.filter((alert) => alert.properties.source === 'webhook');
    expect(received).toHaveLength(alerted);
    expect(received.every((alert) => alert.properties.verification === 'verified')).toBe(true);
    const layer = JSON.parse(await readFile(join(home, 'navigator-layer.json'), 'utf8'));
    expect(layer).toMatchObject({ domain: 'enterprise-attack', versions: { layer: '4.5' } });

    const exit = await demo.stop('SIGINT');
    expect(exit.code).toBe(0);
    const simulators = /Threat Stack at (\S+), ThreatConnect at (\S+)/.exec(demo.stdout);
    for (const address of [url, simulators?.[1], simulators?.[2]]) {
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
      expect(await refused(`${address}/`)).toBe(true);
    }
  }, 300_000);
});
