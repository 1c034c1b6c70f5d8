import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { AttackCatalogue } from '../attack/catalogue.ts';
import { VigilError } from '../errors.ts';
import type { IntegrationStep } from '../sync/types.ts';
import { createDispatcher } from './http/dispatcher.ts';
import type { WaitEvent } from './http/waits.ts';

/**
 * A connector descriptor: everything the rest of Vigil knows about one vendor. The registry, the
 * connectivity test, the sync, the CLI and the HTTP API go through descriptors only, so adding a
 * vendor is one folder under `src/connectors/` and one line in `src/connectors/index.ts`.
 */

/** The settings every connector's configuration has (C1, C5), whatever the vendor. */
export interface ConnectorConfig {
  kind: string;
  host: string;
  port: number;
  protocol: 'https' | 'http';
  /** `http(s)://[user:pass@]host:port`; its password is a secret (the registry seals it apart). */
  proxy: string | null;
  caFile: string | null;
  insecureSkipVerify: boolean;
  requestsPerMinute: number;
  syncIntervalSeconds: number;
}

/** The secrets a client needs; each is sealed apart by the registry and never printed. */
export interface ConnectorSecrets {
  apiKey: string;
}

/** A secret field of a connector: its name in `ConnectorSecrets`, its environment variable, how prompts name it. */
export interface SecretField {
  name: keyof ConnectorSecrets;
  envVariable: string;
  label: string;
}

/** A config field of a connector as a command-line flag. */
export interface SettingFlag {
  /** `--user-id <id>`, or `--discover-devices` for a switch (which gets a `--no-` twin). */
  flags: string;
  field: string;
  description: string;
  value: 'text' | 'whole number' | 'switch';
  /** For a switch: what its `--no-` twin means. */
  negation?: string;
}

/** A whole-number config field an environment sync accepts as a flag. */
export interface SyncFlag {
  /** `--alerts-days`. */
  flag: string;
  field: string;
  description: string;
  min: number;
  max: number;
}

/** What a vendor client offers the sync: request counters and a way to close it (and its dispatcher). */
export interface ConnectorClient {
  readonly stats: object;
  close(): Promise<void>;
}

/** What callers inject into a client: time, logs and the retry policy (tests, the scheduler, the connectivity test). */
export interface ClientDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  logger?: Logger;
  /** Per attempt: connect, headers and body (default 30 000). */
  timeoutMs?: number;
  /** Attempts per request (the clients' default when absent). */
  maxAttempts?: number;
  /** Overrides the configured request budget (the connectivity test uses 0). */
  requestsPerMinute?: number;
  /** Told before every wait of the client (request budget, vendor 429, backoff): progress displays. */
  onWait?: (event: WaitEvent) => void;
}

/** What steps may need besides the configuration. */
export interface StepDeps {
  /** The ATT&CK catalogue (loaded only by the connectors that resolve techniques). */
  attackCatalogue(): AttackCatalogue;
}

/** The vendor account a configuration reaches; one account has one owner in the graph. */
export interface AccountIdentity {
  /** `threatstack:<orgId>`, `threatconnect:<host>`: the same for every configuration of that account. */
  id: string;
  /** The `_key` of the account's entity in the graph. */
  entityKey: string;
  /** How people name the account (organization name, host). */
  label: string;
}

/** One API call of the connectivity test, with what to fix when the vendor refuses it (403). */
export interface ProbeCheck {
  /** `GET /v2/whoami`: what is called. */
  request: string;
  permissionFix: string;
  /** Makes the call and describes what it proved. */
  run(): Promise<string>;
}

/** The vendor part of the connectivity test (C2): the fewest calls that prove what a sync needs. */
export interface VendorProbe {
  service: string;
  /** What to check when the credentials are refused (401). */
  authFix: string;
  /** What to check when an answer shows the host is not the vendor's API (404, wrong body). */
  notApiFix: string;
  checks: ProbeCheck[];
}

/**
 * One vendor. `Config` is the parsed configuration (the schema's output), `Client` the vendor
 * client that `steps` read. Methods are only ever called with what this descriptor's own schema
 * produced.
 */
