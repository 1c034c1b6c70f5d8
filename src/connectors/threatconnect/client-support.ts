import type { Logger } from 'pino';
import { z } from 'zod';
import { type ErrorCode, VigilError } from '../../errors.ts';
import { type ClientLimits, clientLimitFields, pickLimits } from '../http/limits.ts';
import { parseOrigin } from '../http/origin.ts';
import { encodePathSegment, type QueryParams } from '../http/path.ts';
import { redactUrlCredentials } from '../http/redaction.ts';
import type { WaitEvent, WaitStats } from '../http/waits.ts';
import { ACCESS_ID_PATTERN, apiRootSchema } from './config.ts';

/** The most a current server returns per page (spec §5). */
export const MAX_RESULT_LIMIT = 10_000;
/** The maximum of servers older than the change-log entry; the fallback after a pagination 400. */
export const LEGACY_RESULT_LIMIT = 500;

/** The client's configuration with defaults applied and the base URL taken apart. */
export interface ResolvedConfig {
  /** `protocol://host[:port]`, what undici connects to (never signed). */
  origin: string;
  /** `''` or `/segment…`, prefixed to every path and signed with it. */
  apiRoot: string;
  accessId: string;
  apiKey: string;
  timeoutMs: number;
  maxAttempts: number;
  resultLimit: number;
  requestsPerMinute: number;
  /** Ceilings on what the vendor may make the client read or wait (`limits.ts`). */
  limits: ClientLimits;
  /** What to do, per error code, worded for this integration's settings. */
  hints: Partial<Record<ErrorCode, string>>;
}

export interface ThreatConnectClientDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  logger?: Logger;
  /** Told before every wait (vendor rate limit, request budget, backoff), e.g. for a progress line. */
  onWait?: (event: WaitEvent) => void;
}

export interface ThreatConnectClientStats extends WaitStats {
  /** Attempts sent, retries included. */
  requests: number;
  retries: number;
  /** 429 answers received from the vendor (waits are counted apart, in `WaitStats`). */
  rateLimited: number;
  /** Times a pagination 400 made the client drop to `resultLimit=500` (at most once per client). */
  paginationFallbacks: number;
}

const configSchema = z.object({
  baseUrl: z.string().min(1, 'is required'),
  apiRoot: apiRootSchema,
  accessId: z
    .string()
    .min(1, 'is required (TC_ACCESS_ID)')
    .regex(ACCESS_ID_PATTERN, 'must be printable characters without spaces (TC_ACCESS_ID)'),
  apiKey: z.string().min(1, 'is required (TC_API_KEY)'),
  timeoutMs: z.number().int().min(1).max(600_000).default(30_000),
  maxAttempts: z.number().int().min(1).max(20).default(6),
  resultLimit: z.number().int().min(1).max(MAX_RESULT_LIMIT).default(MAX_RESULT_LIMIT),
  requestsPerMinute: z.number().int().min(0).default(0),
  proxy: z.string().optional(),
  ...clientLimitFields,
});

/** CONFIG_INVALID; the message never repeats a value (it could be the key). */
function invalidConfig(problem: string): VigilError {
  return new VigilError('CONFIG_INVALID', `ThreatConnect client configuration: ${problem}.`, {
    hint:
      'Set TC_HOST, TC_ACCESS_ID and TC_API_KEY (and TC_PORT, TC_PROTOCOL, TC_API_ROOT when they differ from ' +
      'https, 443 and no root); the base URL is protocol://host[:port] and the API root goes separately.',
  });
}

function hintsFor(
  origin: string,
  apiRoot: string,
  proxy: string | undefined,
): Partial<Record<ErrorCode, string>> {
  const route = proxy ? ` through the proxy ${redactUrlCredentials(proxy)}` : '';
  return {
    PROVIDER_AUTHENTICATION_ERROR:
      'Check TC_ACCESS_ID and TC_API_KEY (the Access ID and Secret Key of a ThreatConnect API user), and that ' +
      'this machine’s clock is within 5 minutes of real time.',
    PROVIDER_PERMISSION_ERROR:
      'The API user is authenticated but may not read this: check its role and owner memberships in ThreatConnect.',
    PROVIDER_NOT_FOUND:
      apiRoot === ''
        ? `Nothing answers at ${origin}/v2: most ThreatConnect instances serve the API under /api — try --api-root /api (TC_API_ROOT=/api).`
        : `The object does not exist (any more) at ThreatConnect; if nothing is found, check TC_API_ROOT (now '${apiRoot}').`,
    PROVIDER_API_ERROR:
      'ThreatConnect failed or refused the request; try again later, and check its status if it persists.',
    PROVIDER_RATE_LIMITED: 'ThreatConnect kept answering 429: lower requestsPerMinute or run the sync later.',
    PROVIDER_NETWORK_ERROR: `Check that ${origin} is reachable from this machine${route}, or raise the timeout.`,
    PROVIDER_RESPONSE_INVALID: `Check that ${origin}${apiRoot} is the ThreatConnect API (the host of appsApiUrl and TC_API_ROOT).`,
  };
}

/** Validates the configuration (CONFIG_INVALID naming each field) and applies the defaults. */
export function resolveConfig(
  input: Partial<ClientLimits> & {
    baseUrl: string;
    apiRoot: string;
    accessId: string;
    apiKey: string;
    timeoutMs?: number | undefined;
    maxAttempts?: number | undefined;
    resultLimit?: number | undefined;
    requestsPerMinute?: number | undefined;
    proxy?: string | undefined;
  },
): ResolvedConfig {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw invalidConfig(
      parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; '),
    );
  }
  const config = parsed.data;
  const origin = parseOrigin(config.baseUrl);
  if (!origin.ok) throw invalidConfig(`baseUrl ${origin.problem}`);
  return {
    origin: origin.value.origin,
    apiRoot: config.apiRoot,
    accessId: config.accessId,
    apiKey: config.apiKey,
    timeoutMs: config.timeoutMs,
    maxAttempts: config.maxAttempts,
    resultLimit: config.resultLimit,
    requestsPerMinute: config.requestsPerMinute,
    limits: pickLimits(config),
    hints: hintsFor(origin.value.origin, config.apiRoot, config.proxy),
  };
}

/** A group id as a path segment; INPUT_INVALID unless it is a non-negative safe integer. */
export function groupId(id: number, what: string): string {
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new VigilError('INPUT_INVALID', `A ThreatConnect ${what} id must be a non-negative integer.`);
  }
  return encodePathSegment(String(id));
}

/** `owner=<name>` when an owner is given. */
export function ownerParams(ownerName: string | undefined): QueryParams {
  return ownerName === undefined ? [] : [['owner', ownerName]];
}
