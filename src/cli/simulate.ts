import { isIP } from 'node:net';
import type { Command, OptionValues } from '@commander-js/extra-typings';
import type { Logger } from 'pino';
import { VigilError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { parseFaultSpec } from '../simulators/common/faults.ts';
import { isApiRoot, type TagStyle, tagStyles } from '../simulators/threatconnect/options.ts';
import { type CveAgentsMode, parseCveAgentsMode } from '../simulators/threatstack/cve-agents.ts';
import { logLevelFlag } from './logging.ts';
import { envFileText, threatConnectSimEnv, threatStackSimEnv, writeSecretFile } from './simulator-env.ts';

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

/** Parses a flag that takes one of a few values, naming them when the value is wrong. */
function choiceFlag<T extends string>(flag: string, raw: string, allowed: readonly T[]): T {
  if (!allowed.includes(raw as T)) {
    throw new VigilError('INPUT_INVALID', `${flag} must be one of ${allowed.join(', ')}, not '${raw}'.`);
  }
  return raw as T;
}

/**
 * Parses `--host`: a loopback address or `localhost` only. The simulators serve fixed credentials
 * and an unauthenticated admin API, so they must never be reachable from another machine.
 */
export function loopbackHostFlag(raw: string): string {
  const host = raw.trim().toLowerCase();
  const loopback =
    host === 'localhost' ||
    host === '::1' ||
    host === '[::1]' ||
    (isIP(host) === 4 && host.startsWith('127.'));
  if (!loopback) {
    throw new VigilError(
      'INPUT_INVALID',
      `--host must be a loopback address, not '${raw}': the simulator binds loopback only.`,
      {
        hint: 'Use 127.0.0.1 (the default), ::1 or localhost.',
      },
    );
  }
  return host === '[::1]' ? '::1' : host;
}

/** Parses `--rate-limit N-per-minute|N|0`. */
function rateLimitFlag(raw: string): number {
  return numberFlag('--rate-limit', raw.replace(/-per-minute$/, ''), { min: 0, max: 1_000_000 });
}

/** Parses `--cve-agents full|cap:N|absent`. */
function cveAgentsFlag(raw: string): CveAgentsMode {
  const mode = parseCveAgentsMode(raw);
  if (mode === null) {
    throw new VigilError(
      'INPUT_INVALID',
      `--cve-agents must be full, cap:N (N a whole number, e.g. cap:50) or absent, not '${raw}'.`,
    );
  }
  return mode;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** The flags every simulator command shares: where to listen, the seed, the rate limit and faults, output. */
function withServerOptions<A extends unknown[], O extends OptionValues>(
  command: Command<A, O>,
  rateLimit: { default: string; per: string },
) {
  return command
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port to bind; 0 picks a free one', '0')
    .option('--seed <n>', 'seed for deterministic data', '1')
    .option(
      '--rate-limit <n>',
      `requests per rolling minute per ${rateLimit.per} (e.g. 200-per-minute); 0 disables`,
      rateLimit.default,
    )
    .option(
      '--faults <spec>',
      "fault injection, e.g. 'status500=0.05,status429=0.02,reset=0.01,slow=0.05:2000,truncate=0.01'",
      '',
    )
    .option('--credentials-file <path>', 'also write the start-up JSON to this file (mode 0600)')
    .option(
      '--write-env <path>',
      "also write the vendor's variables (TS_* or TC_*) to this file, mode 0600: `set -a; . PATH; set +a`",
    )
    .option('--log-level <level>', 'stderr log level (debug logs every request)', 'info')
    .option('--json', 'print errors as JSON');
}

interface ServerFlags {
  host: string;
  port: string;
  seed: string;
  rateLimit: string;
  faults: string;
  credentialsFile?: string | undefined;
  writeEnv?: string | undefined;
  logLevel: string;
}

/** The parsed values of the shared flags. */
function serverOptions(flags: ServerFlags) {
  return {
    host: loopbackHostFlag(flags.host),
    port: numberFlag('--port', flags.port, { min: 0, max: 65535 }),
    seed: numberFlag('--seed', flags.seed, { min: 0, max: 2 ** 32 - 1 }),
    rateLimit: rateLimitFlag(flags.rateLimit),
    faults: parseFaultSpec(flags.faults),
  };
}

interface StartedSimulator {
  credentials: object;
  close(): Promise<void>;
}

/**
 * Runs a simulator until SIGINT or SIGTERM: prints its credentials as one JSON line on stdout
 * (and to `--credentials-file`, mode 0600), logs to stderr only, and closes it on the signal.
 */
async function runSimulator<S extends StartedSimulator>(
  flags: ServerFlags,
  start: (logger: Logger) => Promise<S>,
  describe: (sim: S) => { fields: Record<string, unknown>; message: string },
  envOf: (sim: S) => Record<string, string>,
): Promise<void> {
  const logger = createLogger(logLevelFlag(flags.logLevel));
  const started = Date.now();
  const sim = await start(logger);
  const line = JSON.stringify(sim.credentials);
  try {
    // A simulator nobody can find the credentials of is of no use: stop it and exit with the error.
    if (flags.credentialsFile) await writeSecretFile(flags.credentialsFile, `${line}\n`, 'credentials file');
    if (flags.writeEnv) await writeSecretFile(flags.writeEnv, envFileText(envOf(sim)), 'env file');
  } catch (error) {
    await sim.close();
    throw error;
  }
  process.stdout.write(`${line}\n`);
  const { fields, message } = describe(sim);
  logger.info({ ...fields, startMs: Date.now() - started }, message);
  const signal = await untilSignal();
  logger.info({ signal }, 'stopping');
  await sim.close();
}

function registerThreatStack(simulate: Command): void {
  const command = simulate
    .command('threatstack')
    .description(
      'Threat Stack REST API v2 simulator (Hawk, pagination, rate limit, faults, webhooks, detections)',
    )
    .option('--agents <n>', 'number of agents', '250')
    .option('--offline-ratio <r>', 'share of agents that are offline (0..1)', '0.1')
    .option('--cves <n>', 'size of the CVE catalogue', '400')
    .option('--findings-per-agent <n>', 'CVE findings per agent', '8')
    .option('--alerts <n>', 'seeded alerts over the last 30 days', '300')
    .option('--detection-latency <seconds>', 'delay between an action and the alert it raises', '30')
    .option(
      '--cve-agents <mode>',
      "each CVE's agents[] in /v2/vulnerabilities: full, cap:N (first N) or absent (fidelity switch)",
      'full',
    );
  withServerOptions(command, { default: '200', per: 'organization' }).action(async (flags) => {
    const options = {
      ...serverOptions(flags),
      agents: numberFlag('--agents', flags.agents, { min: 0, max: 2_000_000 }),
      offlineRatio: numberFlag('--offline-ratio', flags.offlineRatio, { min: 0, max: 1, integer: false }),
      cves: numberFlag('--cves', flags.cves, { min: 1, max: 1_000_000 }),
      findingsPerAgent: numberFlag('--findings-per-agent', flags.findingsPerAgent, { min: 0, max: 10_000 }),
      alerts: numberFlag('--alerts', flags.alerts, { min: 0, max: 2_000_000 }),
      detectionLatencySeconds: numberFlag('--detection-latency', flags.detectionLatency, {
        min: 0,
        max: 86_400,
        integer: false,
      }),
      cveAgents: cveAgentsFlag(flags.cveAgents),
    };
    await runSimulator(
      flags,
      async (logger) => {
        const { startThreatStackSimulator } = await import('../simulators/threatstack/server.ts');
        return startThreatStackSimulator(options, { logger });
      },
      (sim) => ({
        fields: {
          url: sim.url,
          agents: options.agents,
          findings: sim.simulation.primary.vulnerabilities.findingCount(),
        },
        message: 'Threat Stack simulator listening; admin API under /_sim/',
      }),
      (sim) => threatStackSimEnv(sim.credentials),
    );
  });
}

function apiRootFlag(raw: string): string {
  if (!isApiRoot(raw)) {
    throw new VigilError('INPUT_INVALID', `--api-root must be a path such as /api, or '', not '${raw}'.`);
  }
  return raw;
}

function registerThreatConnect(simulate: Command): void {
  const command = simulate
    .command('threatconnect')
    .description(
      'ThreatConnect REST API v2 simulator (HMAC and TC-Token, owners, adversaries, threats, ATT&CK tags, faults)',
    )
    .option('--api-root <path>', "path between the host and /v2 ('' for none)", '/api')
    .option('--owners <n>', 'owners the API user can access (Organization, Communities, Sources)', '4')
    .option('--adversaries <n>', 'adversaries per owner', '20')
    .option('--threats-per-adversary <n>', 'threats of each adversary', '3')
    .option('--tag-style <style>', 'ATT&CK tag names: display, bare or legacy', 'display')
    .option(
      '--auth-failure-status <status>',
      'status of authentication failures: 401, or 403 (legacy)',
      '401',
    )
    .option('--max-result-limit <n>', 'largest resultLimit: 10000, or 500 (legacy)', '10000')
    .option('--omit-empty-arrays', 'leave out empty array keys instead of sending []');
  withServerOptions(command, { default: '0', per: 'API user' }).action(async (flags) => {
    const options = {
      ...serverOptions(flags),
      apiRoot: apiRootFlag(flags.apiRoot),
      owners: numberFlag('--owners', flags.owners, { min: 1, max: 100 }),
      adversaries: numberFlag('--adversaries', flags.adversaries, { min: 0, max: 100_000 }),
      threatsPerAdversary: numberFlag('--threats-per-adversary', flags.threatsPerAdversary, {
        min: 0,
        max: 100,
      }),
      tagStyle: choiceFlag<TagStyle>('--tag-style', flags.tagStyle, tagStyles),
      authFailureStatus: Number(
        choiceFlag('--auth-failure-status', flags.authFailureStatus, ['401', '403']),
      ) as 401 | 403,
      maxResultLimit: numberFlag('--max-result-limit', flags.maxResultLimit, { min: 1, max: 10_000 }),
      omitEmptyArrays: flags.omitEmptyArrays === true,
    };
    await runSimulator(
      flags,
      async (logger) => {
        const { startThreatConnectSimulator } = await import('../simulators/threatconnect/server.ts');
        return startThreatConnectSimulator(options, { logger });
      },
      (sim) => ({
        fields: {
          url: sim.url,
          apiRoot: sim.apiRoot,
          owners: options.owners,
          adversaries: sim.simulation.dataset.owners.length * options.adversaries,
        },
        message: 'ThreatConnect simulator listening; admin API under /_sim/',
      }),
      (sim) => threatConnectSimEnv(sim.credentials),
    );
  });
}

export function registerSimulateCommands(program: Command): void {
  const simulate = program
    .command('simulate')
    .description('Run a local simulator of a vendor API (for tests, demos and benchmarks)');
  registerThreatStack(simulate);
  registerThreatConnect(simulate);
}
