import { z } from 'zod';
import { VigilError } from '../errors.ts';

/** The kinds of integration Vigil connects to. */
export const integrationKinds = ['threatstack', 'threatconnect'] as const;
export type IntegrationKind = (typeof integrationKinds)[number];

const durationPattern = /^(\d+)\s*(s|sec|m|min|h|d)?$/i;
const unitSeconds: Record<string, number> = { s: 1, sec: 1, m: 60, min: 60, h: 3600, d: 86_400 };

/** `30s`, `15m`, `1h`, `24h`, `2d` (a bare number is minutes) → seconds; INPUT_INVALID otherwise. */
export function parseDuration(flag: string, value: string): number {
  const match = durationPattern.exec(value.trim());
  const seconds = match
    ? Number(match[1]) * (unitSeconds[(match[2] ?? 'm').toLowerCase()] ?? 60)
    : Number.NaN;
  if (!Number.isInteger(seconds) || seconds < 10) {
    throw new VigilError(
      'INPUT_INVALID',
      `${flag} must be a duration of at least 10 seconds such as 30m, 1h or 24h, not '${value}'.`,
    );
  }
  return seconds;
}

const host = z
  .string()
  .trim()
  .min(1)
  .regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/, 'must be a host name or address, without scheme or path');

/** Settings every integration has (C1, C5): where the vendor is, how to reach it, how often to sync. */
const commonFields = {
  port: z.number().int().min(1).max(65535).default(443),
  protocol: z.enum(['https', 'http']).default('https'),
  /** `http(s)://[user:pass@]host:port`; its password is a secret too (masked in every output). */
  proxy: z.string().url().nullable().default(null),
  caFile: z.string().min(1).nullable().default(null),
  insecureSkipVerify: z.boolean().default(false),
};

/** Threat Stack (C3): defaults as the Mandiant Validation Platform documents them. */
export const threatStackConfigSchema = z
  .object({
    kind: z.literal('threatstack'),
    host: host.default('api.threatstack.com'),
    ...commonFields,
    userId: z.string().trim().min(1),
    orgId: z.string().trim().min(1),
    orgName: z.string().trim().min(1),
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

/** ThreatConnect (C4). */
export const threatConnectConfigSchema = z
  .object({
    kind: z.literal('threatconnect'),
    host,
    ...commonFields,
    apiRoot: z.string().trim().default(''),
    accessId: z.string().trim().min(1),
    requestsPerMinute: z.number().int().min(0).default(0),
    syncIntervalSeconds: z.number().int().min(10).default(86_400),
  })
  .strict();

/** A whole, validated integration configuration (secrets excluded: the API key is stored apart, encrypted). */
export const integrationConfigSchema = z.discriminatedUnion('kind', [
  threatStackConfigSchema,
  threatConnectConfigSchema,
]);
export type ThreatStackIntegrationConfig = z.infer<typeof threatStackConfigSchema>;
export type ThreatConnectIntegrationConfig = z.infer<typeof threatConnectConfigSchema>;
export type IntegrationConfig = z.infer<typeof integrationConfigSchema>;

/** `protocol://host[:port]`, the port only when it is not the protocol's default. */
export function baseUrlOf(config: IntegrationConfig): string {
  const defaultPort = config.protocol === 'https' ? 443 : 80;
  return `${config.protocol}://${config.host}${config.port === defaultPort ? '' : `:${config.port}`}`;
}

/** An integration as the registry hands it out: never the API key itself. */
export interface Integration {
  id: string;
  name: string;
  kind: IntegrationKind;
  config: IntegrationConfig;
  hasApiKey: boolean;
  createdAt: string;
  updatedAt: string;
}

/**
 * Validates a whole configuration (CONFIG_INVALID naming every wrong field), so that nothing is
 * stored unless all of it is right; a rejected update leaves the old config in place.
 */
export function validateConfig(input: unknown): IntegrationConfig {
  const parsed = integrationConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
    throw new VigilError(
      'CONFIG_INVALID',
      `The integration configuration is not valid: ${problems.join('; ')}.`,
      {
        hint: 'Fix the named settings; nothing was stored.',
      },
    );
  }
  return parsed.data;
}
