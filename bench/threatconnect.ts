import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncReport } from '../src/cli/sync.ts';
import { mb, runVigil, startVigil } from './processes.ts';

interface TcStats {
  owners: { total: number };
  adversaries: { total: number };
  threats: { total: number };
  associations: number;
  techniques: { distinct: number };
}

/** Syncs 50 owners × 200 adversaries × 5 threats from the ThreatConnect simulator and reports requests, time and peak RSS. */
export async function run(): Promise<void> {
  const sim = await startVigil([
    'simulate',
    'threatconnect',
    '--port',
    '0',
    '--log-level',
    'warn',
    '--owners',
    '50',
    '--adversaries',
    '200',
    '--threats-per-adversary',
    '5',
  ]);
  const credentials = JSON.parse(sim.firstLine) as {
    url: string;
    apiRoot: string;
    accessId: string;
    apiKey: string;
  };
  const url = new URL(credentials.url);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-tc-'));
  const env = {
    ...process.env,
    TC_HOST: url.hostname,
    TC_PORT: url.port,
    TC_PROTOCOL: 'http',
    TC_API_ROOT: credentials.apiRoot,
    TC_ACCESS_ID: credentials.accessId,
    TC_API_KEY: credentials.apiKey,
  };
  try {
    const stats = (await (await fetch(`${credentials.url}/_sim/stats`)).json()) as TcStats;
    process.stdout.write(
      `scale: ${stats.owners.total} owners, ${stats.adversaries.total.toLocaleString('en-US')} adversaries, ${stats.threats.total.toLocaleString('en-US')} threats, ${stats.associations.toLocaleString('en-US')} associations, ${stats.techniques.distinct} techniques\n`,
    );
    for (const label of ['first sync', 'unchanged re-sync']) {
      const { stdout, code, peakRss } = await runVigil(
        ['sync', 'threatconnect', '--json', '--db', join(dir, 'vigil.db')],
        env,
      );
      const report = JSON.parse(stdout) as SyncReport;
      const written = report.types.reduce((sum, t) => sum + t.created + t.updated + t.deleted, 0);
      process.stdout.write(
        `  ${label.padEnd(18)} ${report.status} (exit ${code}) in ${(report.durationMs / 1000).toFixed(1)} s · requests ${report.requests.requests} (retries ${report.requests.retries}) · rows written ${written.toLocaleString('en-US')} · peak RSS ${mb(peakRss)} · db ${mb(statSync(join(dir, 'vigil.db')).size)}\n`,
      );
    }
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
