import { STATUS_CODES } from 'node:http';
import { type ErrorCode, VigilError } from '../../errors.ts';
import { redactSecrets } from './redaction.ts';
import type { HttpResponse, ResponseTooLargeError, TransportError } from './transport.ts';

/** What a provider error is about; everything here may appear in a message, so no secrets. */
export interface ProviderContext {
  /** The vendor's name in messages, e.g. `Threat Stack`. */
  service: string;
  method: string;
  /** The request target as shown in messages (path and query, which carry no secrets). */
  path: string;
  /** What to do, per code; the vendor's client names its own settings. Defaults below. */
  hints?: Partial<Record<ErrorCode, string>>;
  /**
   * Values that must never appear in a message (the API key, the proxy password): blanked in every
   * encoding if a vendor ever echoes one (see redaction.ts).
   */
  secrets?: readonly string[];
}

const defaultHints: Partial<Record<ErrorCode, string>> = {
  PROVIDER_AUTHENTICATION_ERROR: 'Check the integration credentials and that this machine’s clock is right.',
  PROVIDER_PERMISSION_ERROR: 'The credentials are valid but lack the permission; check the account’s role.',
  PROVIDER_NOT_FOUND: 'The object does not exist (any more) at the vendor.',
  PROVIDER_RATE_LIMITED: 'Lower the integration’s requests per minute, or run the sync later.',
  PROVIDER_API_ERROR: 'The vendor failed; try again later, and check its status page if it persists.',
  PROVIDER_RESPONSE_INVALID:
    'The vendor answered something Vigil does not understand; check the host and port point at the vendor API.',
  PROVIDER_NETWORK_ERROR: 'Check the host, port, proxy and firewall, and that the vendor is reachable.',
};

const MAX_VENDOR_TEXT = 300;

export { redactSecrets };

function isJson(response: HttpResponse): boolean {
  return /\bjson\b/i.test(response.headers['content-type'] ?? '');
}

/**
 * The vendor's own explanation of a failure: the strings of `{"errors":[…]}` (or a `message`
 * string), read only when the response says it is JSON; rate-limit and gateway bodies are
 * often plain text and are never parsed. Shortened to 300 characters.
 */
export function vendorErrorText(response: HttpResponse): string | undefined {
  if (!isJson(response)) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object') return undefined;
  const { errors, message } = body as { errors?: unknown; message?: unknown };
  const parts = Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
  if (parts.length === 0 && typeof message === 'string') parts.push(message);
  if (parts.length === 0) return undefined;
  const text = parts.join('; ');
  return text.length > MAX_VENDOR_TEXT ? `${text.slice(0, MAX_VENDOR_TEXT)}…` : text;
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'PROVIDER_AUTHENTICATION_ERROR';
  if (status === 403) return 'PROVIDER_PERMISSION_ERROR';
  if (status === 404) return 'PROVIDER_NOT_FOUND';
  if (status === 429) return 'PROVIDER_RATE_LIMITED';
  return 'PROVIDER_API_ERROR';
}

function providerError(
  code: ErrorCode,
  message: string,
  context: ProviderContext,
  details: Record<string, string | number | boolean>,
  cause?: unknown,
): VigilError {
  const hint = context.hints?.[code] ?? defaultHints[code];
  return new VigilError(code, redactSecrets(message, context.secrets), {
    ...(hint === undefined ? {} : { hint: redactSecrets(hint, context.secrets) }),
    details,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The coded error for a final non-2xx response: 401 → PROVIDER_AUTHENTICATION_ERROR,
 * 403 → PROVIDER_PERMISSION_ERROR, 404 → PROVIDER_NOT_FOUND, 429 → PROVIDER_RATE_LIMITED
 * (`details.retryAfterMs` when known), anything else → PROVIDER_API_ERROR (`details.status`).
 * The message names the method, path, status and the vendor's error text, and `stoppedBecause`
 * (why the client stopped retrying early) when given.
 */
export function responseError(
  response: HttpResponse,
  context: ProviderContext,
  attempts: number,
  retryAfterMs?: number,
  stoppedBecause?: string,
): VigilError {
  const code = codeForStatus(response.status);
  const phrase = STATUS_CODES[response.status] ?? 'Unknown Status';
  const vendorText = vendorErrorText(response);
  const repeated = attempts > 1 ? ` on all ${attempts} attempts` : '';
  const message =
    `${context.service} ${context.method} ${context.path} failed: ${response.status} ${phrase}` +
    `${vendorText === undefined ? '' : ` (${vendorText})`}${repeated}` +
    `${stoppedBecause === undefined ? '' : `; Vigil stopped waiting: ${stoppedBecause}`}.`;
  const details: Record<string, string | number | boolean> = { status: response.status, attempts };
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  return providerError(code, message, context, details);
}

/**
 * PROVIDER_NETWORK_ERROR after every attempt failed below HTTP, or at once for a permanent
 * failure (`details.reason`: timeout, connection, truncated; `details.permanent`: dns, refused, tls).
 */
export function networkError(error: TransportError, context: ProviderContext, attempts: number): VigilError {
  const repeated = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  const final = error.permanent === undefined ? '' : ' (not retried: another attempt cannot fix this)';
  const message = `${context.service} ${context.method} ${context.path} failed: ${error.message}${repeated}${final}.`;
  const details: Record<string, string | number> = { reason: error.kind, attempts };
  if (error.permanent !== undefined) details.permanent = error.permanent;
  return providerError('PROVIDER_NETWORK_ERROR', message, context, details, error);
}

/** PROVIDER_RESPONSE_INVALID for a body over the client's size limit (never retried). */
export function tooLargeResponse(context: ProviderContext, error: ResponseTooLargeError): VigilError {
  return invalidResponse(context, `${error.message} (maxResponseBytes)`, error);
}

/** PROVIDER_RESPONSE_INVALID: a 2xx whose body or authentication is not what the vendor documents. */
export function invalidResponse(context: ProviderContext, problem: string, cause?: unknown): VigilError {
  const message = `${context.service} ${context.method} ${context.path} returned an invalid response: ${problem}.`;
  return providerError('PROVIDER_RESPONSE_INVALID', message, context, {}, cause);
}
