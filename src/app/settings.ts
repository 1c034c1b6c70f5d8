import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { redactUrlCredentials } from '../connectors/http/redaction.ts';
import { VigilError } from '../errors.ts';
import { type HomeContext, vigilHomeFor } from '../home.ts';
import { secretKeyFileFor } from '../integrations/secrets.ts';
import { isPostgresLocation, isValidSchemaName } from '../store/store-error.ts';

/** Where Vigil keeps its state and how it reaches its database, parsed once from flags and environment. */
export interface VigilSettings {
  /** `VIGIL_HOME`, else the platform's user data directory (absolute). */
  home: string;
  /** The database: a SQLite file path (absolute) or a `postgres://` URL. */
  database: string;
  /** What chose the database: `--db`, `VIGIL_DB`, or the home's `vigil.db`. */
  databaseFrom: '--db' | 'VIGIL_DB' | 'home';
  /** PostgreSQL schema of the store (`--schema`, else `VIGIL_PG_SCHEMA`); undefined = the search path. */
  pgSchema: string | undefined;
  /** The secret key file: beside a SQLite database, in the home for PostgreSQL. */
  secretKeyFile: string;
  /** True when `VIGIL_SECRET_KEY` gives the key (the file is then not used). */
  secretKeyFromEnv: boolean;
  /** Where `vigil attack import` writes and the catalogue is read from: `VIGIL_ATTACK_CATALOGUE`, else `<home>/attack-catalogue.json`. */
  attackCatalogueFile: string;
  /** The environment, for the vendors' variables of environment syncs and `VIGIL_SECRET_KEY`. */
  env: NodeJS.ProcessEnv;
}

/** What settings are parsed from: flags that win over the environment. */
export interface SettingsInput {
  env?: NodeJS.ProcessEnv;
  /** `--db`. */
  db?: string | undefined;
  /** `--schema`. */
  schema?: string | undefined;
  /** The platform and home directory (tests); the running system's by default. */
  platform?: NodeJS.Platform;
  homedir?: string;
}

const urlScheme = /^([a-z][a-z0-9+.-]*):\/\//i;

function databaseLocation(value: string, origin: '--db' | 'VIGIL_DB'): string {
  if (isPostgresLocation(value)) return value;
  const scheme = urlScheme.exec(value)?.[1];
  if (scheme !== undefined) {
    throw new VigilError(
      'INPUT_INVALID',
      `${origin} uses the scheme ${scheme}://, which Vigil does not support; give a SQLite file path or a postgres:// URL.`,
    );
  }
  return resolve(value);
}

function pgSchemaOf(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const [origin, value] = flag ? ['--schema', flag] : ['VIGIL_PG_SCHEMA', env.VIGIL_PG_SCHEMA];
  return schemaNameOf(origin, value);
}

/**
 * A PostgreSQL schema name given by `origin` (a flag or variable), checked; undefined when it is
 * not given. INPUT_INVALID naming `origin` otherwise.
 */
export function schemaNameOf(origin: string, value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!isValidSchemaName(value)) {
    throw new VigilError(
      'INPUT_INVALID',
      `${origin} must be a schema name (letters, digits, _, starting with a letter or _), not '${value}'.`,
    );
  }
  return value;
}

/**
 * The settings of this process: `--db` wins over `VIGIL_DB`, which wins over `<home>/vigil.db`;
 * the home is `VIGIL_HOME` or the platform's user data directory. Nothing is created here.
 * INPUT_INVALID for a database URL of another scheme or a bad schema name.
 */
export function parseSettings(input: SettingsInput = {}): VigilSettings {
  const env = input.env ?? process.env;
  const context: HomeContext = {
    env,
    platform: input.platform ?? process.platform,
    homedir: input.homedir ?? homedir(),
  };
  const home = vigilHomeFor(context);
  const [databaseFrom, database] = input.db
    ? (['--db', databaseLocation(input.db, '--db')] as const)
    : env.VIGIL_DB
      ? (['VIGIL_DB', databaseLocation(env.VIGIL_DB, 'VIGIL_DB')] as const)
      : (['home', join(home, 'vigil.db')] as const);
  return {
    home,
    database,
    databaseFrom,
    pgSchema: pgSchemaOf(input.schema, env),
    secretKeyFile: secretKeyFileFor(database, home),
    secretKeyFromEnv: Boolean(env.VIGIL_SECRET_KEY?.trim()),
    attackCatalogueFile: resolve(env.VIGIL_ATTACK_CATALOGUE || join(home, 'attack-catalogue.json')),
    env,
  };
}

/** What `vigil info` shows: where everything lives (a database URL without its password). */
export interface SettingsDescription {
  home: string;
  database: string;
  databaseFrom: VigilSettings['databaseFrom'];
  pgSchema: string | null;
  secretKey: string;
  attackCatalogue: string;
}

export function describeSettings(settings: VigilSettings): SettingsDescription {
  return {
    home: settings.home,
    database: redactUrlCredentials(settings.database),
    databaseFrom: settings.databaseFrom,
    pgSchema: settings.pgSchema ?? null,
    secretKey: settings.secretKeyFromEnv ? 'VIGIL_SECRET_KEY' : settings.secretKeyFile,
    attackCatalogue: settings.attackCatalogueFile,
  };
}
