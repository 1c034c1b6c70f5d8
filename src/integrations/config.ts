import type { ConnectorConfig } from '../connectors/descriptor.ts';
import { connectorKinds, connectorOf } from '../connectors/index.ts';
import { describeZodError, VigilError } from '../errors.ts';

/** The kind of an integration: the kind of one of `connectors` (checked where it enters). */
export type IntegrationKind = string;

/**
 * A whole, validated integration configuration: the common settings every connector has, plus
 * the vendor's own (read them through the connector of `kind`). Secrets are excluded: the API
 * key and the proxy password are stored apart, sealed.
 */
export type IntegrationConfig = ConnectorConfig;

const durationPattern = /^(\d+)\s*(s|sec|m|min|h|d)?$/i;
const unitSeconds: Record<string, number> = { s: 1, sec: 1, m: 60, min: 60, h: 3600, d: 86_400 };

/** The longest duration a flag takes: 30 days (a lease or an interval beyond it is a typo). */
export const maxDurationSeconds = 30 * 86_400;

/**
 * `30s`, `15m`, `1h`, `24h`, `2d` (a bare number is minutes) → seconds, from 10 seconds to 30
 * days; INPUT_INVALID otherwise.
 */
export function parseDuration(flag: string, value: string): number {
  const match = durationPattern.exec(value.trim());
  const seconds = match
    ? Number(match[1]) * (unitSeconds[(match[2] ?? 'm').toLowerCase()] ?? 60)
    : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 10 || seconds > maxDurationSeconds) {
    throw new VigilError(
      'INPUT_INVALID',
      `${flag} must be a duration from 10 seconds to 30 days such as 30m, 1h or 24h, not '${value}'.`,
    );
  }
  return seconds;
}

/**
 * Where an integration's settings come from: the registry (`vigil integrations add`), or the
 * vendor's environment variables on each `vigil sync <kind>` (its API key is never stored).
 */
export type IntegrationSource = 'registry' | 'environment';

/** An integration as the registry hands it out: never the API key itself. */
export interface Integration {
  id: string;
  name: string;
  kind: IntegrationKind;
  source: IntegrationSource;
  config: IntegrationConfig;
  hasApiKey: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A configuration checked against its connector's schema: the config, or what is wrong with it. */
export type ConfigCheck = { ok: true; config: IntegrationConfig } | { ok: false; problem: string };

/** Checks a whole configuration with the schema of its kind's connector, naming every wrong field. */
export function checkConfig(input: unknown): ConfigCheck {
  const kind = typeof input === 'object' && input !== null && 'kind' in input ? input.kind : undefined;
  if (typeof kind !== 'string' || !connectorKinds.includes(kind)) {
    return { ok: false, problem: `kind: must be one of ${connectorKinds.join(', ')}` };
  }
  const parsed = connectorOf(kind).configSchema.safeParse(input);
  return parsed.success
    ? { ok: true, config: parsed.data }
    : { ok: false, problem: describeZodError(parsed.error) };
}

/** A stored configuration read back: the config and the keys ignored, or what is wrong with it. */
export type StoredConfigCheck =
  | { ok: true; config: IntegrationConfig; ignored: string[] }
  | { ok: false; problem: string };

/**
 * Reads a configuration stored by this or a newer Vigil as an integration of `kind`: top-level
 * keys the connector does not know are dropped (and named in `ignored`), the rest is checked as
 * `checkConfig` does.
 */
export function readStoredConfig(kind: string, stored: unknown): StoredConfigCheck {
  if (!connectorKinds.includes(kind)) {
    return { ok: false, problem: `kind: must be one of ${connectorKinds.join(', ')}` };
  }
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
    return { ok: false, problem: 'not a JSON object' };
  }
  const parsed = connectorOf(kind).configSchema.safeParse(stored);
  if (parsed.success) return { ok: true, config: parsed.data, ignored: [] };
  const ignored = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' && issue.path.length === 0 ? issue.keys : [],
  );
  const known = Object.fromEntries(Object.entries(stored).filter(([key]) => !ignored.includes(key)));
  const checked = checkConfig(known);
  if (!checked.ok) return checked;
  if (checked.config.kind !== kind)
    return { ok: false, problem: `kind ${checked.config.kind} is not ${kind}` };
  return { ok: true, config: checked.config, ignored };
}

/**
 * Validates a whole configuration (CONFIG_INVALID naming every wrong field), so that nothing is
 * stored unless all of it is right; a rejected update leaves the old config in place.
 */
export function validateConfig(input: unknown): IntegrationConfig {
  const checked = checkConfig(input);
  if (!checked.ok) {
    throw new VigilError(
      'CONFIG_INVALID',
      `The integration configuration is not valid: ${checked.problem}.`,
      {
        hint: 'Fix the named settings; nothing was stored.',
      },
    );
  }
  return checked.config;
}
