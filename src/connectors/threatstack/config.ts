import { z } from 'zod';
import { VigilError } from '../../errors.ts';

/** Threat Stack connection settings (C3); the API key is a secret and is never printed. */
export interface ThreatStackConnection {
  baseUrl: string;
  userId: string;
  apiKey: string;
  orgId: string;
  orgName: string;
}

const envSchema = z.object({
  TS_USER_ID: z.string().trim().min(1, 'is required'),
  TS_API_KEY: z.string().trim().min(1, 'is required'),
  TS_ORGANIZATION_ID: z.string().trim().min(1, 'is required'),
  TS_ORGANIZATION_NAME: z.string().trim().min(1, 'is required'),
  TS_HOST: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/, 'must be a host name or address without scheme or path')
    .default('api.threatstack.com'),
  TS_PORT: z.coerce.number().int().min(1).max(65535).default(443),
  TS_PROTOCOL: z.enum(['https', 'http']).default('https'),
});

/**
 * Reads the connection from the vendor's environment variables (`TS_USER_ID`, `TS_API_KEY`,
 * `TS_ORGANIZATION_ID`, `TS_ORGANIZATION_NAME`; `TS_HOST`, `TS_PORT`, `TS_PROTOCOL` default to
 * api.threatstack.com, 443, https). Throws CONFIG_INVALID naming every variable that is wrong.
 */
export function threatStackConnectionFromEnv(env: NodeJS.ProcessEnv): ThreatStackConnection {
  const blankToUndefined = (value: string | undefined) =>
    value === undefined || value.trim() === '' ? undefined : value;
  const parsed = envSchema.safeParse({
    TS_USER_ID: env.TS_USER_ID ?? '',
    TS_API_KEY: env.TS_API_KEY ?? '',
    TS_ORGANIZATION_ID: env.TS_ORGANIZATION_ID ?? '',
    TS_ORGANIZATION_NAME: env.TS_ORGANIZATION_NAME ?? '',
    TS_HOST: blankToUndefined(env.TS_HOST),
    TS_PORT: blankToUndefined(env.TS_PORT),
    TS_PROTOCOL: blankToUndefined(env.TS_PROTOCOL),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new VigilError('CONFIG_INVALID', `Threat Stack settings are incomplete: ${problems.join('; ')}.`, {
      hint: 'Set TS_USER_ID, TS_API_KEY, TS_ORGANIZATION_ID and TS_ORGANIZATION_NAME (Threat Stack → Settings → Application Keys).',
    });
  }
  const c = parsed.data;
  const defaultPort = c.TS_PROTOCOL === 'https' ? 443 : 80;
  return {
    baseUrl: `${c.TS_PROTOCOL}://${c.TS_HOST}${c.TS_PORT === defaultPort ? '' : `:${c.TS_PORT}`}`,
    userId: c.TS_USER_ID,
    apiKey: c.TS_API_KEY,
    orgId: c.TS_ORGANIZATION_ID,
    orgName: c.TS_ORGANIZATION_NAME,
  };
}
