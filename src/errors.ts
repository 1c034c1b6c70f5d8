import type { ZodError } from 'zod';

/**
 * The registry of coded errors. Every failure Vigil reports carries one of these stable codes;
 * surfaces map the code to an exit status (CLI) or an HTTP status (API). Codes never change
 * meaning once released: add a new code instead.
 *
 * Throw which:
 * - `USAGE_INVALID`: the command line itself is wrong (unknown flag, missing argument).
 * - `INPUT_INVALID`: a value given by the user (flag, file, request body) fails validation.
 * - `FAULT_SPEC_INVALID`: a simulator `--faults` string cannot be parsed.
 * - `ADDRESS_IN_USE`: a server could not bind its host and port.
 * - `FILE_WRITE_FAILED`: an output file could not be written.
 * - `NOT_FOUND`: a named thing does not exist.
 * - `CONFIG_INVALID`: an integration's configuration (flags, environment) is missing or wrong.
 * - `ACCOUNT_OWNED`: the vendor account already has an integration that owns its graph rows
 *   (one owner per account; `--take-over` transfers them).
 * - Connectivity test results (`vigil integrations test`), one per layer, in the order checked:
 *   `DNS_FAILED` (the vendor's or the proxy's host does not resolve), `TCP_UNREACHABLE` (connection
 *   refused or timed out), `TLS_FAILED` (certificate untrusted, expired or for another name; no TLS),
 *   `AUTH_FAILED` (401: key, clock or organization; or the proxy refused its credentials),
 *   `PERMISSION_DENIED` (403 on a required read), `RATE_LIMITED` (429; `retryAfterMs` in details),
 *   `PROVIDER_ERROR` (5xx, or an answer that is not the vendor's API).
 * - `PROVIDER_AUTHENTICATION_ERROR`: the vendor refused the credentials (401: key, clock, organization).
 * - `PROVIDER_PERMISSION_ERROR`: the vendor refused an authenticated call (403: role or revoked member).
 * - `PROVIDER_NOT_FOUND`: the vendor answered 404 for a single object.
 * - `PROVIDER_RATE_LIMITED`: the vendor kept answering 429 after every retry, or asked for a wait longer than
 *   the client allows (`retryAfterMs` in details).
 * - `PROVIDER_API_ERROR`: the vendor answered 5xx after every retry, or an unexpected status.
 * - `PROVIDER_RESPONSE_INVALID`: a body that is not the documented shape, or an unauthentic response; also a
 *   body over the size limit, JSON nested too deep, a cycling page token, a listing past its page/item ceiling.
 * - `PROVIDER_NETWORK_ERROR`: reset, timeout or truncated body after every retry; DNS, refused connection or
 *   TLS failure at once (`details.permanent`).
 * - `PROVIDER_RESPONSE_INVALID`: a body that is not the documented shape, or an unauthentic response.
 * - `PROVIDER_NETWORK_ERROR`: DNS, connection, reset, timeout or truncated body after every retry.
 * - `QUERY_INVALID`: a J1QL query does not parse or does not make sense (the message names the line,
 *   column, what was expected and what was found, with a caret line under the token).
 * - `STORE_ERROR`: the database failed or is unreachable.
 * - `SYNC_INCOMPLETE`: a sync ended with failed or partial steps (the graph keeps what it had).
 * - `VALIDATION_TOO_LARGE`: a validation would hold more actions than the cap (100).
 * - `EXECUTOR_FAILED`: an attack executor could not be reached or answered outside its contract
 *   (an action it ran and saw fail is an outcome, not this error).
 * - `SYNC_IN_PROGRESS`: another run of the integration holds its run lock; nothing was written.
 * - `SYNC_INTERRUPTED`: a run was asked to stop (or lost its run lock) and stopped between batches,
 *   deleting nothing; it is recorded `interrupted` with what it wrote.
 * - `JOB_LEASE_LOST`: a job's holder lost its lease (the job was cancelled or handed to another).
 * - `ALERT_VERIFICATION_DEFERRED`: verifying a webhook-received alert met a transient vendor failure
 *   (rate limit, 5xx, network); the job should run again later (`retryable`, `retryAfterMs` in details).
 * - `INTERNAL_ERROR`: a bug; any unknown throw is reported as this at a boundary.
 * - HTTP API answers (`vigil serve`): `UNAUTHENTICATED` (no, unknown or revoked API token; a wrong
 *   webhook secret), `FORBIDDEN` (the token's role is below the route's), `API_RATE_LIMITED` (a token
 *   exceeded its request rate; `retryAfterMs` in details), `PAYLOAD_TOO_LARGE` (a request body over
 *   the route's limit), `MEDIA_TYPE_UNSUPPORTED` (a body that is not JSON), `NOT_READY` (the database
 *   or the job runtime is not available; `/readyz`), `INTAKE_BUSY` (the webhook intake has too many
 *   alerts waiting to be stored, or is shutting down; `retryAfterMs` in details).
 * - `DEMO_FAILED`: `vigil demo` could not finish a step (a simulator integration failed its test, the
 *   campaign did not complete in time); the message names the step.
 */
