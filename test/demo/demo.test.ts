import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vigil } from '../helpers/vigil-process.ts';
import { browserAvailable, launchBrowser, screenshot, signIn } from '../ui/browser.ts';

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

  /** Every page of the UI in Chromium, signed in with the demo's token, shows the demo's data without a console error. */
  async function everyPageShowsTheDemo(alerted: number): Promise<void> {
    const actor = /Running the validation campaign of (.+?): \d+ actions? on/.exec(demo.stdout)?.[1] ?? '';
    expect(actor).not.toBe('');
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await signIn(page, url, token);
      await page.getByRole('link', { name: 'demo-threatstack', exact: true }).waitFor();
      await page.getByRole('link', { name: 'demo-threatconnect', exact: true }).waitFor();

      await page.goto(`${url}/#/graph`);
      await page.getByLabel('J1QL query').fill("FIND threatstack_agent WITH status = 'online'");
      await page.getByRole('button', { name: 'Run query' }).click();
      await page.locator('tr.result-row').first().waitFor();
      expect(await page.locator('tr.result-row').count()).toBeGreaterThan(10);

      await page.goto(`${url}/#/alerts`);
      await page.locator('tr.ts-alert').first().waitFor();
      expect(await page.locator('tr.ts-alert').count()).toBeGreaterThanOrEqual(alerted);

      await page.goto(`${url}/#/validations`);
      await page
        .getByRole('link', { name: new RegExp(`Demo campaign: ${actor}`) })
        .first()
        .click();
      await page.locator('td.verdict', { hasText: 'Alerted' }).first().waitFor();
      expect(await page.locator('td.verdict', { hasText: 'Alerted' }).count()).toBe(alerted);

      await page.goto(`${url}/#/coverage`);
      await page.locator('tr.actor-row a', { hasText: actor }).click();
      const matrix = page.locator('img.matrix');
      await matrix.waitFor();
      await expect
        .poll(() => matrix.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
        .toBeGreaterThan(0);
      await screenshot(page, 'demo-coverage');

      await page.goto(`${url}/#/monitors`);
      await page.getByRole('heading', { level: 1, name: 'Monitors' }).waitFor();
      await page.close();
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }

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

    if (browserAvailable()) await everyPageShowsTheDemo(alerted);

    const exit = await demo.stop('SIGINT');
    expect(exit.code).toBe(0);
    const simulators = /Threat Stack at (\S+), ThreatConnect at (\S+)/.exec(demo.stdout);
    for (const address of [url, simulators?.[1], simulators?.[2]]) {
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
      expect(await refused(`${address}/`)).toBe(true);
    }
  }, 300_000);
});
