import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Logger, pino } from 'pino';
import { startService } from '../app/service.ts';
import { parseSettings } from '../app/settings.ts';
import type { ValidationReport } from '../app/validation-report.ts';
import { openVigil, type Vigil } from '../app/vigil.ts';
import { VigilError } from '../errors.ts';
import { redactedPaths } from '../log.ts';
import { renderActorCoverage } from './coverage.ts';
import {
  type DemoSimulators,
  startDemoSimulators,
  threatConnectDemoIntegration,
  threatStackDemoIntegration,
} from './demo-simulators.ts';
import { countOf, formatDuration } from './table.ts';

/** What `vigil demo` takes. */
export interface DemoOptions {
  /** An empty (or new) directory for the demo's VIGIL_HOME; default a fresh temporary one. */
  home?: string | undefined;
  /** Port of the UI and API (0: a free one). */
  port: number;
  /** The threat actor whose techniques the campaign runs (name or id); default the one with the most. */
  actor?: string | undefined;
  /** Resolves when the demo should stop (Ctrl-C). */
  stopped: Promise<unknown>;
  out?: NodeJS.WriteStream;
}

/** The demo's home: `--home` when empty or new, else a fresh temporary directory. */
async function demoHome(home: string | undefined): Promise<string> {
  if (home === undefined) return mkdtemp(join(tmpdir(), 'vigil-demo-'));
  const path = resolve(home);
  if (existsSync(path) && readdirSync(path).length > 0) {
    throw new VigilError('INPUT_INVALID', `--home ${path} is not empty; the demo starts from a fresh home.`, {
      hint: 'Give a new or empty directory, or leave --home out for a temporary one.',
    });
  }
  return path;
}

/** Prints `→ what … done in 1.2 s` around each step of the demo. */
function stepPrinter(out: NodeJS.WriteStream) {
  return async function step<T>(what: string, work: () => Promise<T>, result?: (value: T) => string) {
    const started = Date.now();
    out.write(`→ ${what} …\n`);
    const value = await work();
    const detail = result === undefined ? '' : `: ${result(value)}`;
    out.write(`  done in ${formatDuration(Date.now() - started)}${detail}\n`);
    return value;
  };
}

/** The actor of the campaign: the one named, else the synced actor with the most techniques. */
async function campaignActor(vigil: Vigil, reference: string | undefined) {
  if (reference !== undefined) return vigil.coverage.actor(reference);
  const actors = await vigil.coverage.actors();
  const ranked = [...actors].sort(
    (a, b) => b.techniqueCount - a.techniqueCount || a.name.localeCompare(b.name),
  );
  const top = ranked[0];
  if (top === undefined || top.techniqueCount === 0) {
    throw new VigilError('NOT_FOUND', 'The ThreatConnect sync found no threat actor with ATT&CK techniques.');
  }
  return vigil.coverage.actor(String(top.id));
}

/** A host of the campaign: the first online agent of the synced graph, by hostname. */
async function campaignHost(vigil: Vigil): Promise<string> {
  const result = await vigil.query.run(
    "FIND threatstack_agent WITH status = 'online' AS a RETURN a.hostname ORDER BY a.hostname LIMIT 1",
  );
  const row = result.data[0] as Record<string, unknown> | undefined;
  const hostname = row?.['a.hostname'];
  if (typeof hostname !== 'string')
    throw new VigilError('NOT_FOUND', 'The Threat Stack sync found no online agent.');
  return hostname;
}

/** PUTs `body` to a simulator's admin API (loopback, unauthenticated); DEMO_FAILED unless it answers 2xx. */
async function simulatorAdmin(baseUrl: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(new URL(path, baseUrl), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new VigilError(
      'DEMO_FAILED',
      `The simulator refused ${path}: HTTP ${response.status} ${await response.text()}`,
    );
  }
}

/** One line of a campaign's progress: polls done, verdicts so far, the next poll. */
function progressLine(reports: readonly ValidationReport[]): string {
  let done = 0;
  let total = 0;
  const verdicts = new Map<string, number>();
  for (const report of reports) {
    for (const action of report.actions) {
      done += action.progress.pollsDone;
      total += action.progress.polls;
    }
    for (const [verdict, count] of Object.entries(report.verdicts))
      verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + count);
  }
  const so = [...verdicts].map(([verdict, count]) => `${count} ${verdict}`).join(', ') || 'no verdict yet';
  return `polls ${done}/${total} · ${so}`;
}

/**
 * Follows the campaign's validations until every one is complete (polling the store every
 * second, bounded by `deadlineMs`): a redrawn line on a terminal; otherwise a line when the
 * verdicts change and every 10 seconds.
 */
async function followCampaign(
  vigil: Vigil,
  ids: readonly string[],
  out: NodeJS.WriteStream,
  deadlineMs: number,
): Promise<ValidationReport[]> {
  const started = Date.now();
  let last = '';
  let printedAt = 0;
  for (;;) {
    const reports = await Promise.all(ids.map((id) => vigil.validations.show(id)));
    const line = progressLine(reports);
    const verdictsChanged = line.split(' · ')[1] !== last.split(' · ')[1];
    if (out.isTTY && line !== last) out.write(`\r\x1b[2K  ${line}`);
    else if (!out.isTTY && (verdictsChanged || Date.now() - printedAt >= 10_000)) {
      out.write(`  ${line}\n`);
      printedAt = Date.now();
    }
    last = line;
    if (reports.every((report) => report.status === 'complete')) {
      if (out.isTTY) out.write('\n');
      return reports;
    }
    if (Date.now() - started > deadlineMs) {
      throw new VigilError(
        'DEMO_FAILED',
        `The campaign did not finish within ${formatDuration(deadlineMs)}.`,
      );
    }
    await new Promise((wake) => setTimeout(wake, 1000));
  }
}

