import { randomUUID } from 'node:crypto';
import { connectorOf } from '../connectors/index.ts';
import { VigilError } from '../errors.ts';
import type { GraphStore, IntegrationRecord } from '../store/types.ts';
import {
  type Integration,
  type IntegrationConfig,
  type IntegrationKind,
  type IntegrationSource,
  readStoredConfig,
  validateConfig,
} from './config.ts';
import { PROXY_PASSWORD_MASK, splitProxyPassword, withProxyPassword } from './proxy-secret.ts';
import type { SecretCipher } from './secrets.ts';

/**
 * Settings as a user gives them (CLI flags, a request body) — some or all of the config fields of the
 * integration's kind, by their config names (`port`, `userId`, `proxy` …). `undefined` means
 * "not given"; `null` clears a nullable field (`proxy`, `caFile`).
 */
export type IntegrationFields = Record<string, unknown>;

export interface NewIntegration {
  name: string;
  kind: IntegrationKind;
  fields: IntegrationFields;
  apiKey: string | null;
  /** The id to give it (an owner id whose graph rows it takes on); a new UUID by default. */
  id?: string;
  /** `environment` for the implicit integration of an environment sync; `registry` by default. */
  source?: IntegrationSource;
}

export interface IntegrationChanges {
  fields: IntegrationFields;
  /** A new API key; `undefined` keeps the stored one. */
  apiKey?: string | null | undefined;
}

/** An integration with its secrets opened: for building a client, never for printing. */
export interface ResolvedIntegration {
  integration: Integration;
  /** The configuration with the real proxy URL (password included). */
  config: IntegrationConfig;
  apiKey: string | null;
}

/** An integration as every output shows it: `apiKey` is `"[set]"` or null, the proxy password `***`. */
export interface IntegrationView {
  id: string;
  name: string;
  kind: IntegrationKind;
  source: IntegrationSource;
  apiKey: '[set]' | null;
  config: IntegrationConfig;
  createdAt: string;
  updatedAt: string;
}

/** The secrets an integration may have; each is sealed apart, bound to the integration id and its name. */
const secretNames = ['apiKey', 'proxyPassword'] as const;
type SecretName = (typeof secretNames)[number];
type Secrets = Record<SecretName, string | null>;

/**
 * The stored config JSON carries the source of an environment integration beside the connector's
 * fields; the connector's schema never sees it.
 */
const SOURCE_FIELD = 'vigilSource';

function sourceOf(record: IntegrationRecord): IntegrationSource {
  const config = record.config;
  return typeof config === 'object' && config !== null && SOURCE_FIELD in config ? 'environment' : 'registry';
}

function withoutSource(config: unknown): unknown {
  if (typeof config !== 'object' || config === null || !(SOURCE_FIELD in config)) return config;
  const { [SOURCE_FIELD]: _source, ...rest } = config as Record<string, unknown>;
  return rest;
}

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** INPUT_INVALID unless `name` is 1–64 letters, digits, `.`, `_`, `-` (starting with a letter or digit), not a UUID. */
export function checkIntegrationName(name: string): string {
  if (!namePattern.test(name) || uuidShape.test(name)) {
    throw new VigilError(
      'INPUT_INVALID',
      `The integration name '${name}' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (and not a UUID).`,
      { hint: 'For example --name ts-production.' },
    );
  }
  return name;
}

/** The masked form of an integration, for `show`, `list` and `--json`. */
export function toIntegrationView(integration: Integration): IntegrationView {
  return {
    id: integration.id,
    name: integration.name,
    kind: integration.kind,
    source: integration.source,
    apiKey: integration.hasApiKey ? '[set]' : null,
    config: integration.config,
    createdAt: integration.createdAt,
    updatedAt: integration.updatedAt,
  };
}

