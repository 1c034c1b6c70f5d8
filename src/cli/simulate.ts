import { chmod, writeFile } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import { VigilError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { parseFaultSpec } from '../simulators/common/faults.ts';
import { startThreatStackSimulator } from '../simulators/threatstack/server.ts';

/** Parses a numeric flag, naming the flag and the allowed range when the value is wrong. */
export function numberFlag(
  flag: string,
  raw: string,
  { min, max, integer = true }: { min: number; max: number; integer?: boolean },
): number {
  const value = Number(raw);
  if (
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < min ||
    value > max
  ) {
    throw new VigilError(
      'INPUT_INVALID',
      `${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not '${raw}'.`,
    );
  }
  return value;
}

/** Parses `--rate-limit N-per-minute|N|0`. */
function rateLimitFlag(raw: string): number {
  return numberFlag('--rate-limit', raw.replace(/-per-minute$/, ''), { min: 0, max: 1_000_000 });
}

/** Writes the start-up JSON where a test harness or the demo can read it; it holds an API key, so 0600. */
async function writeCredentialsFile(path: string, json: string): Promise<void> {
  try {
    await writeFile(path, `${json}\n`, { mode: 0o600 });
    await chmod(path, 0o600);
  } catch (error) {
    throw new VigilError(
      'FILE_WRITE_FAILED',
      `Cannot write the credentials file ${path}: ${(error as Error).message}`,
    );
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export function registerSimulateCommands(program: Command): void {
  const simulate = program
    .command('simulate')
    .description('Run a local simulator of a vendor API (for tests, demos and benchmarks)');
  simulate
    .command('threatstack')
    .description(
      'Threat Stack REST API v2 simulator (Hawk, pagination, rate limit, faults, webhooks, detections)',
    )
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port to bind; 0 picks a free one', '0')
    .option('--seed <n>', 'seed for deterministic data', '1')
    .option('--agents <n>', 'number of agents', '250')
    .option('--offline-ratio <r>', 'share of agents that are offline (0..1)', '0.1')
    .option('--cves <n>', 'size of the CVE catalogue', '400')
    .option('--findings-per-agent <n>', 'CVE findings per agent', '8')
    .option('--alerts <n>', 'seeded alerts over the last 30 days', '300')
    .option(
      '--rate-limit <n>',
      'requests per rolling minute per organization (e.g. 200-per-minute); 0 disables',
      '200',
    )
    .option(
      '--faults <spec>',
      "fault injection, e.g. 'status500=0.05,status429=0.02,reset=0.01,slow=0.05:2000,truncate=0.01'",
      '',
    )
    .option('--detection-latency <seconds>', 'delay between an action and the alert it raises', '30')
    .option('--credentials-file <path>', 'also write the start-up JSON to this file (mode 0600)')
    .option('--log-level <level>', 'stderr log level (debug logs every request)', 'info')
    .option('--json', 'print errors as JSON')
    .action(async (flags) => {
      const options = {
        host: flags.host,
        port: numberFlag('--port', flags.port, { min: 0, max: 65535 }),
        seed: numberFlag('--seed', flags.seed, { min: 0, max: 2 ** 32 - 1 }),
        agents: numberFlag('--agents', flags.agents, { min: 0, max: 2_000_000 }),
        offlineRatio: numberFlag('--offline-ratio', flags.offlineRatio, { min: 0, max: 1, integer: false }),
        cves: numberFlag('--cves', flags.cves, { min: 1, max: 1_000_000 }),
        findingsPerAgent: numberFlag('--findings-per-agent', flags.findingsPerAgent, { min: 0, max: 10_000 }),
        alerts: numberFlag('--alerts', flags.alerts, { min: 0, max: 2_000_000 }),
        rateLimit: rateLimitFlag(flags.rateLimit),
        faults: parseFaultSpec(flags.faults),
        detectionLatencySeconds: numberFlag('--detection-latency', flags.detectionLatency, {
          min: 0,
          max: 86_400,
          integer: false,
        }),
      };
      const logger = createLogger(flags.logLevel);
      const started = Date.now();
      const sim = await startThreatStackSimulator(options, { logger });
      const line = JSON.stringify(sim.credentials);
      if (flags.credentialsFile) await writeCredentialsFile(flags.credentialsFile, line);
      process.stdout.write(`${line}\n`);
      logger.info(
        {
          url: sim.url,
          agents: options.agents,
          findings: sim.simulation.primary.vulnerabilities.findingCount(),
          startMs: Date.now() - started,
        },
        'Threat Stack simulator listening; admin API under /_sim/',
      );
      const signal = await untilSignal();
      logger.info({ signal }, 'stopping');
      await sim.close();
    });
}
