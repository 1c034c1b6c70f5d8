import { RETRY_AFTER_MARGIN_MS } from '../connectors/http/backoff.ts';
import { causeChain, DNS_CODES } from '../connectors/http/permanent-failures.ts';
import { VigilError } from '../errors.ts';
import { describeCertificateProblem, hostPort, UNTRUSTED_CERTIFICATE_CODES } from './connectivity-network.ts';
import type { CheckOutcome, ConnectivityStep } from './connectivity-types.ts';

/**
 * The HTTP layer of the connectivity test: a vendor client's call as a step, and its coded
 * `PROVIDER_*` failure turned into a connectivity code with a message saying what to fix.
 */

type Failed = Extract<CheckOutcome, { ok: false }>;

/** How one vendor's failures are worded: where it is, and what to change for each kind of refusal. */
export interface VendorWording {
  service: string;
  /** The vendor's host and port as configured (for network failures seen through a proxy). */
  host: string;
  port: number;
  /** The proxy as messages show it (credentials masked), if there is one. */
  proxy: string | undefined;
  caFile: string | null;
  /** What to check when the credentials are refused (401). */
  authFix: string;
  /** What to check when an answer shows the host is not the vendor's API (404, wrong body). */
  notApiFix: string;
  now: () => number;
}

/**
 * Thrown by the sleep handed to a client instead of waiting longer than the test allows (a
 * vendor asking to wait out a rate-limit window): the test reports RATE_LIMITED at once.
 */
export class RetryWaitTooLong extends Error {
  constructor(readonly waitMs: number) {
    super(`the vendor asked to wait ${waitMs} ms before retrying`);
    this.name = 'RetryWaitTooLong';
  }
}

/** A sleep that waits at most `maxMs` and refuses longer waits with `RetryWaitTooLong`. */
export function boundedSleep(sleep: (ms: number) => Promise<void>, maxMs: number) {
  return async (ms: number): Promise<void> => {
    if (ms > maxMs) throw new RetryWaitTooLong(ms);
    await sleep(ms);
  };
}

/**
 * `Retry after 2026-11-25T12:01:00.000Z (in 60 s); …`, or plain advice when the vendor gave no
 * time: a sentence telling the user when to run the test again.
 */
export function retryAdvice(retryAfterMs: number | undefined, now: () => number): string {
  const shared = 'other clients of the same account share the limit.';
  if (retryAfterMs === undefined) return `Retry in a minute; ${shared}`;
  const at = new Date(now() + retryAfterMs).toISOString();
  return `Retry after ${at} (in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s); ${shared}`;
}

const connectCodes = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const proxyStatusPattern = /Proxy response \((\d{3})\)|Proxy Authentication Required \((407)\)/;

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function isTlsCode(code: string): boolean {
  return (
    UNTRUSTED_CERTIFICATE_CODES.has(code) ||
    code.startsWith('CERT_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_')
  );
}

function proxyRefused(status: number, wording: VendorWording, request: string): Failed {
  const proxy = wording.proxy ?? 'the proxy';
  if (status === 407) {
    return {
      ok: false,
      code: 'AUTH_FAILED',
      detail: 'the proxy answered 407 Proxy Authentication Required',
      message:
        `The proxy ${proxy} refused its credentials (407 Proxy Authentication Required) on ${request}. ` +
        'Fix the user and password in --proxy http://user:password@host:port.',
    };
  }
  const target = hostPort(wording.host, wording.port);
  return {
    ok: false,
    code: 'TCP_UNREACHABLE',
    detail: `the proxy answered ${status} to CONNECT ${target}`,
    message:
      `The proxy ${proxy} could not open a connection to ${target} (it answered ${status}). ` +
      `Check that the proxy may and can reach ${target} (its allow-list, DNS and firewall), and --host/--port.`,
  };
}

/**
 * A failure below HTTP, classified by the first cause that names a layer: a proxy's refusal,
 * DNS, TLS or TCP; anything else (a reset or a timeout after connecting) is the provider's.
 */