function definedFields(fields: IntegrationFields): IntegrationFields {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * Validates a whole configuration that may carry a proxy password, then takes the password out:
 * the config to store (proxy masked) and the password to seal. The vendor client must accept the
 * configuration too (CA file readable, values it can sign). Nothing is returned unless all of it
 * is valid.
 */
async function validateAndSplit(
  input: IntegrationFields,
): Promise<{ config: IntegrationConfig; proxyPassword: string | null }> {
  const validated = validateConfig(input);
  const { proxy, password } =
    validated.proxy === null ? { proxy: null, password: null } : splitProxyPassword(validated.proxy);
  const config = { ...validated, proxy };
  await assertClientAccepts(config);
  return { config, proxyPassword: password };
}

/**
 * Checks that the vendor client accepts a configuration (values it cannot send, such as an
 * unreadable CA file, an API root or a user id Hawk cannot carry) without making any request,
 * so that such a configuration is refused before it is stored.
 */
async function assertClientAccepts(config: IntegrationConfig): Promise<void> {
  await connectorOf(config.kind).createClient(config, { apiKey: 'configuration-check' }).close();
}

/**
 * The integration registry (C1): named integrations of kind `threatstack` or `threatconnect`,
 * each configuration validated as a whole before anything is stored, secrets (API key, proxy
 * password) sealed with the store's secret cipher, and every read masked. Names are unique
 * regardless of case; ids are UUIDs. Every method that takes a `reference` accepts an id or a name.
 */
export class IntegrationRegistry {
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly warn: (message: string) => void;
  /** Warnings already given (a row id and version), so a list every tick does not repeat them. */
  private readonly warned = new Set<string>();
  private fingerprintRecorded = false;

  /** `warn` gets problems with stored rows (default: a `warning:` line on stderr). */
  constructor(
    private readonly store: GraphStore,
    private readonly cipher: SecretCipher,
    deps: { now?: () => Date; newId?: () => string; warn?: (message: string) => void } = {},
  ) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
    this.warn = deps.warn ?? ((message) => process.stderr.write(`warning: ${message}\n`));
  }

  /** Adds an integration; CONFIG_INVALID / INPUT_INVALID (nothing stored) when anything is wrong or the name is taken. */
  async add(input: NewIntegration): Promise<Integration> {
    const name = checkIntegrationName(input.name);
    const { config, proxyPassword } = await validateAndSplit({
      ...definedFields(input.fields),
      kind: input.kind,
    });
    const id = input.id ?? this.newId();
    const at = this.now().toISOString();
    const record: IntegrationRecord = {
      id,
      name,
      kind: config.kind,
      config: input.source === 'environment' ? { ...config, [SOURCE_FIELD]: 'environment' } : config,
      secrets: this.seal(id, { apiKey: input.apiKey, proxyPassword }, {}),
      createdAt: at,
      updatedAt: at,
    };
    await this.store.insertIntegration(record);
    await this.recordKeyFingerprint();
    return this.toIntegration(record);
  }

  /**
   * Every integration, by name, masked. An integration whose stored configuration is invalid is
   * left out with a warning naming it and why (its own commands and syncs answer CONFIG_INVALID).
   */
  async list(): Promise<Integration[]> {
    const records = await this.store.listIntegrations();
    return records.flatMap((record) => {
      try {
        return [this.toIntegration(record)];
      } catch (error) {
        // One unreadable row must not hide (or stop the syncs of) the others: report it and skip it.
        if (!(error instanceof VigilError) || error.code !== 'CONFIG_INVALID') throw error;
        this.warnOnce(
          `${record.id}@${record.updatedAt}:invalid`,
          `integration '${record.name}' (${record.kind}) is skipped: ${error.message} ${error.hint ?? ''}`.trim(),
        );
        return [];
      }
    });
  }

  /** One integration by id or name, or undefined. */
  async find(reference: string): Promise<Integration | undefined> {
    const record = await this.store.findIntegration(reference);
    return record === undefined ? undefined : this.toIntegration(record);
  }

  /** One integration by id or name; NOT_FOUND naming it otherwise. */
  async get(reference: string): Promise<Integration> {
    return this.toIntegration(await this.record(reference));
  }

  /**
   * Changes some fields (and optionally the API key). The merged configuration is validated as
   * a whole first; when it is rejected nothing changes, the old config and key stay.
   */
  async update(reference: string, changes: IntegrationChanges): Promise<Integration> {
    const record = await this.record(reference);
    const current = this.storedConfig(record);
    const fields = definedFields(changes.fields);
    const { config, proxyPassword } = await validateAndSplit({ ...current, ...fields, kind: current.kind });
    // A proxy given back with its password masked (copied from `show`) keeps the sealed password.
    const keepsPassword = proxyPassword === PROXY_PASSWORD_MASK && record.secrets.proxyPassword !== undefined;
    const proxyChanged = 'proxy' in fields && !keepsPassword;
    const secrets = this.seal(
      record.id,
      {
        ...(changes.apiKey === undefined ? {} : { apiKey: changes.apiKey }),
        ...(proxyChanged ? { proxyPassword } : {}),
      },
      record.secrets,
    );
    const updatedAt = this.now().toISOString();
    const stored = sourceOf(record) === 'environment' ? { ...config, [SOURCE_FIELD]: 'environment' } : config;
    await this.store.updateIntegration(record.id, { config: stored, secrets, updatedAt });
    await this.recordKeyFingerprint();
    return this.toIntegration({ ...record, config: stored, secrets, updatedAt });
  }

  /** Removes an integration and its sealed secret (its graph rows and run history stay); returns what was removed. */
  async remove(reference: string): Promise<Integration> {
    const record = await this.record(reference);
    const integration = this.toIntegration(record);
    if (!(await this.store.deleteIntegration(record.id))) throw this.notFound(reference);
    return integration;
  }

  /** The integration with its secrets opened, for a client: CONFIG_INVALID when they cannot be decrypted. */
  async resolve(reference: string): Promise<ResolvedIntegration> {
    const record = await this.record(reference);
    const integration = this.toIntegration(record);
    const secrets = this.open(record);
    await this.recordKeyFingerprint();
    const { config } = integration;
    return {
      integration,
      config:
        config.proxy === null
          ? config
          : { ...config, proxy: withProxyPassword(config.proxy, secrets.proxyPassword) },
      apiKey: secrets.apiKey,
    };
  }

  /**
   * Records in the database the fingerprint of the key just used to seal or open a secret (once:
   * the first recorded stays), so that no other key is ever created for it.
   */
  private async recordKeyFingerprint(): Promise<void> {
    const fingerprint = this.cipher.keyFingerprint?.();
    if (fingerprint !== undefined && !this.fingerprintRecorded) {
      await this.store.recordSecretKeyFingerprint(fingerprint);
      this.fingerprintRecorded = true;
    }
  }

  private async record(reference: string): Promise<IntegrationRecord> {
    const record = await this.store.findIntegration(reference);
    if (record === undefined) throw this.notFound(reference);
    return record;
  }

  private notFound(reference: string): VigilError {
    return new VigilError('NOT_FOUND', `No integration named '${reference}'.`, {
      hint: 'Run `vigil integrations list` to see the integrations.',
    });
  }

  /**
   * The sealed secrets after `changes` (a value seals it, null removes it, absent keeps what
   * `current` has). Each secret is bound to `<id>/<name>`, so sealed values cannot be swapped
   * between integrations or between secrets unnoticed.
   */
  private seal(
    id: string,
    changes: Partial<Secrets>,
    current: Readonly<Record<string, string>>,
  ): Record<string, string> {
    const sealed: Record<string, string> = { ...current };
    for (const name of secretNames) {
      const value = changes[name];
      if (value === null) delete sealed[name];
      else if (value !== undefined) sealed[name] = this.cipher.seal(value, `${id}/${name}`);
    }
    return sealed;
  }

  /** Every secret of the integration, decrypted; CONFIG_INVALID when one does not open. */
  private open(record: IntegrationRecord): Secrets {
    const opened = (name: SecretName): string | null => {
      const sealed = record.secrets[name];
      return sealed === undefined ? null : this.cipher.open(sealed, `${record.id}/${name}`);
    };
    return { apiKey: opened('apiKey'), proxyPassword: opened('proxyPassword') };
  }

  /**
   * A stored configuration re-validated on the way out (the database is an edge too). Keys this
   * version does not know (a row written by a newer Vigil) are ignored with a warning, once per
   * row version; CONFIG_INVALID naming the integration for anything else wrong.
   */
  private storedConfig(record: IntegrationRecord): IntegrationConfig {
    const checked = readStoredConfig(record.kind, withoutSource(record.config));
    if (!checked.ok) {
      throw new VigilError(
        'CONFIG_INVALID',
        `The stored configuration of integration '${record.name}' is not valid: ${checked.problem}.`,
        {
          hint: `Fix it with \`vigil integrations update ${record.name}\`, or remove the integration and add it again.`,
        },
      );
    }
    if (checked.ignored.length > 0) {
      this.warnOnce(
        `${record.id}@${record.updatedAt}`,
        `integration '${record.name}': ignoring stored settings this Vigil does not know (${checked.ignored.join(', ')}); they were written by a newer version`,
      );
    }
    return checked.config;
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(message);
  }

  private toIntegration(record: IntegrationRecord): Integration {
    const config = this.storedConfig(record);
    return {
      id: record.id,
      name: record.name,
      kind: config.kind,
      source: sourceOf(record),
      config,
      hasApiKey: record.secrets.apiKey !== undefined,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }
}
