import { type ErrorCode, VigilError } from '../../errors.ts';
import {
  type ProviderContext,
  redactSecrets,
  responseError,
  vendorErrorText,
} from '../http/provider-errors.ts';
import type { HttpResponse } from '../http/transport.ts';

/** ThreatConnect's failure messages that this client acts on (spec §2.6), exactly as the server writes them. */
export const TC_MESSAGES = {
  badSignature: 'Signature data did not match expected result',
  clockSkew: 'Timestamp out of acceptable time range',
  invalidTimestamp: 'Invalid timestamp',
  accessDenied: 'Access Denied',
  unauthorized: 'Unauthorized',
  ownerNotFound: 'The requested owner was not found',
} as const;

/** Messages that only ever mean "these credentials or this clock were refused", whatever the status. */
const AUTHENTICATION_MESSAGES = new Set<string>([
  TC_MESSAGES.badSignature,
  TC_MESSAGES.clockSkew,
  TC_MESSAGES.invalidTimestamp,
  TC_MESSAGES.unauthorized,
]);

/** Which request failed, beyond its path: the owner it was scoped to, if any. */
export interface FailedRequest {
  context: ProviderContext;
  owner?: string | undefined;
}

/**
 * Whether a 400 is the documented refusal of `resultStart`/`resultLimit` (spec §5: "The
 * resultStart and resultLimit query parameters must be integers and the maximum value for
 * resultLimit is …"), after which the client falls back to the legacy limit.
 */
export function isPaginationRefusal(response: HttpResponse): boolean {
  return response.status === 400 && /\bresultLimit\b/.test(vendorErrorText(response) ?? '');
}

/**
 * The code of a ThreatConnect failure. 401 is authentication. A 403 is the owner's problem
 * (permission) unless its message is one of the authentication texts, or it is `Access Denied`
 * on a request without `owner=`: a legacy server answers 403 for every authentication failure
 * (spec D1). With `owner=`, a legacy server's `Access Denied` for a wrong Access ID cannot be told
 * from an inaccessible owner; the sync's first calls (whoami, owners) carry no owner and catch it.
 */
function codeOf(
  status: number,
  message: string | undefined,
  owner: string | undefined,
): ErrorCode | undefined {
  if (status === 401 || (message !== undefined && AUTHENTICATION_MESSAGES.has(message))) {
    return 'PROVIDER_AUTHENTICATION_ERROR';
  }
  if (status === 403) {
    return message === TC_MESSAGES.accessDenied && owner === undefined
      ? 'PROVIDER_AUTHENTICATION_ERROR'
      : 'PROVIDER_PERMISSION_ERROR';
  }
  return undefined;
}

function ownerProblem(message: string | undefined, owner: string): { lead: string; hint: string } {
  if (message === TC_MESSAGES.ownerNotFound) {
    return {
      lead: `ThreatConnect has no owner named '${owner}'.`,
      hint: `Owners are matched by their exact name and none is named '${owner}'; GET /v2/owners lists the names this API user can use.`,
    };
  }
  return {
    lead: `The API user may not read the ThreatConnect owner '${owner}'.`,
    hint: `Give the API user access to '${owner}' (membership of that Community or Source), or leave the owner out.`,
  };
}

function authenticationHint(message: string | undefined, fallback: string | undefined): string | undefined {
  if (message !== TC_MESSAGES.clockSkew) return fallback;
  return (
    'This machine’s clock is more than 5 minutes away from ThreatConnect’s: synchronise it (NTP) and try ' +
    'again. If the clock is right, check TC_ACCESS_ID and TC_API_KEY.'
  );
}

function recoded(
  base: VigilError,
  code: ErrorCode,
  lead: string | undefined,
  hint: string | undefined,
  secrets: readonly string[] | undefined,
): VigilError {
  const message = lead === undefined ? base.message : `${lead} ${base.message}`;
  return new VigilError(code, redactSecrets(message, secrets), {
    ...(hint === undefined ? {} : { hint: redactSecrets(hint, secrets) }),
    details: { ...base.details },
  });
}

/**
 * The coded error for a final non-2xx answer: the shared status mapping (404 → NOT_FOUND, 429 →
 * RATE_LIMITED, 5xx → API_ERROR), refined for ThreatConnect's 401/403 messages as `codeOf`
 * says. The message always carries the vendor's `message`; an owner error names the owner; a
 * clock-skew refusal gets a hint about the clock. The API key never appears.
 */
export function failureError(
  response: HttpResponse,
  request: FailedRequest,
  attempts: number,
  retryAfterMs?: number,
  stoppedBecause?: string,
): VigilError {
  const base = responseError(response, request.context, attempts, retryAfterMs, stoppedBecause);
  const message = vendorErrorText(response);
  const code = codeOf(response.status, message, request.owner) ?? base.code;
  if (code === 'PROVIDER_PERMISSION_ERROR' && request.owner !== undefined) {
    const { lead, hint } = ownerProblem(message, request.owner);
    return recoded(base, code, lead, hint, request.context.secrets);
  }
  if (code === 'PROVIDER_AUTHENTICATION_ERROR') {
    const hint = authenticationHint(message, request.context.hints?.[code]);
    return recoded(base, code, undefined, hint, request.context.secrets);
  }
  return code === base.code
    ? base
    : recoded(base, code, undefined, request.context.hints?.[code], request.context.secrets);
}

/**
 * The error for a 2xx whose envelope `status` is not `"Success"` (spec §4: every such answer is a
 * failure): classified by its message like a non-2xx, else PROVIDER_API_ERROR.
 */
export function envelopeFailureError(
  status: string,
  message: string | undefined,
  request: FailedRequest,
  httpStatus: number,
): VigilError {
  const { context } = request;
  const code = codeOf(httpStatus, message, request.owner) ?? 'PROVIDER_API_ERROR';
  const text =
    `${context.service} ${context.method} ${context.path} answered ${httpStatus} with status ` +
    `"${status}"${message === undefined ? '' : ` (${message})`}.`;
  const hint =
    code === 'PROVIDER_AUTHENTICATION_ERROR'
      ? authenticationHint(message, context.hints?.[code])
      : context.hints?.[code];
  return new VigilError(code, redactSecrets(text, context.secrets), {
    ...(hint === undefined ? {} : { hint: redactSecrets(hint, context.secrets) }),
    details: { status: httpStatus },
  });
}