function networkFailure(error: VigilError, wording: VendorWording, request: string): Failed {
  const target = hostPort(wording.host, wording.port);
  const via = wording.proxy === undefined ? '' : ` through the proxy ${wording.proxy}`;
  for (const cause of causeChain(error)) {
    const proxyStatus = proxyStatusPattern.exec(cause instanceof Error ? cause.message : '');
    if (proxyStatus !== null) return proxyRefused(Number(proxyStatus[1] ?? proxyStatus[2]), wording, request);
    const code = codeOf(cause);
    if (DNS_CODES.has(code)) {
      const message = `Cannot resolve the ${wording.service} host ${wording.host}${via} (${code}). Check --host.`;
      return { ok: false, code: 'DNS_FAILED', detail: code, message };
    }
    if (isTlsCode(code)) {
      const trust = { ca: undefined, caFile: wording.caFile, insecureSkipVerify: false };
      const problem = describeCertificateProblem(code, wording.host, undefined, trust);
      const message = `TLS with ${target}${via} failed: ${problem.reason}. ${problem.fix}`;
      return { ok: false, code: 'TLS_FAILED', detail: problem.reason, message };
    }
    if (connectCodes.has(code)) {
      const message = `Cannot connect to ${wording.service} at ${target}${via} (${code}). Check --host, --port and --proxy, and the firewall.`;
      return { ok: false, code: 'TCP_UNREACHABLE', detail: code, message };
    }
  }
  return {
    ok: false,
    code: 'PROVIDER_ERROR',
    detail: error.message,
    message: `${error.message} The connection to ${wording.service}${via} worked but the request did not complete; try again, and check the proxy or anything else on the way if it persists.`,
  };
}

/**
 * The connectivity verdict for a client's failure on `request` (e.g. `GET /v2/agents?status=online`):
 * 401 → AUTH_FAILED, 403 → PERMISSION_DENIED (naming the request), 429 → RATE_LIMITED with the
 * retry time, 5xx → PROVIDER_ERROR; 404 or a body that is not the vendor's → PROVIDER_ERROR saying
 * the host may not be the vendor's API; failures below HTTP by their layer. Errors that are not
 * Vigil's (bugs) propagate.
 */
export function classifyCallFailure(
  error: unknown,
  request: string,
  wording: VendorWording,
  permissionFix: string,
): Failed {
  if (error instanceof RetryWaitTooLong) {
    const retryAfterMs = Math.max(0, error.waitMs - RETRY_AFTER_MARGIN_MS);
    const message = `${wording.service} is rate limiting ${request} (429 Too Many Requests). ${retryAdvice(retryAfterMs, wording.now)}`;
    return { ok: false, code: 'RATE_LIMITED', detail: '429 Too Many Requests', message, retryAfterMs };
  }
  if (!(error instanceof VigilError)) throw error;
  const status = typeof error.details.status === 'number' ? error.details.status : undefined;
  const detail = error.message;
  switch (error.code) {
    case 'CONFIG_INVALID':
      return {
        ok: false,
        code: 'CONFIG_INVALID',
        detail,
        message: `${error.message} ${error.hint ?? ''}`.trim(),
      };
    case 'PROVIDER_AUTHENTICATION_ERROR':
      return { ok: false, code: 'AUTH_FAILED', detail, message: `${error.message} ${wording.authFix}` };
    case 'PROVIDER_PERMISSION_ERROR':
      return { ok: false, code: 'PERMISSION_DENIED', detail, message: `${error.message} ${permissionFix}` };
    case 'PROVIDER_RATE_LIMITED': {
      const retryAfterMs =
        typeof error.details.retryAfterMs === 'number' ? error.details.retryAfterMs : undefined;
      const message = `${error.message} ${retryAdvice(retryAfterMs, wording.now)}`;
      return {
        ok: false,
        code: 'RATE_LIMITED',
        detail,
        message,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }
    case 'PROVIDER_NETWORK_ERROR':
      return networkFailure(error, wording, request);
    default:
      break;
  }
  if (status === 407) return proxyRefused(407, wording, request);
  const fix =
    status !== undefined && status >= 500
      ? `${wording.service} is failing; try again later, and check its status page if it persists.`
      : wording.notApiFix;
  return { ok: false, code: 'PROVIDER_ERROR', detail, message: `${error.message} ${fix}` };
}

/** A vendor call as a step: its result described on success, its failure classified. */
export function apiStep(
  request: string,
  wording: VendorWording,
  permissionFix: string,
  call: () => Promise<string>,
): ConnectivityStep {
  return {
    name: request,
    run: async () => {
      try {
        return { ok: true, detail: await call() };
      } catch (error) {
        return classifyCallFailure(error, request, wording, permissionFix);
      }
    },
  };
}
