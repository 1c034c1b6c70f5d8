import type Hawk from 'hawk';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type ErrorCode, VigilError } from '../../errors.ts';
import { type ClientLimits, clientLimitFields, pickLimits } from '../http/limits.ts';
import { parseOrigin } from '../http/origin.ts';
import { redactUrlCredentials } from '../http/redaction.ts';
import type { WaitAllowance, WaitEvent, WaitStats } from '../http/waits.ts';
import { HAWK_ATTRIBUTE } from './hawk-signer.ts';

/** The client's configuration with defaults applied and the base URL taken apart. */
export interface ResolvedConfig {
  /** `protocol://host:port`, what undici connects to. */
  origin: string;
  /** Host and port as Hawk signs them (the `Host` header undici sends). */
  host: string;
  port: number;
  userId: string;
  apiKey: string;
  orgId: string;
  requestsPerMinute: number;
  timeoutMs: number;
  maxAttempts: number;
  verifyResponses: boolean;
  /** Ceilings on what the vendor may make the client read or wait (`limits.ts`). */
  limits: ClientLimits;
  /** Largest page of GET /v2/vulnerabilities read, in bytes (default 256 MiB: it lists every agent of every CVE). */
  maxVulnerabilityPageBytes: number;
  /** What to do, per error code, worded for this integration's settings. */
  hints: Partial<Record<ErrorCode, string>>;
}

/** The optional ceilings a caller may set (all have defaults). */
export type ThreatStackLimitOptions = Partial<ClientLimits> & { maxVulnerabilityPageBytes?: number };

export interface ThreatStackClientDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  logger?: Logger;
  /** Nonce source (default: 6 random bytes, base64url). */
  nonce?: () => string;
  /** Told before every wait (vendor rate limit, request budget, backoff), e.g. for a progress line. */
  onWait?: (event: WaitEvent) => void;
}

export interface ThreatStackClientStats extends WaitStats {
  /** Attempts sent, retries included. */
  requests: number;
  retries: number;
  /** 429 answers received from the vendor (waits are counted apart, in `WaitStats`). */
  rateLimited: number;
  clockCorrections: number;
}

/** How one logical request is sent. */
export interface SendOptions {
  body?: string | undefined;
  /** A 404 yields NOT_FOUND instead of an error. */
  allowNotFound?: boolean;
  /** The 429 waits left to the listing this request belongs to (default: a fresh allowance). */
  allowance?: WaitAllowance;
  /** The body size limit of this route (default `maxResponseBytes`). */
  maxBytes?: number;
}

/** The artifacts of the latest signed attempt of one logical request, to check the response against. */
export interface HawkSession {
  artifacts: Hawk.crypto.Artifacts | undefined;
}

const hawkAttribute = (what: string) =>
  z
    .string()
    .min(1, `${what} is required`)
    .regex(HAWK_ATTRIBUTE, `${what} holds characters Hawk cannot carry`);

const configSchema = z.object({
  baseUrl: z.string().min(1, 'baseUrl is required'),
  userId: hawkAttribute('userId (TS_USER_ID)'),
  apiKey: z.string().min(1, 'apiKey (TS_API_KEY) is required'),
  orgId: hawkAttribute('orgId (TS_ORGANIZATION_ID)'),
  requestsPerMinute: z.number().int().min(0).default(200),
  timeoutMs: z.number().int().min(1).max(600_000).default(30_000),
  maxAttempts: z.number().int().min(1).max(20).default(6),
  proxy: z.string().optional(),
  verifyResponses: z.boolean().default(true),
  ...clientLimitFields,
  maxVulnerabilityPageBytes: z
    .number()
    .int()
    .min(1024)
    .default(256 * 1024 * 1024),
});

/** Throws CONFIG_INVALID; the message never repeats a value (it could be the key). */
export function invalidConfig(problem: string): VigilError {
  return new VigilError('CONFIG_INVALID', `Threat Stack client configuration: ${problem}.`, {
    hint: 'Set TS_USER_ID, TS_API_KEY and TS_ORGANIZATION_ID, and a base URL such as https://api.threatstack.com:443.',
  });
}

function parseBaseUrl(baseUrl: string): { origin: string; host: string; port: number } {
  const parsed = parseOrigin(baseUrl);
  if (!parsed.ok) throw invalidConfig(`baseUrl ${parsed.problem}`);
  return { origin: parsed.value.origin, host: parsed.value.hostname, port: parsed.value.port };
}

function hintsFor(origin: string, proxy: string | undefined): Partial<Record<ErrorCode, string>> {
  const route = proxy ? ` through the proxy ${redactUrlCredentials(proxy)}` : '';
  return {
    PROVIDER_AUTHENTICATION_ERROR:
      'Check TS_USER_ID and TS_API_KEY (Settings → Application Keys), that TS_ORGANIZATION_ID is an organization ' +
      'of that user, and that this machine’s clock is within 60 s of real time.',
    PROVIDER_PERMISSION_ERROR:
      'The key is valid but the user may not do this: check the user’s role in the organization and that its ' +
      'membership has not been revoked.',
    PROVIDER_NOT_FOUND:
      'The object does not exist in this organization; check the id and TS_ORGANIZATION_ID.',
    PROVIDER_RATE_LIMITED:
      'Threat Stack allows about 200 requests per minute per organization, shared by every client of it; lower ' +
      'requestsPerMinute or run the sync when other clients are idle.',
    PROVIDER_NETWORK_ERROR: `Check that ${origin} is reachable from this machine${route}, or raise the timeout.`,
    PROVIDER_RESPONSE_INVALID: `Check that ${origin} is the Threat Stack API and that nothing on the way rewrites responses.`,
  };
}

/** Validates the configuration (CONFIG_INVALID naming the field) and applies the defaults. */
export function resolveConfig(
  input: ThreatStackLimitOptions & {
    baseUrl: string;
    userId: string;
    apiKey: string;
    orgId: string;
    requestsPerMinute?: number | undefined;
    timeoutMs?: number | undefined;
    maxAttempts?: number | undefined;
    proxy?: string | undefined;
    verifyResponses?: boolean | undefined;
  },
): ResolvedConfig {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw invalidConfig(problems.join('; '));
  }
  const config = parsed.data;
  const { origin, host, port } = parseBaseUrl(config.baseUrl);
  return {
    origin,
    host,
    port,
    userId: config.userId,
    apiKey: config.apiKey,
    orgId: config.orgId,
    requestsPerMinute: config.requestsPerMinute,
    timeoutMs: config.timeoutMs,
    maxAttempts: config.maxAttempts,
    verifyResponses: config.verifyResponses,
    limits: pickLimits(config),
    maxVulnerabilityPageBytes: config.maxVulnerabilityPageBytes,
    hints: hintsFor(origin, config.proxy),
  };
}

export { parseJsonBody, parseWithSchema } from '../http/response-body.ts';