export interface ConnectorDescriptor<Config extends ConnectorConfig, Client extends ConnectorClient> {
  kind: Config['kind'];
  /** `Threat Stack`. */
  label: string;
  /** The one schema of the vendor's whole configuration, defaults included (DESIGN C3/C4); secrets excluded. */
  configSchema: z.ZodType<Config>;
  secretFields: readonly SecretField[];
  /** Every environment variable it reads (TS_*, TC_*), for help texts. */
  envVariables: readonly string[];
  /** Whole-number settings of its own that an environment sync takes as flags (`--alerts-days`). */
  syncFlags: readonly SyncFlag[];
  /** Its own settings as `vigil integrations add/update` flags (the common ones are the CLI's). */
  settingFlags: readonly SettingFlag[];
  /**
   * The configuration and secrets from the vendor's environment variables, `overrides` (already
   * shaped config fields, e.g. from flags) on top. CONFIG_INVALID naming each wrong variable.
   */
  fromEnv(env: NodeJS.ProcessEnv, overrides?: Record<string, unknown>): ConnectorSettings<Config>;
  /**
   * A client over a dispatcher built from the configuration's proxy, CA file and insecure switch;
   * closing the client closes both. CONFIG_INVALID when the client refuses the configuration.
   */
  createClient(config: Config, secrets: ConnectorSecrets, deps?: ClientDeps): Client;
  steps(config: Config, deps: StepDeps): IntegrationStep<Client>[];
  probe(client: Client, config: Config): VendorProbe;
  account(config: Config): AccountIdentity;
  /** `https://host:port[/api]`: where the vendor's API is, as lists show it. */
  endpoint(config: Config): string;
  /**
   * The config file of the vendor's own scripts (`threatstack.cfg`), when it has one: its variables
   * as `fromEnv` reads them, from one section. `--config` / `--from-config` read it.
   */
  scriptsConfig?: {
    fileName: string;
    toEnv(text: string, options: { section?: string | undefined; source: string }): Record<string, string>;
  };
}

/**
 * What a vendor folder declares; `defineConnector` adds the parts every vendor builds the same way:
 * `fromEnv` (its variables read through its one schema) and `createClient` (over the integration's
 * dispatcher).
 */
export interface ConnectorSpec<Config extends ConnectorConfig, Client extends ConnectorClient>
  extends Omit<ConnectorDescriptor<Config, Client>, 'fromEnv' | 'createClient'> {
  /** The vendor's environment variables (secrets apart) and the hint of an incomplete environment. */
  env: { variables: readonly EnvVariable[]; hint: string };
  /** The vendor client over an opened connection (base URL, key, dispatcher, limits). */
  newClient(
    connection: ConnectionOptions,
    config: Config,
    clientDeps: Omit<ClientDeps, 'timeoutMs' | 'maxAttempts' | 'requestsPerMinute'>,
  ): Client;
}

/** A vendor's descriptor from its declaration. */
export function defineConnector<Config extends ConnectorConfig, Client extends ConnectorClient>(
  spec: ConnectorSpec<Config, Client>,
): ConnectorDescriptor<Config, Client> {
  return {
    ...spec,
    fromEnv: (env, overrides = {}) =>
      readEnvSettings(spec, spec.env.variables, env, overrides, spec.env.hint),
    createClient: (config, secrets, deps = {}) =>
      overDispatcher(config, secrets, deps, (connection, clientDeps) =>
        spec.newClient(connection, config, clientDeps),
      ),
  };
}

/** A configuration with its secrets, as `fromEnv` reads them. */
export interface ConnectorSettings<Config> {
  config: Config;
  secrets: ConnectorSecrets;
}

/** A descriptor with its types erased, as lists hold it. */
export type Connector = ConnectorDescriptor<ConnectorConfig, ConnectorClient>;

/** Per attempt: connect, headers and body (the clients' own default). */
export const DEFAULT_CLIENT_TIMEOUT_MS = 30_000;

/** A host name or bracketed IPv6 address, nothing else (no scheme, port or path); lower-cased. */
export const hostSchema = z
  .string('is required')
  .trim()
  .min(1, 'is required')
  .regex(
    /^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/,
    'must be a host name or address, without scheme, port or path',
  )
  .transform((host) => host.toLowerCase());

/** The fields every connector's schema starts from (C1, C5). */
export const commonConfigFields = {
  port: z
    .number('must be a port number')
    .int('must be a port number')
    .min(1, 'must be a port number from 1 to 65535')
    .max(65535, 'must be a port number from 1 to 65535')
    .default(443),
  protocol: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['https', 'http'], 'must be https or http'))
    .default('https'),
  proxy: z.url('must be a URL such as http://host:3128').nullable().default(null),
  caFile: z.string().min(1).nullable().default(null),
  insecureSkipVerify: z.boolean().default(false),
};

/** `protocol://host[:port]`, the port only when it is not the protocol's default. */
export function baseUrlOf(config: Pick<ConnectorConfig, 'protocol' | 'host' | 'port'>): string {
  const defaultPort = config.protocol === 'https' ? 443 : 80;
  return `${config.protocol}://${config.host}${config.port === defaultPort ? '' : `:${config.port}`}`;
}