export const errorRegistry = {
  USAGE_INVALID: { httpStatus: 400, exitCode: 2 },
  INPUT_INVALID: { httpStatus: 400, exitCode: 2 },
  FAULT_SPEC_INVALID: { httpStatus: 400, exitCode: 2 },
  ADDRESS_IN_USE: { httpStatus: 500, exitCode: 1 },
  FILE_WRITE_FAILED: { httpStatus: 500, exitCode: 1 },
  NOT_FOUND: { httpStatus: 404, exitCode: 1 },
  CONFIG_INVALID: { httpStatus: 400, exitCode: 2 },
  ACCOUNT_OWNED: { httpStatus: 409, exitCode: 1 },
  DNS_FAILED: { httpStatus: 502, exitCode: 1 },
  TCP_UNREACHABLE: { httpStatus: 502, exitCode: 1 },
  TLS_FAILED: { httpStatus: 502, exitCode: 1 },
  AUTH_FAILED: { httpStatus: 502, exitCode: 1 },
  PERMISSION_DENIED: { httpStatus: 502, exitCode: 1 },
  RATE_LIMITED: { httpStatus: 503, exitCode: 1 },
  PROVIDER_ERROR: { httpStatus: 502, exitCode: 1 },
  PROVIDER_AUTHENTICATION_ERROR: { httpStatus: 502, exitCode: 1 },
  PROVIDER_PERMISSION_ERROR: { httpStatus: 502, exitCode: 1 },
  PROVIDER_NOT_FOUND: { httpStatus: 502, exitCode: 1 },
  PROVIDER_RATE_LIMITED: { httpStatus: 503, exitCode: 1 },
  PROVIDER_API_ERROR: { httpStatus: 502, exitCode: 1 },
  PROVIDER_RESPONSE_INVALID: { httpStatus: 502, exitCode: 1 },
  PROVIDER_NETWORK_ERROR: { httpStatus: 502, exitCode: 1 },
  QUERY_INVALID: { httpStatus: 400, exitCode: 2 },
  STORE_ERROR: { httpStatus: 500, exitCode: 1 },
  SYNC_INCOMPLETE: { httpStatus: 500, exitCode: 1 },
  VALIDATION_TOO_LARGE: { httpStatus: 400, exitCode: 2 },
  EXECUTOR_FAILED: { httpStatus: 502, exitCode: 1 },
  SYNC_IN_PROGRESS: { httpStatus: 409, exitCode: 1 },
  SYNC_INTERRUPTED: { httpStatus: 503, exitCode: 1 },
  JOB_LEASE_LOST: { httpStatus: 409, exitCode: 1 },
  ALERT_VERIFICATION_DEFERRED: { httpStatus: 503, exitCode: 1 },
  INTERNAL_ERROR: { httpStatus: 500, exitCode: 1 },
  UNAUTHENTICATED: { httpStatus: 401, exitCode: 1 },
  FORBIDDEN: { httpStatus: 403, exitCode: 1 },
  API_RATE_LIMITED: { httpStatus: 429, exitCode: 1 },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, exitCode: 2 },
  MEDIA_TYPE_UNSUPPORTED: { httpStatus: 415, exitCode: 2 },
  NOT_READY: { httpStatus: 503, exitCode: 1 },
  DEMO_FAILED: { httpStatus: 500, exitCode: 1 },
  INTAKE_BUSY: { httpStatus: 503, exitCode: 1 },
} as const satisfies Record<string, { httpStatus: number; exitCode: number }>;

export type ErrorCode = keyof typeof errorRegistry;

/** The JSON form of an error, as printed by `--json` and returned by the HTTP API. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  hint?: string;
}

/**
 * A failure with a stable code, a message saying what was wrong, and an optional hint saying
 * what to do. Messages and hints must never contain secrets.
 */
export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  /** Machine-readable facts for callers (e.g. `retryAfterMs`, `status`); never secrets. */
  readonly details: Readonly<Record<string, string | number | boolean>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; details?: Record<string, string | number | boolean> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  get httpStatus(): number {
    return errorRegistry[this.code].httpStatus;
  }

  get exitCode(): number {
    return errorRegistry[this.code].exitCode;
  }

  toJSON(): ErrorBody {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

/** Renders zod issues as one line: `path: problem; path: problem`. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/**
 * Whether `error` is a zod validation error, told by its name and issues rather than by
 * `instanceof`, so that this module (which every command loads) does not load zod (issue 11).
 */
function isZodError(error: unknown): error is ZodError {
  return error instanceof Error && error.name === 'ZodError' && Array.isArray((error as ZodError).issues);
}

/** Turns anything thrown into a coded error, for the boundaries (CLI, HTTP). */
export function toVigilError(error: unknown): VigilError {
  if (error instanceof VigilError) return error;
  if (isZodError(error)) return new VigilError('INPUT_INVALID', describeZodError(error));
  const message = error instanceof Error ? error.message : String(error);
  return new VigilError('INTERNAL_ERROR', `Unexpected failure: ${message}`, {
    hint: 'This is a bug in Vigil; please report it with the command you ran.',
    cause: error,
  });
}
