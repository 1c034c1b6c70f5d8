import { baseUrlOf, type ConnectorClient } from '../connectors/descriptor.ts';
import { readBoundedFileSync } from '../connectors/http/bounded-file.ts';
import { redactSecrets } from '../connectors/http/provider-errors.ts';
import { redactUrlCredentials } from '../connectors/http/redaction.ts';
import { connectorOf } from '../connectors/index.ts';
import { VigilError } from '../errors.ts';
import { type IntegrationConfig, validateConfig } from './config.ts';
import { apiStep, boundedSleep } from './connectivity-http.ts';
import { type Hop, networkSteps, systemResolve } from './connectivity-network.ts';
import type {
  CheckOutcome,
  ConnectivityCheck,
  ConnectivityResult,
  ConnectivityStep,
} from './connectivity-types.ts';

export type {
  CheckOutcome,
  ConnectivityCheck,
  ConnectivityCode,
  ConnectivityResult,
  ConnectivityStep,
} from './connectivity-types.ts';

export interface ConnectivityDeps {
  /** Host name → addresses (default: the system resolver). Inject only where a real one cannot give the condition. */
  resolve?: (host: string) => Promise<string[]>;
  /** Per layer: DNS answer, TCP connect, TLS handshake, each HTTP attempt (default 10 000). */
  timeoutMs?: number;
  /** The clock for request signatures and the retry time of RATE_LIMITED. */
  now?: () => number;
  /** Waits between attempts (never longer than a few seconds: a rate limit is reported, not waited out). */
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_CONNECTIVITY_TIMEOUT_MS = 10_000;
/**
 * Attempts per call: a second one rides out a single reset or 5xx; a rate limit is never waited
 * out (see `MAX_RETRY_WAIT_MS`), so the test answers in seconds.
 */
export const TEST_MAX_ATTEMPTS = 2;
/** The longest wait before a retry; a vendor asking for more is reported as RATE_LIMITED at once. */
export const MAX_RETRY_WAIT_MS = 5_000;
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Prepared {
  config: IntegrationConfig;
  client: ConnectorClient;
  service: string;
  steps: ConnectivityStep[];
  /** `https://host:port`, plus ` through the proxy …` when there is one. */
  route: string;
}

/** The proxy's host and port as the first hop, named with its credentials masked. */
function proxyHop(proxy: string): Hop {
  const url = new URL(proxy);
  const defaultPort = url.protocol === 'https:' ? 443 : 80;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? defaultPort : Number(url.port),
    role: `the proxy ${redactUrlCredentials(proxy)}`,
    settings: { name: '--proxy', address: '--proxy' },
  };
}

