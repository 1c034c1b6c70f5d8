import { z } from 'zod';
import { commonConfigFields, type EnvVariable, hostSchema } from '../descriptor.ts';

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

/** An Access ID goes into a header: printable ASCII without spaces. */
export const ACCESS_ID_PATTERN = /^[\x21-\x7e]+$/;

/**
 * The one schema of a ThreatConnect integration (C4): the host of appsApiUrl, port 443, https,
 * an optional API root, the API user's Access ID, a daily sync. The API key is a secret, kept
 * apart (see `secretFields`).
 */
export const threatConnectConfigSchema = z
  .object({
    kind: z.literal('threatconnect'),
    host: hostSchema,
    ...commonConfigFields,
    apiRoot: apiRootSchema.default(''),
    accessId: z
      .string('is required (the Access ID of an API user)')
      .trim()
      .min(1, 'is required (the Access ID of an API user)')
      .regex(ACCESS_ID_PATTERN, 'must be printable characters without spaces'),
    requestsPerMinute: z.number().int().min(0).default(0),
    syncIntervalSeconds: z.number().int().min(10).default(86_400),
  })
  .strict();

export type ThreatConnectConfig = z.output<typeof threatConnectConfigSchema>;

/** The variables of a ThreatConnect environment sync and the config fields they set. */
export const threatConnectEnvVariables: readonly EnvVariable[] = [
  { name: 'TC_HOST', field: 'host' },
  { name: 'TC_PORT', field: 'port', number: true },
  { name: 'TC_PROTOCOL', field: 'protocol' },
  { name: 'TC_API_ROOT', field: 'apiRoot' },
  { name: 'TC_ACCESS_ID', field: 'accessId' },
];

export const threatConnectEnvHint =
  'Set TC_HOST (the host of appsApiUrl), TC_ACCESS_ID and TC_API_KEY (an API user’s Access ID and ' +
  'Secret Key); TC_PORT (443), TC_PROTOCOL (https) and TC_API_ROOT (e.g. /api) are optional.';
