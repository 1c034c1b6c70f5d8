import { resolve } from 'node:path';
import { VigilError } from '../errors.ts';
import { parseDuration } from '../integrations/config.ts';
import type { IntegrationFields } from '../integrations/registry.ts';

/**
 * The field flags of `vigil integrations add` and `update`: one table maps each flag to its
 * config field and parser, so both commands accept the same flags and neither repeats them.
 * Values are only shaped here (numbers, durations, paths); `validateConfig` judges them.
 */
interface FieldFlag {
  flags: string;
  description: string;
  /** The attribute commander stores the value under. */
  option: string;
  /** The config field it sets. */
  field: string;
  /** Shapes the raw value (a string, `true`, or `false` for a `--no-` flag). */
  parse(flag: string, raw: string | boolean): unknown;
  /** Also define `--no-<name>` with this description. */
  negation?: string;
}

const text = (_flag: string, raw: string | boolean) => String(raw);
const clearable = (_flag: string, raw: string | boolean) => (raw === false ? null : String(raw));
const path = (_flag: string, raw: string | boolean) => (raw === false ? null : resolve(String(raw)));
const flag = (_flag: string, raw: string | boolean) => raw === true;
const duration = (name: string, raw: string | boolean) => parseDuration(name, String(raw));

function wholeNumber(name: string, raw: string | boolean): number {
  const value = String(raw).trim();
  if (!/^-?\d+$/.test(value)) {
    throw new VigilError('INPUT_INVALID', `${name} must be a whole number, not '${value}'.`);
  }
  return Number(value);
}

const fieldFlags: readonly FieldFlag[] = [
  {
    flags: '--host <host>',
    description:
      'API host name (Threat Stack default api.threatstack.com; ThreatConnect: the host of appsApiUrl)',
    option: 'host',
    field: 'host',
    parse: text,
  },
  {
    flags: '--port <n>',
    description: 'API port (default 443)',
    option: 'port',
    field: 'port',
    parse: wholeNumber,
  },
  {
    flags: '--protocol <https|http>',
    description: 'API protocol (default https)',
    option: 'protocol',
    field: 'protocol',
    parse: text,
  },
  {
    flags: '--proxy <url>',
    description:
      'HTTP(S) proxy for every request, http://[user:pass@]host:port (the password is stored encrypted)',
    option: 'proxy',
    field: 'proxy',
    parse: clearable,
    negation: 'no proxy',
  },
  {
    flags: '--ca-file <path>',
    description: 'PEM file of extra certificate authorities to trust',
    option: 'caFile',
    field: 'caFile',
    parse: path,
    negation: 'no extra CA file',
  },
  {
    flags: '--insecure-skip-verify',
    description: 'accept any TLS certificate (a lab only)',
    option: 'insecureSkipVerify',
    field: 'insecureSkipVerify',
    parse: flag,
    negation: 'verify TLS certificates (default)',
  },
  {
    flags: '--sync-interval <duration>',
    description: 'time between scheduled syncs, e.g. 30m, 1h, 24h (Threat Stack 1h, ThreatConnect 24h)',
    option: 'syncInterval',
    field: 'syncIntervalSeconds',
    parse: duration,
  },
  {
    flags: '--requests-per-minute <n>',
    description: 'client-side request budget per rolling minute; 0 = none',
    option: 'requestsPerMinute',
    field: 'requestsPerMinute',
    parse: wholeNumber,
  },
  {
    flags: '--user-id <id>',
    description: 'Threat Stack: user id (Settings → Application Keys)',
    option: 'userId',
    field: 'userId',
    parse: text,
  },
  {
    flags: '--org-id <id>',
    description: 'Threat Stack: organization id',
    option: 'orgId',
    field: 'orgId',
    parse: text,
  },
  {
    flags: '--org-name <name>',
    description: 'Threat Stack: organization name',
    option: 'orgName',
    field: 'orgName',
    parse: text,
  },
  {
    flags: '--query-time <minutes>',
    description: 'Threat Stack: validation query time (default 5)',
    option: 'queryTime',
    field: 'queryTimeMinutes',
    parse: wholeNumber,
  },
  {
    flags: '--delay-time <minutes>',
    description: 'Threat Stack: validation delay time (default 0)',
    option: 'delayTime',
    field: 'delayTimeMinutes',
    parse: wholeNumber,
  },
  {
    flags: '--query-interval <seconds>',
    description: 'Threat Stack: validation query interval (default 30)',
    option: 'queryInterval',
    field: 'queryIntervalSeconds',
    parse: wholeNumber,
  },
  {
    flags: '--event-time-adjustment <seconds>',
    description: 'Threat Stack: our time = vendor time + this (default 0)',
    option: 'eventTimeAdjustment',
    field: 'eventTimeAdjustmentSeconds',
    parse: wholeNumber,
  },
  {
    flags: '--discover-devices',
    description: 'Threat Stack: discover network devices automatically (default)',
    option: 'discoverDevices',
    field: 'discoverDevices',
    parse: flag,
    negation: 'Threat Stack: do not discover network devices',
  },
  {
    flags: '--save-suspicious-events',
    description: 'Threat Stack: save suspicious events',
    option: 'saveSuspiciousEvents',
    field: 'saveSuspiciousEvents',
    parse: flag,
    negation: 'Threat Stack: do not save suspicious events (default)',
  },
  {
    flags: '--alerts-days <n>',
    description: 'Threat Stack: sync alerts of the last N days (default 7)',
    option: 'alertsDays',
    field: 'alertsDays',
    parse: wholeNumber,
  },
  {
    flags: '--access-id <id>',
    description: 'ThreatConnect: API user Access ID',
    option: 'accessId',
    field: 'accessId',
    parse: text,
  },
  {
    flags: '--api-root <path>',
    description: 'ThreatConnect: path before /v2, e.g. /api (default none)',
    option: 'apiRoot',
    field: 'apiRoot',
    parse: text,
  },
];

/** Adds every field flag (and its `--no-` twin) to a command. */
export function addFieldFlags(command: { option(flags: string, description: string): unknown }): void {
  for (const field of fieldFlags) {
    command.option(field.flags, field.description);
    if (field.negation !== undefined) {
      command.option(`--no-${field.flags.replace(/^--/, '').split(' ')[0]}`, field.negation);
    }
  }
}

/** The fields the user gave (flags not given are absent), by config name, shaped for `validateConfig`. */
export function fieldsFromFlags(options: Record<string, unknown>): IntegrationFields {
  const fields: IntegrationFields = {};
  for (const field of fieldFlags) {
    const raw = options[field.option];
    if (typeof raw !== 'string' && typeof raw !== 'boolean') continue;
    fields[field.field] = field.parse(field.flags.split(' ')[0] ?? field.flags, raw);
  }
  return fields;
}
