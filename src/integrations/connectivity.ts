import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import { createDispatcher, redactUrlCredentials } from '../connectors/http/dispatcher.ts';
import { redactSecrets } from '../connectors/http/provider-errors.ts';
import { VigilError } from '../errors.ts';
import { baseUrlOf, type IntegrationConfig, validateConfig } from './config.ts';
import { type Hop, networkSteps, systemResolve } from './connectivity-network.ts';
import { type VendorProbe, vendorProbe } from './connectivity-vendors.ts';

/** The stable verdicts of `vigil integrations test`, in the order the layers are checked. */
export type ConnectivityCode =
  | 'CONFIG_INVALID'
  | 'DNS_FAILED'
  | 'TCP_UNREACHABLE'
  | 'TLS_FAILED'
  | 'AUTH_FAILED'
  | 'PERMISSION_DENIED'
  | 'RATE_LIMITED'
  | 'PROVIDER_ERROR'
  | 'OK';

/** One layer that was checked: `config`, `dns`, `tcp`, `tls` (`proxy-dns`, `proxy-tcp`), or an API request line. */
export interface ConnectivityCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ConnectivityResult {
  code: ConnectivityCode;
  /** What failed and what to fix; for OK, what was checked. Never a secret. */
  message: string;
  /** Every layer checked, in order; the last one failed unless the code is OK. */
  checks: ConnectivityCheck[];
  /** RATE_LIMITED only, when the vendor said: milliseconds until it admits a request again. */
  retryAfterMs?: number;
}

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

/** A layer's verdict: what it saw, or the code and message of its failure. */
export type CheckOutcome =
  | { ok: true; detail: string }
  | {
      ok: false;
      detail: string;
      code: Exclude<ConnectivityCode, 'OK'>;
      message: string;
      retryAfterMs?: number;
    };

/** One layer of the test; the test runs them in order and stops at the first failure. */
export interface ConnectivityStep {
  name: string;
  run(): Promise<CheckOutcome>;
}

export const DEFAULT_CONNECTIVITY_TIMEOUT_MS = 10_000;
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Prepared {
  config: IntegrationConfig;
  dispatcher: Dispatcher;
  probe: VendorProbe;
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

function missingApiKey(): VigilError {
  return new VigilError('CONFIG_INVALID', 'The integration has no API key.', {
    hint: 'Give it with --api-key-file PATH, --api-key-stdin or at the prompt (vigil integrations update NAME).',
  });
}

/**
 * The configuration layer: the whole config validated, an API key present, the dispatcher built
 * (proxy URL, CA file) and the vendor client built. Throws CONFIG_INVALID for any of them.
 */
function prepare(
  target: { config: IntegrationConfig; apiKey: string | null },
  deps: Required<ConnectivityDeps>,
): Prepared {
  const config = validateConfig(target.config);
  if (target.apiKey === null || target.apiKey.trim() === '') throw missingApiKey();
  const baseUrl = baseUrlOf(config);
  const proxy = config.proxy ?? undefined;
  const dispatcher = createDispatcher({
    target: baseUrl,
    timeoutMs: deps.timeoutMs,
    proxy,
    caFile: config.caFile ?? undefined,
    insecureSkipVerify: config.insecureSkipVerify,
  });
  try {
    const proxyShown = proxy === undefined ? undefined : redactUrlCredentials(proxy);
    const probe = vendorProbe({ config, apiKey: target.apiKey, baseUrl, dispatcher, proxyShown, ...deps });
    // createDispatcher has just read the CA file, so it is readable.
    const ca = config.caFile === null ? undefined : readFileSync(config.caFile, 'utf8');
    const trust = { ca, caFile: config.caFile, insecureSkipVerify: config.insecureSkipVerify };
    const network =
      proxy === undefined
        ? networkSteps(vendorHop(config, probe.service), config.protocol === 'https' ? trust : null, deps)
        : networkSteps(proxyHop(proxy), null, deps, 'proxy-');
    const route = `${baseUrl}${proxyShown === undefined ? '' : ` through the proxy ${proxyShown}`}`;
    return { config, dispatcher, probe, steps: [...network, ...probe.steps], route };
  } catch (error) {
    void dispatcher.destroy();
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
    message: `${prepared.probe.service} at ${prepared.route} passed every check — ${what}.`,
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
    await prepared.probe.close();
    await prepared.dispatcher.close();
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
