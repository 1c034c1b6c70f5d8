import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VigilError } from '../errors.ts';
import {
  keyFingerprint,
  loadSecretKey,
  openSealedSecret,
  parseSecretKey,
  sealSecret,
  secretCipherFor,
  secretKeyFileFor,
} from './secrets.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
  dirs.push(dir);
  return dir;
}

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return error instanceof VigilError ? error.code : 'not a VigilError';
  }
  return undefined;
}

const key = randomBytes(32);
const apiKey = 'ts-api-key-0123456789abcdefghijklmnopqrstuvwxyz';

describe('sealSecret / openSealedSecret (AES-256-GCM)', () => {
  it('round-trips, with a version prefix and a fresh IV each time', () => {
    const first = sealSecret(key, apiKey, 'integration-1/apiKey');
    const second = sealSecret(key, apiKey, 'integration-1/apiKey');
    expect(first).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain(apiKey);
    expect(openSealedSecret(key, first, 'integration-1/apiKey')).toBe(apiKey);
    expect(openSealedSecret(key, second, 'integration-1/apiKey')).toBe(apiKey);
  });

  it('detects tampering: any altered byte, another context or another key fails to open', () => {
    const sealed = sealSecret(key, apiKey, 'a/apiKey');
    const [version, iv, ciphertext, tag] = sealed.split('.') as [string, string, string, string];
    const flip = (part: string, index: number) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[index] = (bytes[index] ?? 0) ^ 0x01;
      return bytes.toString('base64url');
    };
    for (const altered of [
      [version, flip(iv, 0), ciphertext, tag],
      [version, iv, flip(ciphertext, 3), tag],
      [version, iv, ciphertext, flip(tag, 15)],
      [version, iv, ciphertext.slice(0, -2), tag],
    ]) {
      expect(openSealedSecret(key, altered.join('.'), 'a/apiKey')).toBeUndefined();
    }
    expect(openSealedSecret(key, sealed, 'b/apiKey')).toBeUndefined();
    expect(openSealedSecret(randomBytes(32), sealed, 'a/apiKey')).toBeUndefined();
  });

  it('refuses a stored form of an unknown version as CONFIG_INVALID', () => {
    const sealed = sealSecret(key, apiKey, 'a').replace(/^v1\./, 'v9.');
    expect(codeOf(() => openSealedSecret(key, sealed, 'a'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => openSealedSecret(key, apiKey, 'a'))).toBe('CONFIG_INVALID');
  });
});

describe('parseSecretKey (VIGIL_SECRET_KEY)', () => {
  it('accepts 32 bytes as hex, base64 and base64url', () => {
    expect(parseSecretKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseSecretKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseSecretKey(`${key.toString('base64url')}\n`).equals(key)).toBe(true);
  });

  it('rejects anything else as CONFIG_INVALID without repeating the value', () => {
    for (const bad of [
      'secret',
      randomBytes(31).toString('hex'),
      randomBytes(33).toString('base64'),
      `${key.toString('hex')}00`,
    ]) {
      try {
        parseSecretKey(bad);
        expect.unreachable();
      } catch (error) {
        expect((error as VigilError).code).toBe('CONFIG_INVALID');
        expect((error as VigilError).message).toContain('VIGIL_SECRET_KEY');
        expect(JSON.stringify((error as VigilError).toJSON())).not.toContain(bad);
      }
    }
  });
});

describe('secretKeyFileFor', () => {
  it('puts the key beside a SQLite file, and in the home for PostgreSQL', () => {
    expect(secretKeyFileFor('/srv/vigil/data/graph.db', '/etc/vigil')).toBe('/srv/vigil/data/vigil.key');
    expect(secretKeyFileFor('postgres://u:p@db/vigil', '/etc/vigil')).toBe('/etc/vigil/vigil.key');
    expect(secretKeyFileFor('postgresql://db/vigil', '/home/a/.local/share/vigil')).toBe(
      '/home/a/.local/share/vigil/vigil.key',
    );
  });
});

