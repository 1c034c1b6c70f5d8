import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { VigilError } from '../errors.ts';
import { vigilHome } from '../home.ts';
import { nodeCrypto } from '../lazy-require.ts';
import { isPostgresLocation } from '../store/store-error.ts';

/**
 * Encryption at rest of integration secrets (API keys, proxy passwords): AES-256-GCM with a
 * random 12-byte IV per encryption and the integration id as additional authenticated data, so
 * a sealed value neither decrypts under another key nor moves to another integration unnoticed.
 */

/** The sealed form's version prefix: `v1.<iv>.<ciphertext>.<tag>`, each part base64url. */
const SEALED_VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Seals and opens secrets; the key is read (or the key file created) on first use only. */
export interface SecretCipher {
  /** Encrypts `plaintext` bound to `context` (the integration id): `v1.<iv>.<ciphertext>.<tag>`. */
  seal(plaintext: string, context: string): string;
  /** Decrypts a sealed value; CONFIG_INVALID when the key is wrong or the value was altered. */
  open(sealed: string, context: string): string;
  /** The fingerprint of the key once it is loaded (by a seal or an open), else undefined. */
  keyFingerprint?(): string | undefined;
}

/** What the database says of its key, checked whenever the key is loaded (see `loadSecretKey`). */
export interface ExpectedKey {
  /** The fingerprint the database recorded, if any. */
  fingerprint?: string;
  /** Whether the database already holds sealed secrets. */
  holdsSecrets: boolean;
}

/**
 * A key's fingerprint, safe to store and print: `sha256:` and the first 16 hex digits of a
 * domain-separated SHA-256 of the key (it identifies the key and reveals nothing of it).
 */
export function keyFingerprint(key: Buffer): string {
  const digest = nodeCrypto()
    .createHash('sha256')
    .update('vigil secret key fingerprint\0')
    .update(key)
    .digest('hex');
  return `sha256:${digest.slice(0, 16)}`;
}

/** Where the secret key comes from, for messages (never the key itself). */
export interface SecretKeySource {
  key: Buffer;
  description: string;
}

const hexKey = /^[0-9a-fA-F]{64}$/;
const base64Key = /^[A-Za-z0-9+/_-]{43}={0,1}$/;

/**
 * Decodes VIGIL_SECRET_KEY: 32 bytes written as 64 hex digits or as base64 (standard or url-safe,
 * 43 or 44 characters). CONFIG_INVALID otherwise; the message never repeats the value.
 */
export function parseSecretKey(text: string, origin = 'VIGIL_SECRET_KEY'): Buffer {
  const value = text.trim();
  const key = hexKey.test(value)
    ? Buffer.from(value, 'hex')
    : base64Key.test(value)
      ? Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
      : undefined;
  if (key === undefined || key.length !== KEY_BYTES) {
    throw new VigilError('CONFIG_INVALID', `${origin} is not a 32-byte key.`, {
      hint: 'Write 32 random bytes as base64 (44 characters, e.g. `openssl rand -base64 32`) or as 64 hex digits.',
    });
  }
  return key;
}

/**
 * The key file of a store: `<database directory>/vigil.key` for a SQLite file (the database and
 * its key travel together), else `<home>/vigil.key` (PostgreSQL has no directory of its own).
 */
export function secretKeyFileFor(storeLocation: string, home: string): string {
  if (isPostgresLocation(storeLocation)) return join(home, 'vigil.key');
  return join(dirname(resolve(storeLocation)), 'vigil.key');
}

/**
 * Refuses a key file that its group or others may read or write, as ssh refuses such a private
 * key: whoever can read it can open every stored secret.
 */
function assertPrivate(path: string): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new VigilError(
      'CONFIG_INVALID',
      `The secret key file ${path} is accessible by others (mode ${mode.toString(8).padStart(4, '0')}); it must be readable by its owner only.`,
      { hint: `Run \`chmod 600 ${path}\`, or set VIGIL_SECRET_KEY instead.` },
    );
  }
}

function readKeyFile(path: string): Buffer {
  assertPrivate(path);
  return parseSecretKey(readFileSync(path, 'utf8'), `The key file ${path}`);
}

/**
 * Creates a key file with 32 random bytes (base64, mode 0600) unless one exists. The file is
 * written in full under a temporary name and then hard-linked into place, so a concurrent
 * process either wins the race or reads the complete file of the winner.
 */
function createKeyFile(path: string): Buffer {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${nodeCrypto().randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${nodeCrypto().randomBytes(KEY_BYTES).toString('base64')}\n`, {
    mode: 0o600,
    flag: 'wx',
  });
  try {
    chmodSync(temporary, 0o600);
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  return readKeyFile(path);
}

function keyFileError(path: string, error: unknown): VigilError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new VigilError('CONFIG_INVALID', `Cannot use the secret key file ${path} (${reason}).`, {
    hint: 'Make the directory writable, or set VIGIL_SECRET_KEY to a 32-byte key (base64 or hex).',
    cause: error,
  });
}

/** Where keys are looked for, for messages. */
function keyLocations(keyFile: string): string {
  return `VIGIL_SECRET_KEY (not set) or the key file ${keyFile} (missing)`;
}

/** CONFIG_INVALID when `source` is not the key the database expects. */
function checkExpected(source: SecretKeySource, expected: ExpectedKey | undefined): SecretKeySource {
  const found = keyFingerprint(source.key);
  if (expected?.fingerprint !== undefined && expected.fingerprint !== found) {
    throw new VigilError(
      'CONFIG_INVALID',
      `The secret key from ${source.description} (fingerprint ${found}) is not the key this database's secrets are sealed with (fingerprint ${expected.fingerprint}).`,
      {
        hint: `Use the key with fingerprint ${expected.fingerprint}: set VIGIL_SECRET_KEY to it, or restore its key file.`,
      },
    );
  }
  return source;
}