function vendorHop(config: IntegrationConfig, service: string): Hop {
  return {
    host: config.host.replace(/^\[|\]$/g, ''),
    port: config.port,
    role: `the ${service} host`,
    settings: { name: '--host', address: '--host and --port' },
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** API key and proxy password, raw and decoded: blanked from every message as a last guard. */
function secretsOf(target: { config: IntegrationConfig; apiKey: string | null }): string[] {
  const secrets = target.apiKey === null ? [] : [target.apiKey];
  const proxy: unknown = target.config.proxy;
  if (typeof proxy === 'string') {
    const password = URL.canParse(proxy) ? new URL(proxy).password : '';
    if (password !== '') secrets.push(password, safeDecode(password));
  }
  return secrets;
}

/**
 * The configuration layer: the whole config validated, an API key present, the connector's client
 * built over the integration's dispatcher (proxy URL, CA file). Throws CONFIG_INVALID for any of
 * them. The vendor layer is the connector's probe, its calls made with at most two attempts.
 */
function prepare(
  target: { config: IntegrationConfig; apiKey: string | null },
  deps: Required<ConnectivityDeps>,
): Prepared {
  const config = validateConfig(target.config);
  const connector = connectorOf(config.kind);
  const client = connector.createClient(
    config,
    { apiKey: target.apiKey ?? '' },
    {
      timeoutMs: deps.timeoutMs,
      maxAttempts: TEST_MAX_ATTEMPTS,
      requestsPerMinute: 0,
      now: deps.now,
      sleep: boundedSleep(deps.sleep, MAX_RETRY_WAIT_MS),
    },
  );
  try {
    const baseUrl = baseUrlOf(config);
    const proxy = config.proxy ?? undefined;
    const proxyShown = proxy === undefined ? undefined : redactUrlCredentials(proxy);
    const probe = connector.probe(client, config);
    const wording = {
      service: probe.service,
      host: config.host.replace(/^\[|\]$/g, ''),
      port: config.port,
      proxy: proxyShown,
      caFile: config.caFile,
      authFix: probe.authFix,
      notApiFix: probe.notApiFix,
      now: deps.now,
    };
    const api = probe.checks.map((check) => apiStep(check.request, wording, check.permissionFix, check.run));
    // Building the client has just read the CA file, so it is readable.
    const ca = config.caFile === null ? undefined : readBoundedFileSync(config.caFile);
    const trust = { ca, caFile: config.caFile, insecureSkipVerify: config.insecureSkipVerify };
    const network =
      proxy === undefined
        ? networkSteps(vendorHop(config, probe.service), config.protocol === 'https' ? trust : null, deps)
        : networkSteps(proxyHop(proxy), null, deps, 'proxy-');
    const route = `${baseUrl}${proxyShown === undefined ? '' : ` through the proxy ${proxyShown}`}`;
    return { config, client, service: probe.service, steps: [...network, ...api], route };
  } catch (error) {
    void client.close();
    throw error;
  }
}

function outcome(
  checks: ConnectivityCheck[],
  failure: Extract<CheckOutcome, { ok: false }>,
): ConnectivityResult {
  return {
    code: failure.code,
    message: failure.message,
    checks,
    ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
  };
}

function redacted(result: ConnectivityResult, secrets: readonly string[]): ConnectivityResult {
  return {
    ...result,
    message: redactSecrets(result.message, secrets),
    checks: result.checks.map((check) => ({ ...check, detail: redactSecrets(check.detail, secrets) })),
  };
}

async function runSteps(prepared: Prepared, checks: ConnectivityCheck[]): Promise<ConnectivityResult> {
  for (const step of prepared.steps) {
    const result = await step.run();
    checks.push({ name: step.name, ok: result.ok, detail: result.detail });
    if (!result.ok) return outcome(checks, result);
  }
  const what = checks.map((check) => `${check.name}: ${check.detail}`).join('; ');
  return {
    code: 'OK',
    message: `${prepared.service} at ${prepared.route} passed every check — ${what}.`,
    checks,
  };
}

/**
 * Tests an integration layer by layer and stops at the first failure: the configuration
 * (CONFIG_INVALID), then DNS, TCP and — for https — TLS of the vendor's host checked directly
 * (through a proxy: DNS and TCP of the proxy, naming it; the HTTP layer reports the rest), then
 * the vendor's API with the real client over the integration's dispatcher (proxy, CA file,
 * insecure switch) and at most two attempts per call: Threat Stack's Hawk self-test and one /v2
 * read, ThreatConnect's whoami and owners. Resolves with the code, a message saying what to fix
 * (or, for OK, what was checked) and every check made; it never contains the API key or the proxy
 * password. Rejects only on a bug.
 */
export async function testConnectivity(
  target: { config: IntegrationConfig; apiKey: string | null },
  deps: ConnectivityDeps = {},
): Promise<ConnectivityResult> {
  const resolved: Required<ConnectivityDeps> = {
    resolve: deps.resolve ?? systemResolve,
    timeoutMs: deps.timeoutMs ?? DEFAULT_CONNECTIVITY_TIMEOUT_MS,
    now: deps.now ?? Date.now,
    sleep: deps.sleep ?? realSleep,
  };
  const secrets = secretsOf(target);
  let prepared: Prepared;
  try {
    prepared = prepare(target, resolved);
  } catch (error) {
    if (!(error instanceof VigilError) || error.code !== 'CONFIG_INVALID') throw error;
    const message = error.hint === undefined ? error.message : `${error.message} ${error.hint}`;
    const checks = [{ name: 'config', ok: false, detail: error.message }];
    return redacted(
      outcome(checks, { ok: false, code: 'CONFIG_INVALID', detail: error.message, message }),
      secrets,
    );
  }
  const checks: ConnectivityCheck[] = [
    {
      name: 'config',
      ok: true,
      detail: `valid ${prepared.config.kind} configuration for ${prepared.route}, API key set`,
    },
  ];
  try {
    return redacted(await runSteps(prepared, checks), secrets);
  } finally {
    await prepared.client.close();
  }
}

/**
 * The coded error for a failed test (null for OK), for surfaces that report failures as errors:
 * the code is the result's, `details.retryAfterMs` is set for RATE_LIMITED.
 */
export function connectivityError(result: ConnectivityResult): VigilError | null {
  if (result.code === 'OK') return null;
  return new VigilError(result.code, result.message, {
    ...(result.retryAfterMs === undefined ? {} : { details: { retryAfterMs: result.retryAfterMs } }),
  });
}
