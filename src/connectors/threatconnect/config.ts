import { z } from 'zod';
import { VigilError } from '../../errors.ts';

/** ThreatConnect connection settings (C4); the API key is a secret and is never printed. */
export interface ThreatConnectConnection {
  /** `protocol://host[:port]` (the port only when it is not the protocol's default). */
  baseUrl: string;
  /** `''` or a normalised root such as `/api`. */
  apiRoot: string;
  accessId: string;
  apiKey: string;
  /** The host name, lower-cased (the account's identity in the graph). */
  host: string;
}

const API_ROOT_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * An API root in any of the forms people write it (`/api`, `api`, `/api/`, `''`, `tc/api`) →
 * `''` or `/segment[/segment…]`. Segments are limited to unreserved characters so the root is
 * sent and signed without any encoding question. Its error message never repeats the value.
 */
export const apiRootSchema = z
  .string()
  .trim()
  .transform((raw) => raw.replace(/^\/+|\/+$/g, ''))
  .refine(
    (root) =>
      root === '' ||
      root
        .split('/')
        .every((segment) => API_ROOT_SEGMENT.test(segment) && segment !== '.' && segment !== '..'),
    'must be empty or path segments such as /api (letters, digits, - . _ ~)',
  )
  .transform((root) => (root === '' ? '' : `/${root}`));

/** A host name or bracketed IPv6 address, nothing else (no scheme, port or path). */
export const HOST_PATTERN = /^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/;

/** An Access ID goes into a header: printable ASCII without spaces. */
export const ACCESS_ID_PATTERN = /^[\x21-\x7e]+$/;

const envSchema = z.object({
  TC_HOST: z
    .string()
    .trim()
    .min(1, 'is required (the host name of appsApiUrl, e.g. app.threatconnect.com)')
    .regex(HOST_PATTERN, 'must be a host name without scheme, port or path (the host of appsApiUrl)'),
  TC_PORT: z.coerce
    .number('must be a port number')
    .int('must be a port number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(443),
  TC_PROTOCOL: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['https', 'http'], 'must be https or http'))
    .default('https'),
  TC_API_ROOT: apiRootSchema.default(''),
  TC_ACCESS_ID: z
    .string()
    .trim()
    .min(1, 'is required')
    .regex(ACCESS_ID_PATTERN, 'must be printable characters without spaces'),
  TC_API_KEY: z.string().trim().min(1, 'is required'),
});

const blankToUndefined = (value: string | undefined) =>
  value === undefined || value.trim() === '' ? undefined : value;

/**
 * Reads the connection from the environment: `TC_HOST` (the FQDN of appsApiUrl, required),
 * `TC_PORT` (443), `TC_PROTOCOL` (https), `TC_API_ROOT` (none; `/api`, `api` and `/api/` are
 * the same), `TC_ACCESS_ID` and `TC_API_KEY` (required). Throws CONFIG_INVALID naming every
 * variable that is wrong; no value is ever repeated, so the key cannot leak through it.
 */
export function threatConnectConnectionFromEnv(env: NodeJS.ProcessEnv): ThreatConnectConnection {
  const parsed = envSchema.safeParse({
    TC_HOST: env.TC_HOST ?? '',
    TC_PORT: blankToUndefined(env.TC_PORT),
    TC_PROTOCOL: blankToUndefined(env.TC_PROTOCOL),
    TC_API_ROOT: env.TC_API_ROOT,
    TC_ACCESS_ID: env.TC_ACCESS_ID ?? '',
    TC_API_KEY: env.TC_API_KEY ?? '',
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new VigilError(
      'CONFIG_INVALID',
      `ThreatConnect settings are missing or wrong: ${problems.join('; ')}.`,
      {
        hint:
          'Set TC_HOST (the host of appsApiUrl), TC_ACCESS_ID and TC_API_KEY (an API user’s Access ID and ' +
          'Secret Key); TC_PORT (443), TC_PROTOCOL (https) and TC_API_ROOT (e.g. /api) are optional.',
      },
    );
  }
  const c = parsed.data;
  const host = c.TC_HOST.toLowerCase();
  const defaultPort = c.TC_PROTOCOL === 'https' ? 443 : 80;
  return {
    baseUrl: `${c.TC_PROTOCOL}://${host}${c.TC_PORT === defaultPort ? '' : `:${c.TC_PORT}`}`,
    apiRoot: c.TC_API_ROOT,
    accessId: c.TC_ACCESS_ID,
    apiKey: c.TC_API_KEY,
    host,
  };
}