/** Refuses to create a key for a database that already holds secrets sealed with another one. */
function refuseSecondKey(keyFile: string, expected: ExpectedKey | undefined): void {
  if (expected?.fingerprint === undefined && expected?.holdsSecrets !== true) return;
  const which =
    expected.fingerprint === undefined
      ? 'a key whose fingerprint was never recorded'
      : `the key with fingerprint ${expected.fingerprint}`;
  throw new VigilError(
    'CONFIG_INVALID',
    `This database already holds secrets sealed with ${which}, and no key was found (looked in ${keyLocations(keyFile)}); a new key would not open them, so none was created.`,
    {
      hint: `Restore that key file to ${keyFile}, or set VIGIL_SECRET_KEY to that key.`,
    },
  );
}

/**
 * The secret key: VIGIL_SECRET_KEY when set, else the key file, which is created (0600) when
 * `create` is true and it does not exist yet. Without `create` a missing file is CONFIG_INVALID:
 * secrets sealed under a lost key cannot be recovered, and a new key would not open them. With
 * `expected` (what the database recorded), a key of another fingerprint is CONFIG_INVALID, and no
 * key is created for a database that already holds secrets.
 */
export function loadSecretKey(options: {
  keyFile: string;
  env?: NodeJS.ProcessEnv;
  create: boolean;
  expected?: ExpectedKey | undefined;
}): SecretKeySource {
  const fromEnv = (options.env ?? process.env).VIGIL_SECRET_KEY;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return checkExpected({ key: parseSecretKey(fromEnv), description: 'VIGIL_SECRET_KEY' }, options.expected);
  }
  try {
    return checkExpected(
      { key: readKeyFile(options.keyFile), description: options.keyFile },
      options.expected,
    );
  } catch (error) {
    if (error instanceof VigilError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw keyFileError(options.keyFile, error);
  }
  if (!options.create) {
    throw new VigilError(
      'CONFIG_INVALID',
      `The secret key file ${options.keyFile} does not exist, so stored secrets cannot be decrypted.`,
      {
        hint: 'Restore the key file beside the database, or set VIGIL_SECRET_KEY to the key the secrets were stored with; else set the API key again with `vigil integrations update`.',
      },
    );
  }
  refuseSecondKey(options.keyFile, options.expected);
  try {
    return { key: createKeyFile(options.keyFile), description: options.keyFile };
  } catch (error) {
    throw error instanceof VigilError ? error : keyFileError(options.keyFile, error);
  }
}

/** AES-256-GCM over `plaintext` with `context` as additional authenticated data. */
export function sealSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = nodeCrypto().randomBytes(IV_BYTES);
  const cipher = nodeCrypto().createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [SEALED_VERSION, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/**
 * Opens a value sealed by `sealSecret`. Returns undefined when it does not authenticate (wrong
 * key, another context, altered bytes); throws CONFIG_INVALID for a format or version it does
 * not know.
 */
export function openSealedSecret(key: Buffer, sealed: string, context: string): string | undefined {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== SEALED_VERSION) {
    throw new VigilError(
      'CONFIG_INVALID',
      'A stored secret is not in a format this Vigil knows (expected v1).',
      {
        hint: 'Upgrade Vigil, or set the secret again with `vigil integrations update`.',
      },
    );
  }
  const [iv, ciphertext, tag] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === undefined) return undefined;
  try {
    const decipher = nodeCrypto().createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** The cipher of a store: its key file is `secretKeyFileFor(storeLocation, VIGIL_HOME or the user data directory)`. */
export function secretCipherFor(storeLocation: string, env: NodeJS.ProcessEnv = process.env): SecretCipher {
  return secretCipher(secretKeyFileFor(storeLocation, vigilHome(env)), env);
}

/**
 * A cipher whose key comes from VIGIL_SECRET_KEY or `keyFile`, loaded on first use; sealing
 * creates the key file if needed (never for a database that `expected` says holds secrets),
 * opening never does. `expected`, read from the database when it is opened, is checked whenever
 * the key is loaded.
 */
export function secretCipher(
  keyFile: string,
  env: NodeJS.ProcessEnv = process.env,
  expected?: ExpectedKey,
): SecretCipher {
  let loaded: SecretKeySource | undefined;
  const key = (create: boolean): SecretKeySource => {
    loaded ??= loadSecretKey({ keyFile, env, create, expected });
    return loaded;
  };
  return {
    keyFingerprint: () => (loaded === undefined ? undefined : keyFingerprint(loaded.key)),
    seal: (plaintext, context) => sealSecret(key(true).key, plaintext, context),
    open(sealed, context) {
      const source = key(false);
      const plaintext = openSealedSecret(source.key, sealed, context);
      if (plaintext === undefined) {
        throw new VigilError(
          'CONFIG_INVALID',
          `A stored secret does not decrypt with the key from ${source.description}: the key is not the one it was stored with, or the stored value was altered.`,
          {
            hint: 'Use the key the secrets were stored with (VIGIL_SECRET_KEY or the key file beside the database), or set the API key again with `vigil integrations update`.',
          },
        );
      }
      return plaintext;
    },
  };
}
