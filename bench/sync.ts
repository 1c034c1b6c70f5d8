import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncReport } from '../src/cli/sync.ts';
import { formatMemory, mb, runVigilProfiled, startVigil } from './processes.ts';
import { benchCveAgentModes } from './sync-cve-agents.ts';

interface Scale {
  agents: number;
  findingsPerAgent: number;
  cves: number;
  alerts: number;
}

interface SimStats {
  agents: { online: number; offline: number };
  ec2: { total: number };
  cves: { total: number };
  findings: number;
  findingRequests: { serverPages: number };
  alerts: { since: { active: number; dismissed: number } };
}

const pages = (items: number) => Math.ceil(items / 100);
const ALERT_DAYS = 60;

/**
 * Sum over lists of ⌈items / 100⌉: the fewest requests that can read every list once, with the
 * `/servers` pages of the CVEs whose agents[] may have been cut (see `/_sim/stats` findingRequests).
 */
function lowerBound(stats: SimStats): number {
  return (
    pages(stats.agents.online) +
    pages(stats.agents.offline) +
    pages(stats.ec2.total) +
    pages(stats.cves.total) +
    stats.findingRequests.serverPages +
    pages(stats.alerts.since.active) +
    pages(stats.alerts.since.dismissed)
  );
}

function rowsWritten(report: SyncReport): number {
  return report.types.reduce((sum, t) => sum + t.created + t.updated + t.deleted, 0);
}

async function benchScale(scale: Scale): Promise<void> {
  const sim = await startVigil([
    'simulate',
    'threatstack',
    '--port',
    '0',
    '--rate-limit',
    '0',
    '--log-level',
    'warn',
    '--agents',
    String(scale.agents),
    '--findings-per-agent',
    String(scale.findingsPerAgent),
    '--cves',
    String(scale.cves),
    '--alerts',
    String(scale.alerts),
  ]);
  const credentials = JSON.parse(sim.firstLine) as {
    url: string;
    userId: string;
    apiKey: string;
    orgId: string;
    orgName: string;
  };
  const url = new URL(credentials.url);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const env = {
    ...process.env,
    TS_USER_ID: credentials.userId,
    TS_API_KEY: credentials.apiKey,
    TS_ORGANIZATION_ID: credentials.orgId,
    TS_ORGANIZATION_NAME: credentials.orgName,
    TS_HOST: url.hostname,
    TS_PORT: url.port,
    TS_PROTOCOL: 'http',
  };
  try {
    // Alerts span the 30 days before the simulator started: a 60-day window holds them all, so time
    // passing between the two syncs moves no alert out of the window.
    const since = new Date(Date.now() - ALERT_DAYS * 86_400_000).toISOString();
    const stats = (await (
      await fetch(`${credentials.url}/_sim/stats?alertsSince=${since}`)
    ).json()) as SimStats;
    process.stdout.write(
      `scale: ${scale.agents.toLocaleString('en-US')} agents, ${stats.findings.toLocaleString('en-US')} findings, ${stats.cves.total} CVEs, ${stats.ec2.total.toLocaleString('en-US')} EC2 instances; request lower bound ${lowerBound(stats)}\n`,
    );
    for (const label of ['first sync', 'unchanged re-sync']) {
      const { stdout, code, peakRss, memory } = await runVigilProfiled(
        [
          'sync',
          'threatstack',
          '--json',
          '--alerts-days',
          String(ALERT_DAYS),
          '--requests-per-minute',
          '0',
          '--db',
          join(dir, 'vigil.db'),
        ],
        env,
      );
      const report = JSON.parse(stdout) as SyncReport;
      const changed = report.types
        .filter((t) => t.created + t.updated + t.deleted > 0 && label !== 'first sync')
        .map((t) => `${t.type} +${t.created}/~${t.updated}/-${t.deleted}`);
      process.stdout.write(
        `  ${label.padEnd(18)} ${report.status} (exit ${code}) in ${(report.durationMs / 1000).toFixed(1)} s · requests ${report.requests.requests} (retries ${report.requests.retries}) · rows written ${rowsWritten(report).toLocaleString('en-US')} · peak RSS ${mb(peakRss)} · db ${mb(statSync(join(dir, 'vigil.db')).size)}${changed.length > 0 ? ` · changed: ${changed.join(', ')}` : ''}\n`,
      );
      process.stdout.write(formatMemory(memory, '    '));
    }
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** VIGIL_BENCH_SCALE=small: 10 000 agents only; =large: 100 000 agents only; unset: both and the modes. */
export async function run(): Promise<void> {
  const only = process.env.VIGIL_BENCH_SCALE;
  if (only !== 'large') {
    await benchScale({ agents: 10_000, findingsPerAgent: 10, cves: 2_000, alerts: 2_000 });
    if (only === 'small') return;
    await benchCveAgentModes({ agents: 10_000, findingsPerAgent: 10, cves: 2_000 });
  }
  await benchScale({ agents: 100_000, findingsPerAgent: 10, cves: 5_000, alerts: 10_000 });
}
