import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { resourceRoutes } from '../../src/app/service.ts';
import type { Vigil } from '../../src/app/vigil.ts';
import { buildServer } from '../../src/server/app.ts';
import { type RunningServer, startServer } from '../../src/server/listen.ts';
import { createVigilMetrics } from '../../src/server/metrics.ts';

/**
 * What the browser tests share: Debian's chromium driven by playwright-core (a temporary profile,
 * every console error and page error collected), and `vigil serve`'s HTTP API over an open Vigil
 * on 127.0.0.1:0 (no job runtime: the tests drive the polls themselves).
 */

export const chromiumPath = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run. In CI (`CI` set) a missing chromium is an error with the
 * fix; locally the tests skip, saying so on stderr.
 */
export function browserAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  const message = `Chromium is not at ${chromiumPath}: install Debian's chromium (apt-get install chromium) or set VIGIL_CHROMIUM.`;
  if (process.env.CI !== undefined) throw new Error(`Browser tests cannot run. ${message}`);
  process.stderr.write(`\n[test/ui] SKIPPED: ${message}\n\n`);
  return false;
}

/** Where screenshots go (gitignored). */
export const artifactsDir = join(import.meta.dirname, '..', '..', 'test-artifacts');

export interface Browser {
  context: BrowserContext;
  /** Console errors and page errors seen so far, on every page. */
  errors: string[];
  newPage(size?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Launches chromium headless with a temporary profile. */
export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'vigil-chromium-'));
  await mkdir(artifactsDir, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  return {
    context,
    errors,
    async newPage(size) {
      const page = await context.newPage();
      if (size !== undefined) await page.setViewportSize(size);
      return page;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The HTTP API and the UI over `vigil` on 127.0.0.1:0, with its own tokens. */
export async function serveVigil(vigil: Vigil): Promise<RunningServer> {
  const app = await buildServer({
    tokens: vigil.tokens,
    health: { checkDatabase: async () => {}, checkJobs: async () => {} },
    webhooks: { verifySecret: async () => false, accept: async () => ({ accepted: 0, duplicates: 0 }) },
    metrics: createVigilMetrics(async () => 0),
    logger: pino({ level: 'silent' }),
    now: Date.now,
    rateLimit: { burst: 10_000, perSecond: 10_000 },
    resources: resourceRoutes(vigil),
  });
  return startServer(app, { host: '127.0.0.1', port: 0 });
}

/** Signs in on the login page with `token` and waits for the layout. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/#/integrations`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Saves a full-page screenshot as test-artifacts/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}
