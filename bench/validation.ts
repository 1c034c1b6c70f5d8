import type { ValidationReport } from '../src/app/validation-report.ts';
import { admin } from '../test/helpers/threatstack.ts';
import { covered, uncovered, ValidationHarness } from '../test/validation/service-harness.ts';

/** Hosts (10 actions each); `VIGIL_BENCH_HOSTS` scales the run down on a small machine. */
const HOSTS = Number(process.env.VIGIL_BENCH_HOSTS ?? 100);

interface SimRequests {
  requests: { byRoute: Record<string, number> };
}

/** Requests to the alert routes so far (`GET /v2/alerts…`, `/v2/alerts/{id}/events`). */
async function alertRequests(url: string): Promise<number> {
  const { json } = await admin<SimRequests>(url, 'GET', '/_sim/stats');
  return Object.entries(json.requests.byRoute)
    .filter(([route]) => route.includes('alerts'))
    .reduce((sum, [, n]) => sum + n, 0);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** For every Alerted action: verdict time − the matching alert's creation (fake-clock ms). */
function alertToVerdictMs(reports: readonly ValidationReport[]): number[] {
  const delays: number[] = [];
  for (const report of reports) {
    for (const action of report.actions) {
      const alerts = (action.correlation as { evidence?: { alerts?: Array<{ createdAt: string }> } } | null)
        ?.evidence?.alerts;
      const first = alerts?.[0];
      if (first === undefined || action.correlatedAt === null) continue;
      delays.push(Date.parse(action.correlatedAt) - Date.parse(first.createdAt));
    }
  }
  return delays.sort((a, b) => a - b);
}

/**
 * 1 000 actions on 100 hosts (10 techniques each, 6 covered by detection rules) validated through
 * the service and the job runtime against the simulator (Q = 1 min, I = 10 s: 7 polls per action),
 * the fake clock moved 2 s per step: requests per poll, time from an alert's creation to its
 * action's verdict (in the simulated clock), wall time and memory.
 */
export async function run(): Promise<void> {
  const h = await ValidationHarness.open({ agents: HOSTS });
  try {
    const techniques = [...covered.slice(0, 6), ...uncovered.slice(0, 4)];
    const ids: string[] = [];
    for (const host of h.hosts.slice(0, HOSTS)) {
      const created = await h.vigil.validations.run({
        integration: 'ts',
        techniques,
        host,
        executor: 'simulator',
      });
      ids.push(created.id);
    }
    const before = await alertRequests(h.sim.sim.url);
    const started = performance.now();
    let peakRss = 0;
    const runtime = await h.startRuntime();
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const reports = await h.drive(runtime, ids, { stepMs: 2000 });
    clearInterval(sampler);
    await runtime.runtime.stop();
    const wallMs = performance.now() - started;
    const requests = (await alertRequests(h.sim.sim.url)) - before;
    const actions = reports.reduce((n, r) => n + r.actions.length, 0);
    const polls = reports.reduce((n, r) => n + r.actions.reduce((m, a) => m + a.progress.pollsDone, 0), 0);
    const verdicts: Record<string, number> = {};
    for (const r of reports)
      for (const [v, n] of Object.entries(r.verdicts)) verdicts[v] = (verdicts[v] ?? 0) + n;
    const delays = alertToVerdictMs(reports);
    const lines = [
      `actions ${actions} on ${ids.length} hosts; verdicts ${JSON.stringify(verdicts)}`,
      `polls ${polls}; alert requests ${requests} (${(requests / polls).toFixed(2)} per poll)`,
      `alert created → verdict (simulated clock): p50 ${percentile(delays, 50) / 1000} s, p95 ${percentile(delays, 95) / 1000} s`,
      `wall ${(wallMs / 1000).toFixed(1)} s (${(wallMs / polls).toFixed(2)} ms per poll); peak rss ${(peakRss / 2 ** 20).toFixed(0)} MiB, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await h.close();
  }
}
