import { ZodError } from 'zod';

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
 * - `INTERNAL_ERROR`: a bug; any unknown throw is reported as this at a boundary.
 */
export const errorRegistry = {
  USAGE_INVALID: { httpStatus: 400, exitCode: 2 },
  INPUT_INVALID: { httpStatus: 400, exitCode: 2 },
  FAULT_SPEC_INVALID: { httpStatus: 400, exitCode: 2 },
  ADDRESS_IN_USE: { httpStatus: 500, exitCode: 1 },
  FILE_WRITE_FAILED: { httpStatus: 500, exitCode: 1 },
  NOT_FOUND: { httpStatus: 404, exitCode: 1 },
  INTERNAL_ERROR: { httpStatus: 500, exitCode: 1 },
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

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.hint = options.hint;
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

/** Turns anything thrown into a coded error, for the boundaries (CLI, HTTP). */
export function toVigilError(error: unknown): VigilError {
  if (error instanceof VigilError) return error;
  if (error instanceof ZodError) return new VigilError('INPUT_INVALID', describeZodError(error));
  const message = error instanceof Error ? error.message : String(error);
  return new VigilError('INTERNAL_ERROR', `Unexpected failure: ${message}`, {
    hint: 'This is a bug in Vigil; please report it with the command you ran.',
    cause: error,
  });
}
