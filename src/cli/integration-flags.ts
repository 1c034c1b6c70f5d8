import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Connector, SettingFlag } from '../connectors/descriptor.ts';
import { connectorOf, connectors } from '../connectors/index.ts';
import { VigilError } from '../errors.ts';
import { parseDuration } from '../integrations/config.ts';
import { holdsVisiblePassword, proxyUser, proxyWithPassword } from '../integrations/proxy-secret.ts';
import type { IntegrationFields } from '../integrations/registry.ts';
import {
  PROXY_PASSWORD_VARIABLE,
  readProxyPassword,
  type SecretInputIo,
} from '../integrations/secret-input.ts';

/**
 * The field flags of `vigil integrations add` and `update`: the common settings' table below and
 * each connector's own `settingFlags`, each flag mapped to its config field and parser, so both
 * commands accept the same flags and neither repeats them. Values are only shaped here (numbers,
 * durations, paths); the connector's schema judges them.
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

const commonFlags: readonly FieldFlag[] = [
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
];

const parsers: Record<SettingFlag['value'], FieldFlag['parse']> = {
  text,
  'whole number': wholeNumber,
  switch: flag,
};

const optionName = (flags: string) =>
  (flags.split(' ')[0] ?? flags).replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** A connector's own flags as field flags, described with the vendor's label. */
function connectorFlags(connector: Connector): FieldFlag[] {
  return connector.settingFlags.map((setting) => ({
    flags: setting.flags,
    description: `${connector.label}: ${setting.description}`,
    option: optionName(setting.flags),
    field: setting.field,
    parse: parsers[setting.value],
    ...(setting.negation === undefined ? {} : { negation: `${connector.label}: ${setting.negation}` }),
  }));
}

const fieldFlags: readonly FieldFlag[] = [...commonFlags, ...connectors.flatMap(connectorFlags)];

/** Adds every field flag (and its `--no-` twin) to a command, and the proxy password's sources. */
export function addFieldFlags(command: { option(flags: string, description: string): unknown }): void {
  command.option(
    '--proxy-password-file <path>',
    `read the --proxy URL's password from this file (or set ${PROXY_PASSWORD_VARIABLE})`,
  );
  command.option('--proxy-password-stdin', "read the --proxy URL's password from stdin");
  for (const field of fieldFlags) {
    command.option(field.flags, field.description);
    if (field.negation !== undefined) {
      command.option(`--no-${field.flags.replace(/^--/, '').split(' ')[0]}`, field.negation);
    }
  }
}

/**
 * The fields the user gave (flags not given are absent), by config name, shaped for the schema of
 * `kind`. INPUT_INVALID for a flag of another vendor, naming the vendor that takes it.
 */
export function fieldsFromFlags(kind: string, options: Record<string, unknown>): IntegrationFields {
  const connector = connectorOf(kind);
  const own = new Set([...commonFlags, ...connectorFlags(connector)].map((field) => field.flags));
  const fields: IntegrationFields = {};
  for (const field of fieldFlags) {
    const raw = options[field.option];
    if (typeof raw !== 'string' && typeof raw !== 'boolean') continue;
    const name = field.flags.split(' ')[0] ?? field.flags;
    if (!own.has(field.flags)) {
      const owner = connectors.find((other) => other.settingFlags.some((s) => s.flags === field.flags));
      throw new VigilError(
        'INPUT_INVALID',
        `${name} is a ${owner?.label ?? 'another vendor'} setting; a ${connector.label} integration does not take it.`,
        { hint: `See \`vigil help integrations add\` for the ${connector.label} settings.` },
      );
    }
    fields[field.field] = field.parse(name, raw);
  }
  return fields;
}

/**
 * The fields with the proxy password put into `--proxy` when one is given apart
 * (`--proxy-password-file`, `--proxy-password-stdin`, VIGIL_PROXY_PASSWORD). A password written
 * inside `--proxy` still works, with a warning: other users see it in `ps` and it stays in the
 * shell history (refusing it would break existing scripts).
 */
export async function withProxyPassword(
  fields: IntegrationFields,
  options: {
    proxyPasswordFile?: string | undefined;
    proxyPasswordStdin?: true | undefined;
    apiKeyStdin?: true | undefined;
  },
  io: SecretInputIo,
): Promise<IntegrationFields> {
  if (options.proxyPasswordStdin === true && options.apiKeyStdin === true) {
    throw new VigilError(
      'INPUT_INVALID',
      'Only one secret can come from stdin: give the API key or the proxy password in a file.',
    );
  }
  const proxy = fields.proxy;
  const password = await readProxyPassword(
    { file: options.proxyPasswordFile, stdin: options.proxyPasswordStdin },
    io,
  );
  const explicit = options.proxyPasswordFile !== undefined || options.proxyPasswordStdin === true;
  if (typeof proxy !== 'string') {
    if (explicit)
      throw new VigilError(
        'INPUT_INVALID',
        'A proxy password needs --proxy http://user@host:port to go with it.',
      );
    return fields;
  }
  // VIGIL_PROXY_PASSWORD applies to a proxy URL with a user and no password of its own.
  const applies = explicit || (proxyUser(proxy) !== '' && !holdsVisiblePassword(proxy));
  if (password !== undefined && applies) return { ...fields, proxy: proxyWithPassword(proxy, password) };
  if (holdsVisiblePassword(proxy)) {
    process.stderr.write(
      `warning: the proxy password inside --proxy is visible to other users (ps) and kept in shell history; use --proxy-password-file, --proxy-password-stdin or ${PROXY_PASSWORD_VARIABLE}.\n`,
    );
  }
  return fields;
}

/**
 * The fields of a new integration, checked against the connector's whole schema first so that
 * problems are told in the user's words: `--user-id is required (the user id of an application
 * key)`, not the schema's field names. CONFIG_INVALID naming every flag that is missing or wrong.
 */
export function newIntegrationFields(kind: string, options: Record<string, unknown>): IntegrationFields {
  const fields = fieldsFromFlags(kind, options);
  const connector = connectorOf(kind);
  const parsed = connector.configSchema.safeParse({ ...fields, kind });
  if (parsed.success) return fields;
  const own = [...commonFlags, ...connectorFlags(connector)];
  const problems = parsed.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    const flagOf = own.find((candidate) => candidate.field === field)?.flags.split(' ')[0];
    const message = issue.message.replace(/^Invalid input: expected \w+, received undefined$/, 'is required');
    return `${flagOf ?? field} ${message}`;
  });
  throw new VigilError('CONFIG_INVALID', `${problems.join('; ')}.`, {
    hint: `See \`vigil help integrations add\` for the ${connector.label} settings; nothing was stored.`,
  });
}

/**
 * The variables of a vendor scripts' config file (`threatstack.cfg`; `--config`/`--from-config`
 * with `--section`), with a warning on stderr when the file, which holds an API key, is readable by
 * its group or others. INPUT_INVALID when the connector has no such file or it cannot be read.
 */
export function scriptsConfigEnv(
  connector: Connector,
  file: string,
  section: string | undefined,
): Record<string, string> {
  const { scriptsConfig } = connector;
  if (scriptsConfig === undefined) {
    throw new VigilError(
      'INPUT_INVALID',
      `${connector.label} has no scripts' config file to read settings from.`,
    );
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new VigilError('INPUT_INVALID', `Cannot read ${file}: ${(error as Error).message}`);
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    process.stderr.write(
      `warning: ${file} holds an API key and is readable by others (mode ${mode.toString(8)}); run chmod 600 ${file}.\n`,
    );
  }
  return scriptsConfig.toEnv(text, { section, source: file });
}
