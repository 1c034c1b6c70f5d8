import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/listen.ts';
import {
  type RunningThreatConnectSimulator,
  startThreatConnectSimulator,
} from '../../src/simulators/threatconnect/server.ts';
import { ValidationHarness } from '../validation/service-harness.ts';
import { type Browser, browserAvailable, launchBrowser, screenshot, serveVigil, signIn } from './browser.ts';

/**
 * The coverage and monitors pages in Chromium, written against CONTRACTS-API.md: they need the
 * `/coverage` and `/monitors` routes of the coverage and monitors branches, so they pass once those
 * are merged. Data: a ThreatConnect integration synced from its simulator (threat actors and their
 * techniques), the Threat Stack integration `ts` of the validation harness, and one monitor created
 * through the API.
 */
describe.runIf(browserAvailable())('the coverage and monitors pages in Chromium', () => {
  let h: ValidationHarness;
  let tc: RunningThreatConnectSimulator;
  let server: RunningServer;
  let browser: Browser;
  let admin: string;
  let operator: string;
  let viewer: string;
  let page: Page;

  beforeAll(async () => {
    h = await ValidationHarness.open({ agents: 2 });
    h.sim.clock.ms = Date.now();
    tc = await startThreatConnectSimulator({ owners: 1, adversaries: 3, threatsPerAdversary: 1 });
    const url = new URL(tc.url);
    await h.vigil.integrations.add({
      kind: 'threatconnect',
      name: 'tc',
      fields: {
        host: url.hostname,
        port: Number(url.port),
        protocol: 'http',
        apiRoot: tc.apiRoot,
        accessId: tc.credentials.accessId,
      },
      apiKey: tc.credentials.apiKey,
    });
    server = await serveVigil(h.vigil);
    admin = (await h.vigil.tokens.create({ name: 'ui-admin', role: 'admin' })).token;
    operator = (await h.vigil.tokens.create({ name: 'ui-operator', role: 'operator' })).token;
    viewer = (await h.vigil.tokens.create({ name: 'ui-viewer', role: 'viewer' })).token;
    browser = await launchBrowser();
  }, 60_000);

  afterEach(async () => {
    await page?.close();
    expect(browser.errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await tc?.close();
    await h?.close();
  });

  it('lists the actors, and per actor draws the matrix SVG with totals and both exports', async () => {
    page = await browser.newPage();
    await signIn(page, server.url, operator);
    await page.goto(`${server.url}/#/coverage`);
    await page.getByRole('heading', { level: 1, name: 'Coverage' }).waitFor();
    const first = page.locator('tr.actor-row a').first();
    await first.waitFor();
    const actor = (await first.textContent()) ?? '';
    await screenshot(page, 'coverage');
    await first.click();
    await page.getByRole('heading', { level: 1, name: `Coverage of ${actor}` }).waitFor();
    await page.getByRole('list', { name: 'Techniques by verdict' }).waitFor();
    const matrix = page.locator('img.matrix');
    await matrix.waitFor();
    await expect
      .poll(() => matrix.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    for (const [button, suffix] of [
      ['Download ATT&CK Navigator layer', '-layer.json'],
      ['Download STIX 2.1 bundle', '-stix.json'],
    ] as const) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: button }).click(),
      ]);
      expect(download.suggestedFilename().endsWith(suffix)).toBe(true);
    }
    await screenshot(page, 'coverage-actor');
  });

  it('lists monitors; a monitor shows its drift history and runs, and an operator runs it now', async () => {
    const created = await fetch(`${server.url}/api/v1/monitors`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'nightly-shell',
        integration: 'ts',
        techniques: ['T1059.004'],
        host: h.hosts[0],
        every: '1d',
        expect: 'detected',
      }),
    });
    expect(created.status).toBe(201);
    page = await browser.newPage();
    await signIn(page, server.url, operator);
    await page.goto(`${server.url}/#/monitors`);
    await page.getByRole('heading', { level: 1, name: 'Monitors' }).waitFor();
    const row = page.locator('tr.monitor-row', { hasText: 'nightly-shell' });
    await row.waitFor();
    expect(await row.textContent()).toContain('T1059.004');
    await screenshot(page, 'monitors');
    await row.getByRole('link', { name: 'nightly-shell' }).click();
    await page.getByRole('heading', { level: 1, name: 'Monitor nightly-shell' }).waitFor();
    await page.getByRole('heading', { name: 'Drift history' }).waitFor();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('status').filter({ hasText: 'Started validation' }).waitFor();
    await screenshot(page, 'monitor');
  });

  it('a viewer sees the monitor but no Run now button', async () => {
    page = await browser.newPage();
    await signIn(page, server.url, viewer);
    await page.goto(`${server.url}/#/monitors/nightly-shell`);
    await page.getByRole('heading', { name: 'Drift history' }).waitFor();
    expect(await page.getByRole('button', { name: 'Run now' }).count()).toBe(0);
  });
});
