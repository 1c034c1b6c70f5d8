import { z } from 'zod';
import { commonConfigFields, type EnvVariable, hostSchema } from '../descriptor.ts';

const required = (what: string) => z.string(`is required (${what})`).trim().min(1, `is required (${what})`);

/**
 * The one schema of a Threat Stack integration (C3), defaults as the Mandiant Validation Platform
 * documents them: host api.threatstack.com, port 443, https; query time 5 min, delay 0 min, query
 * interval 30 s, event time adjustment 0 s, discover devices on, save suspicious events off. The
 * API key is a secret, kept apart (see `secretFields`).
 */
export const threatStackConfigSchema = z
  .object({
    kind: z.literal('threatstack'),
    host: hostSchema.default('api.threatstack.com'),
    ...commonConfigFields,
    userId: required('the user id of an application key'),
    orgId: required('the organization id'),
    orgName: required('the organization name'),
    queryTimeMinutes: z.number().int().min(1).max(1440).default(5),
    delayTimeMinutes: z.number().int().min(0).max(1440).default(0),
    queryIntervalSeconds: z.number().int().min(1).max(3600).default(30),
    eventTimeAdjustmentSeconds: z.number().int().min(-86_400).max(86_400).default(0),
    discoverDevices: z.boolean().default(true),
    saveSuspiciousEvents: z.boolean().default(false),
    alertsDays: z.number().int().min(1).max(3650).default(7),
    requestsPerMinute: z.number().int().min(0).default(200),
    syncIntervalSeconds: z.number().int().min(10).default(3600),
  })
  .strict();

export type ThreatStackConfig = z.output<typeof threatStackConfigSchema>;

/** The vendor's variables (as its own scripts read them) and the config fields they set. */
export const threatStackEnvVariables: readonly EnvVariable[] = [
  { name: 'TS_USER_ID', field: 'userId' },
  { name: 'TS_ORGANIZATION_ID', field: 'orgId' },
  { name: 'TS_ORGANIZATION_NAME', field: 'orgName' },
  { name: 'TS_HOST', field: 'host' },
  { name: 'TS_PORT', field: 'port', number: true },
  { name: 'TS_PROTOCOL', field: 'protocol' },
];

export const threatStackEnvHint =
  'Set TS_USER_ID, TS_API_KEY, TS_ORGANIZATION_ID and TS_ORGANIZATION_NAME (Threat Stack → Settings → ' +
  'Application Keys); TS_HOST, TS_PORT and TS_PROTOCOL default to api.threatstack.com, 443 and https.';
