import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/listen.ts';
import { ValidationHarness } from '../validation/service-harness.ts';
import { type Browser, browserAvailable, launchBrowser, screenshot, serveVigil, signIn } from './browser.ts';

/**
 * The web UI in Chromium over a real Vigil (SQLite) and the Threat Stack simulator: login, every
 * page loads without a console error, a query shows rows, an integration's test shows its code, a
 * validation's verdicts appear while the page polls, a viewer sees no edit buttons. Screenshots go
 * to test-artifacts/.
 */
describe.runIf(browserAvailable())('the web UI in Chromium', () => {
  let h: ValidationHarness;
  let server: RunningServer;
  let browser: Browser;
  let operator: string;
  let viewer: string;
  let page: Page;

  beforeAll(async () => {
    h = await ValidationHarness.open({ agents: 2 });
    h.sim.clock.ms = Date.now(); // the UI's own calls (test, sync) sign with the real clock
    await h.vigil.webhooks.intake().accept((await h.vigil.integrations.show('ts')).id, [
      {
        id: 'wh-alert-1',
        title: 'Webhook: reverse shell on web-1',
        created_at: h.sim.clock.now(),
        severity: 1,
      },
    ]);
    server = await serveVigil(h.vigil);
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
    await h?.close();
  });

  const go = async (hash: string, heading: string | RegExp) => {
    await page.goto(`${server.url}/${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };

  /** The validations list has loaded (whether or not an earlier test started one). */
  const validationsLoaded = () =>
    page.getByRole('table', { name: 'Validations' }).or(page.getByText('No validations yet.')).waitFor();

  it('serves the UI with a strict policy, then signs in with a token and shows who is signed in', async () => {
    const answer = await fetch(`${server.url}/`);
    expect(answer.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; script-src 'self' 'sha256-/,
    );
    expect(answer.headers.get('cache-control')).toBe('no-cache');
    page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Sign in to Vigil' }).waitFor();
    await screenshot(page, 'login');
    await signIn(page, server.url, operator);
    await expect(page.getByText('ui-operator (operator)').isVisible()).resolves.toBe(true);
    await page.getByRole('link', { name: 'ts', exact: true }).waitFor();
    await screenshot(page, 'integrations');
  });

  it('tests an integration (its code and layers) and syncs it now', async () => {
    page = await browser.newPage();
    await signIn(page, server.url, operator);
    await go('#/integrations/ts', 'Integration ts');
    await page.getByRole('button', { name: 'Test connection' }).click();
    const code = page.locator('.test-code');
    await code.waitFor();
    expect(await code.textContent()).toBe('OK');
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByText('Threat Stack sync of ts').waitFor();
    await page.getByRole('button', { name: 'Changes by type' }).first().click();
    await page.getByRole('table', { name: 'Changes by type' }).waitFor();
    await screenshot(page, 'integration');
  });

  it('runs a J1QL query and shows its rows; an entity shows its relationships', async () => {
    page = await browser.newPage();
    await signIn(page, server.url, operator);
    await go('#/graph', 'Graph explorer');
    await page.getByLabel('J1QL query').fill('FIND threatstack_agent');
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.locator('tr.result-row').first().waitFor();
    expect(await page.locator('tr.result-row').count()).toBe(2);
    await screenshot(page, 'graph');
    await page.locator('tr.result-row a').first().click();
    await page.getByRole('heading', { name: 'Relationships' }).waitFor();
    await page.getByRole('table', { name: 'Relationships' }).waitFor();
    await screenshot(page, 'entity');
  });

  it('lists Threat Stack alerts, a webhook-received one among them, and rule alerts', async () => {
    page = await browser.newPage();
    await signIn(page, server.url, operator);
    await go('#/alerts', 'Alerts');
    const row = page.locator('tr.ts-alert', { hasText: 'Webhook: reverse shell on web-1' });
    await row.waitFor();
    expect(await row.textContent()).toContain('webhook');
    await page.getByText('No rule has fired.').waitFor();
    await screenshot(page, 'alerts');
  });

  it('starts a validation from the form and shows its verdicts as the polls complete', async () => {
    page = await browser.newPage();
    await signIn(page, server.url, operator);
    await go('#/validations', 'Validations');
    await page.getByLabel('ATT&CK techniques').fill('T1059.004 T1033');
    await page.getByLabel('Host').fill(h.hosts[0]!);
    await page.getByLabel('Name (optional)').fill('browser run');
    await page.getByRole('button', { name: 'Start validation' }).click();
    await page.getByRole('heading', { level: 1, name: 'Validation browser run' }).waitFor();
    await page.getByText('live: read again every 2 s').waitFor();
    await screenshot(page, 'validation-running');
    const id = decodeURIComponent(new URL(page.url()).hash.replace('#/validations/', ''));
    await h.drive(await h.startRuntime(), [id]);
    await page.locator('td.verdict', { hasText: 'Alerted' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('td.verdict').allInnerTexts()).toEqual(['Alerted', 'Missed']);
    await page.getByRole('region', { name: 'Evidence of action-1' }).waitFor();
    await screenshot(page, 'validation');
  });

  it('a viewer sees every page but no edit button', async () => {
    page = await browser.newPage();
    await signIn(page, server.url, viewer);
    await go('#/integrations', 'Integrations');
    expect(await page.getByRole('heading', { name: 'Add an integration' }).count()).toBe(0);
    await go('#/integrations/ts', 'Integration ts');
    await page.getByRole('heading', { name: 'Last runs' }).waitFor();
    for (const name of ['Test connection', 'Sync now']) {
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    }
    await go('#/validations', 'Validations');
    await validationsLoaded();
    expect(await page.getByRole('button', { name: 'Start validation' }).count()).toBe(0);
    await go('#/alerts', 'Alerts');
    expect(await page.getByRole('button', { name: 'Dismiss' }).count()).toBe(0);
  });

  it('is readable at a phone’s width (390 px) without horizontal scrolling of the page', async () => {
    page = await browser.newPage({ width: 390, height: 844 });
    await signIn(page, server.url, operator);
    await go('#/validations', 'Validations');
    await validationsLoaded();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'validations-390px');
  });

  it('signs out, and a revoked token returns to the login page', async () => {
    page = await browser.newPage();
    await signIn(page, server.url, operator);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Vigil' }).waitFor();
    expect(await page.evaluate("sessionStorage.getItem('vigil.token')")).toBeNull();

    const doomed = (await h.vigil.tokens.create({ name: 'ui-doomed', role: 'viewer' })).token;
    await signIn(page, server.url, doomed);
    await h.vigil.tokens.revoke('ui-doomed');
    await go('#/alerts', 'Sign in to Vigil');
    await page.getByRole('alert').filter({ hasText: 'unknown or revoked' }).waitFor();
    expect(await page.evaluate("sessionStorage.getItem('vigil.token')")).toBeNull();
    // The browser logs the refused request itself; nothing else may have failed.
    const refused = browser.errors.filter((e) => e.includes('status of 401'));
    expect(refused.length).toBeGreaterThan(0);
    browser.errors.splice(0, browser.errors.length, ...browser.errors.filter((e) => !refused.includes(e)));
  });
});
