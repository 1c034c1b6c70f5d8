import { ZodError } from 'zod';
import { describeZodError, VigilError } from '../errors.ts';

/** Where the store lives, described without credentials, plus the secrets to scrub from messages. */
export interface StoreLocation {
  /** e.g. `postgres://127.0.0.1:5432/test` or `./vigil.db`. */
  description: string;
  secrets: string[];
}

/** Whether a location names a PostgreSQL database rather than a SQLite file. */
const schemaNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Whether `name` can be a schema name without quoting tricks (letters, digits, underscore). */
export function isValidSchemaName(name: string): boolean {
  return schemaNamePattern.test(name);
}

export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** Describes a database location for messages: a PostgreSQL URL loses its user and password. */
export function describeLocation(location: string): StoreLocation {
  if (!isPostgresLocation(location)) return { description: location, secrets: [] };
  try {
    const url = new URL(location);
    const secrets = url.password === '' ? [] : [url.password, decodeURIComponent(url.password)];
    return { description: `${url.protocol}//${url.host}${url.pathname}`, secrets };
  } catch {
    return { description: 'postgres://(unparseable URL)', secrets: [location] };
  }
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}

/**
 * Turns a database failure into `STORE_ERROR` naming the operation and the location (never a
 * password). Coded errors pass through unchanged; a row that fails its schema is reported too.
 */
export function toStoreError(operation: string, error: unknown, location: StoreLocation): VigilError {
  if (error instanceof VigilError) return error;
  const reason =
    error instanceof ZodError
      ? `unexpected row shape: ${describeZodError(error)}`
      : error instanceof Error
        ? error.message
        : String(error);
  const sqlState =
    error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return new VigilError(
    'STORE_ERROR',
    scrub(`Store operation ${operation} failed on ${location.description}: ${reason}`, location.secrets),
    {
      hint: 'Check that the database named by VIGIL_DB is reachable and writable.',
      details: { operation, ...(sqlState === undefined ? {} : { code: sqlState }) },
    },
  );
}
