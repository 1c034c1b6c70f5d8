import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolveOptions } from '../src/simulators/threatstack/options.ts';
import { ThreatStackSimulation } from '../src/simulators/threatstack/simulation.ts';
import { type Credentials, createBenchClient } from './hawk-client.ts';
import { mb, procMemory } from './processes.ts';

const scale = { agents: 100_000, findingsPerAgent: 10, cves: 5_000, alerts: 10_000 };

/** In-process generation time for 100 000 agents and 1 000 000 findings. */
function measureGeneration(): void {
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const simulation = new ThreatStackSimulation(resolveOptions({ ...scale, rateLimit: 0 }));
  const findings = simulation.primary.vulnerabilities.findingCount();
  const ms = performance.now() - started;
  process.stdout.write(
    `generate: ${scale.agents} agents, ${findings} findings, ${scale.cves} CVEs, ${scale.alerts} alerts in ${ms.toFixed(0)} ms (+${mb(process.memoryUsage().rss - before)} RSS)\n`,
  );
}

/** Starts the simulator as its own process (as users run it) and reads every list through Hawk. */
async function measureServing(): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      'bin/vigil.js',
      'simulate',
      'threatstack',
      '--port',
      '0',
      '--rate-limit',
      '0',
      '--agents',
      String(scale.agents),
      '--findings-per-agent',
      String(scale.findingsPerAgent),
      '--cves',
      String(scale.cves),
      '--alerts',
      String(scale.alerts),
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const spawned = performance.now();
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve) => lines.once('line', resolve));
  const startupMs = performance.now() - spawned;
  const credentials = JSON.parse(first) as Credentials;
  const pid = child.pid ?? 0;
  const afterStart = procMemory(pid);
  process.stdout.write(
    `serve: process start-up to listening ${startupMs.toFixed(0)} ms, RSS ${mb(afterStart.current)}\n`,
  );
  const client = createBenchClient(credentials);
  const lists: Array<[string, string]> = [
    ['/v2/agents?status=online', 'agents'],
    ['/v2/agents?status=offline', 'agents'],
    ['/v2/aws/ec2', 'servers'],
    ['/v2/vulnerabilities', 'cves'],
    ['/v2/alerts?status=active', 'alerts'],
  ];
  try {
    for (const [path, key] of lists) {
      const before = client.stats();
      const started = performance.now();
      const items = await client.drain(path, key);
      const ms = performance.now() - started;
      const after = client.stats();
      process.stdout.write(
        `  ${path.padEnd(28)} ${String(items).padStart(7)} items  ${String(after.requests - before.requests).padStart(5)} requests  ${mb(after.bytes - before.bytes).padStart(10)}  ${ms.toFixed(0).padStart(6)} ms  (${((items / ms) * 1000).toFixed(0)} items/s)\n`,
      );
    }
    const memory = procMemory(pid);
    process.stdout.write(`serve: simulator peak RSS ${mb(memory.peak)}, now ${mb(memory.current)}\n`);
  } finally {
    client.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export async function run(): Promise<void> {
  measureGeneration();
  await measureServing();
}