/**
 * `vigil demo`: both simulators on free loopback ports, both integrations added, tested and synced
 * into a fresh home, the service (UI, API, webhook intake, job runtime) with an admin token, the
 * Threat Stack simulator's webhooks pointed at it, and a validation campaign for one threat actor
 * run through the real window model; then its coverage and a Navigator layer. Runs until
 * `options.stopped`, then stops everything it started.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const out = options.out ?? process.stdout;
  const step = stepPrinter(out);
  const home = await demoHome(options.home);
  const logFile = join(home, 'vigil-demo.log');
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_HOME: home };
  for (const name of ['VIGIL_DB', 'VIGIL_PG_SCHEMA', 'VIGIL_SECRET_KEY', 'VIGIL_ATTACK_CATALOGUE'])
    delete env[name];
  const settings = parseSettings({ env });
  const logger: Logger = pino(
    { level: 'info', redact: { paths: redactedPaths, censor: '[redacted]' } },
    pino.destination({ dest: logFile, mkdir: true, sync: false }),
  );
  out.write(`Vigil demo in ${home} (log: ${logFile})\n`);
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const sims: DemoSimulators = await step(
      'Starting the Threat Stack and ThreatConnect simulators',
      () => startDemoSimulators(logger),
      (started) =>
        `Threat Stack at ${started.threatStack.url}, ThreatConnect at ${started.threatConnect.url}`,
    );
    cleanups.push(() => sims.close());
    const vigil = await openVigil(settings, { logger });
    cleanups.push(() => vigil.close());
    for (const request of [threatStackDemoIntegration(sims), threatConnectDemoIntegration(sims)]) {
      await step(`Adding ${request.name}`, () => vigil.integrations.add(request, { firstSync: false }));
      await step(
        `Testing ${request.name}`,
        async () => {
          const result = await vigil.integrations.test(request.name);
          if (result.code !== 'OK')
            throw new VigilError(
              'DEMO_FAILED',
              `${request.name} failed its test: ${result.code}: ${result.message}`,
            );
          return result;
        },
        (result) => `${result.code}, ${countOf(result.checks.length, 'check')} passed`,
      );
      await step(
        `Syncing ${request.name}`,
        () => vigil.integrations.sync(request.name),
        ({ report }) => `${report.status}, ${countOf(report.requests.requests ?? 0, 'request')}`,
      );
    }
    const service = await step('Starting the service (UI, API, webhook intake, jobs)', () =>
      startService(vigil, {
        listen: { host: '127.0.0.1', port: options.port },
        queue: { kind: 'in-process', ledger: vigil.jobs.ledger },
        logger,
        tickMs: 1000,
        concurrency: 4,
        leaseSeconds: 3600,
      }),
    );
    cleanups.unshift(() => service.stop());
    const { token } = await vigil.tokens.create({ name: 'demo-admin', role: 'admin' });
    const webhook = await vigil.webhooks.target('demo-threatstack', service.url);
    await simulatorAdmin(sims.threatStack.url, '/_sim/webhooks/target', { url: webhook.url });
    out.write(`\n  Open ${service.url}/  and sign in with the admin token:\n  ${token}\n\n`);

    const actor = await campaignActor(vigil, options.actor);
    const reference = String(actor.id);
    const host = await campaignHost(vigil);
    const plan = await vigil.campaigns.plan(reference, [host]);
    const detected = plan.techniques.filter((_, index) => index % 3 !== 2);
    await step(
      `Giving the Threat Stack simulator detection rules for ${detected.length} of ${actor.name}'s ${countOf(plan.techniques.length, 'technique')}`,
      () =>
        simulatorAdmin(sims.threatStack.url, '/_sim/detection', {
          rules: detected.map((technique) => ({ technique, enabled: true, latencySeconds: 5 })),
        }),
    );
    const created = await step(
      `Running the validation campaign of ${actor.name}: ${countOf(plan.actions.length, 'action')} on ${host}`,
      () =>
        vigil.campaigns.run(plan, {
          integration: 'demo-threatstack',
          executor: 'simulator',
          name: `Demo campaign: ${actor.name}`,
        }),
    );
    out.write('  Verdicts come in as the query-time windows close (about a minute); watch them in the UI.\n');
    await followCampaign(
      vigil,
      created.map((validation) => validation.id),
      out,
      5 * 60_000,
    );
    out.write(`\n${renderActorCoverage(await vigil.coverage.ofActor(reference))}\n`);
    const exported = await vigil.exports.navigator(reference, join(home, 'navigator-layer.json'));
    out.write(`Wrote the ATT&CK Navigator layer of ${actor.name} to ${exported.output}\n`);
    out.write(`\nVigil is serving ${service.url}/ — Ctrl-C stops the demo.\n`);
    await options.stopped;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    logger.flush();
  }
}