/** How a sync is titled in reports: `Threat Stack sync of ts-prod`. */
export function syncTitle(connector: { label: string }, integrationName: string): string {
  return `${connector.label} sync of ${integrationName}`;
}

/** What every vendor client's constructor takes from a configuration and the deps. */
export interface ConnectionOptions {
  baseUrl: string;
  apiKey: string;
  requestsPerMinute: number;
  timeoutMs: number;
  maxAttempts?: number;
  dispatcher: Dispatcher;
  /** Only for the clients' hints, which print it with its credentials redacted. */
  proxy?: string;
}

/**
 * Builds a vendor client over the configuration's dispatcher (proxy, CA file, insecure switch);
 * the returned client's `close` closes the dispatcher too, and nothing stays open when the
 * client refuses its configuration.
 */
export function overDispatcher<C extends ConnectorClient>(
  config: ConnectorConfig,
  secrets: ConnectorSecrets,
  deps: ClientDeps,
  build: (
    connection: ConnectionOptions,
    clientDeps: Omit<ClientDeps, 'timeoutMs' | 'maxAttempts' | 'requestsPerMinute'>,
  ) => C,
): C {
  if (secrets.apiKey.trim() === '') {
    throw new VigilError('CONFIG_INVALID', 'The integration has no API key.', {
      hint: 'Give it with --api-key-file PATH, --api-key-stdin or at the prompt (vigil integrations update NAME).',
    });
  }
  const timeoutMs = deps.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS;
  const dispatcher = createDispatcher({
    target: baseUrlOf(config),
    timeoutMs,
    proxy: config.proxy ?? undefined,
    caFile: config.caFile ?? undefined,
    insecureSkipVerify: config.insecureSkipVerify,
  });
  const { timeoutMs: _t, maxAttempts, requestsPerMinute, ...clientDeps } = deps;
  let client: C;
  try {
    client = build(
      {
        baseUrl: baseUrlOf(config),
        apiKey: secrets.apiKey,
        requestsPerMinute: requestsPerMinute ?? config.requestsPerMinute,
        timeoutMs,
        ...(maxAttempts === undefined ? {} : { maxAttempts }),
        dispatcher,
        ...(config.proxy === null ? {} : { proxy: config.proxy }),
      },
      clientDeps,
    );
  } catch (error) {
    void dispatcher.close();
    throw error;
  }
  const closeClient = client.close.bind(client);
  client.close = async () => {
    await closeClient();
    await dispatcher.close();
  };
  return client;
}

/** An environment variable and the config field it sets; `number` ones are read as whole numbers. */
export interface EnvVariable {
  name: string;
  field: string;
  number?: boolean;
}

const blank = (value: string | undefined): value is undefined => value === undefined || value.trim() === '';

/**
 * Reads a connector's settings from its environment variables through its one config schema:
 * blank variables count as unset, errors name the variable (`TS_PORT must be a port number`)
 * and never repeat a value, since any of them could be the key.
 */
export function readEnvSettings<Config extends ConnectorConfig>(
  connector: {
    kind: string;
    label: string;
    configSchema: z.ZodType<Config>;
    secretFields: readonly SecretField[];
  },
  variables: readonly EnvVariable[],
  env: NodeJS.ProcessEnv,
  overrides: Record<string, unknown>,
  hint: string,
): ConnectorSettings<Config> {
  const fields: Record<string, unknown> = { kind: connector.kind };
  for (const variable of variables) {
    const value = env[variable.name];
    if (blank(value)) continue;
    fields[variable.field] = variable.number && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  }
  const parsed = connector.configSchema.safeParse({ ...fields, ...overrides });
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const field = String(issue.path[0] ?? 'config');
        const variable = field in overrides ? field : variables.find((v) => v.field === field)?.name;
        return `${variable ?? field} ${issue.message}`;
      });
  const secrets: Partial<ConnectorSecrets> = {};
  for (const secret of connector.secretFields) {
    const value = env[secret.envVariable];
    if (blank(value)) problems.push(`${secret.envVariable} is required`);
    else secrets[secret.name] = value.trim();
  }
  if (!parsed.success || problems.length > 0 || secrets.apiKey === undefined) {
    throw new VigilError(
      'CONFIG_INVALID',
      `${connector.label} settings are missing or wrong: ${problems.join('; ')}.`,
      { hint },
    );
  }
  return { config: parsed.data, secrets: { apiKey: secrets.apiKey } };
}