describe('secretCipherFor', () => {
  it('creates the key file (mode 0600) on the first seal, and reuses it', () => {
    const dir = tempDir();
    const db = join(dir, 'vigil.db');
    const cipher = secretCipherFor(db, {});
    expect(() => statSync(join(dir, 'vigil.key'))).toThrow();
    const sealed = cipher.seal(apiKey, 'id/apiKey');
    const stat = statSync(join(dir, 'vigil.key'));
    expect(stat.mode & 0o777).toBe(0o600);
    expect(parseSecretKey(readFileSync(join(dir, 'vigil.key'), 'utf8'), 'file')).toHaveLength(32);
    expect(secretCipherFor(db, {}).open(sealed, 'id/apiKey')).toBe(apiKey);
    cipher.seal('again', 'id/apiKey');
    expect(statSync(join(dir, 'vigil.key')).mtimeMs).toBe(stat.mtimeMs);
  });

  it('never creates a key to open a secret: a missing key file is CONFIG_INVALID', () => {
    const dir = tempDir();
    const sealed = sealSecret(key, apiKey, 'id/apiKey');
    expect(codeOf(() => secretCipherFor(join(dir, 'vigil.db'), {}).open(sealed, 'id/apiKey'))).toBe(
      'CONFIG_INVALID',
    );
    expect(() => statSync(join(dir, 'vigil.key'))).toThrow();
  });

  it('honours VIGIL_SECRET_KEY over the key file, and creates no file then', () => {
    const dir = tempDir();
    const db = join(dir, 'vigil.db');
    const env = { VIGIL_SECRET_KEY: key.toString('base64') };
    const sealed = secretCipherFor(db, env).seal(apiKey, 'id/apiKey');
    expect(() => statSync(join(dir, 'vigil.key'))).toThrow();
    expect(openSealedSecret(key, sealed, 'id/apiKey')).toBe(apiKey);
    // A key file with another key is not what opens it: the environment wins.
    writeFileSync(join(dir, 'vigil.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
    expect(secretCipherFor(db, env).open(sealed, 'id/apiKey')).toBe(apiKey);
    expect(codeOf(() => secretCipherFor(db, {}).open(sealed, 'id/apiKey'))).toBe('CONFIG_INVALID');
  });

  it('reports a wrong key or altered value as CONFIG_INVALID naming the key source, not the secret', () => {
    const dir = tempDir();
    const sealed = sealSecret(randomBytes(32), apiKey, 'id/apiKey');
    try {
      secretCipherFor(join(dir, 'vigil.db'), { VIGIL_SECRET_KEY: key.toString('hex') }).open(
        sealed,
        'id/apiKey',
      );
      expect.unreachable();
    } catch (error) {
      expect((error as VigilError).code).toBe('CONFIG_INVALID');
      expect((error as VigilError).message).toContain('VIGIL_SECRET_KEY');
      expect((error as VigilError).message).not.toContain(apiKey);
    }
  });

  it('refuses an invalid VIGIL_SECRET_KEY as CONFIG_INVALID', () => {
    const dir = tempDir();
    expect(
      codeOf(() => secretCipherFor(join(dir, 'vigil.db'), { VIGIL_SECRET_KEY: 'short' }).seal('x', 'y')),
    ).toBe('CONFIG_INVALID');
  });

  it('creates the PostgreSQL key under VIGIL_HOME, making the directory', () => {
    const home = join(tempDir(), 'home', 'nested');
    loadSecretKey({
      keyFile: secretKeyFileFor('postgres://db/x', home),
      env: {},
      create: true,
    });
    expect(statSync(join(home, 'vigil.key')).mode & 0o777).toBe(0o600);
  });

  it('creating a key file that already exists reads it and never replaces it', () => {
    const dir = tempDir();
    const keyFile = join(dir, 'vigil.key');
    const first = loadSecretKey({ keyFile, env: {}, create: true });
    const second = loadSecretKey({ keyFile, env: {}, create: true });
    expect(second.key.equals(first.key)).toBe(true);
  });

  it.each(['0644', '0640', '0604', '0660'])(
    'refuses a key file of mode %s (group or others can read it) like ssh, with a chmod hint (issue 9 item 14)',
    (mode) => {
      const keyFile = join(tempDir(), 'vigil.key');
      writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`);
      chmodSync(keyFile, Number.parseInt(mode, 8));
      try {
        loadSecretKey({ keyFile, env: {}, create: false });
        expect.unreachable();
      } catch (error) {
        expect((error as VigilError).code).toBe('CONFIG_INVALID');
        expect((error as VigilError).message).toContain(`(mode ${mode})`);
        expect((error as VigilError).hint).toBe(
          `Run \`chmod 600 ${keyFile}\`, or set VIGIL_SECRET_KEY instead.`,
        );
      }
    },
  );

  it('accepts a key file of mode 0400 or 0600', () => {
    for (const mode of [0o400, 0o600]) {
      const keyFile = join(tempDir(), 'vigil.key');
      writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`);
      chmodSync(keyFile, mode);
      expect(loadSecretKey({ keyFile, env: {}, create: false }).key).toHaveLength(32);
    }
  });

  it('checks the key against the fingerprint the database recorded (issue 9 item 13)', () => {
    const key = randomBytes(32);
    const fingerprint = keyFingerprint(key);
    expect(fingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(fingerprint).not.toContain(key.toString('hex').slice(0, 16));
    const env = { VIGIL_SECRET_KEY: key.toString('base64') };
    const keyFile = join(tempDir(), 'vigil.key');
    expect(
      loadSecretKey({ keyFile, env, create: true, expected: { fingerprint, holdsSecrets: true } }).key,
    ).toEqual(key);
    expect(
      codeOf(() =>
        loadSecretKey({
          keyFile,
          env,
          create: true,
          expected: { fingerprint: 'sha256:0000000000000000', holdsSecrets: true },
        }),
      ),
    ).toBe('CONFIG_INVALID');
    // No key anywhere: created for a database without secrets, refused for one that holds some.
    expect(
      codeOf(() => loadSecretKey({ keyFile, env: {}, create: true, expected: { holdsSecrets: true } })),
    ).toBe('CONFIG_INVALID');
    expect(() => statSync(keyFile)).toThrow();
    expect(
      loadSecretKey({ keyFile, env: {}, create: true, expected: { holdsSecrets: false } }).key,
    ).toHaveLength(32);
  });
});
