import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { VigilError } from '../errors.ts';
import type { ApiTokenRecord, ApiTokenRecords, ApiTokenRole } from '../store/types.ts';

/** Every API token starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const apiTokenPrefix = 'vgl_';

/** The roles, weakest first: each may do what the ones before it may. */
export const apiTokenRoles = ['viewer', 'operator', 'admin'] as const satisfies readonly ApiTokenRole[];

/** Whether `role` may do what `minimum` may. */
export function roleAtLeast(role: ApiTokenRole, minimum: ApiTokenRole): boolean {
  return apiTokenRoles.indexOf(role) >= apiTokenRoles.indexOf(minimum);
}

/** A token name: what `tokens revoke` and the logs call it. */
export const tokenNameSchema = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

/** A token as listed: everything but the hash. */
export type ApiTokenSummary = Omit<ApiTokenRecord, 'hash'>;

/** Who a request authenticated as. */
export interface Principal {
  tokenId: string;
  name: string;
  role: ApiTokenRole;
}

/** SHA-256 (hex) of a token: what the store keeps. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function summarise(record: ApiTokenRecord): ApiTokenSummary {
  const { hash: _hash, ...summary } = record;
  return summary;
}

/** How often a token's `last_used_at` is written at most (it is a hint, not an audit log). */
const touchIntervalMs = 60_000;

export interface ApiTokenServiceOptions {
  now?: () => Date;
  /** 32 random bytes per token; injectable for tests. */
  randomBytes?: (size: number) => Buffer;
  newId?: () => string;
}

/**
 * API tokens: created with a role and shown once (`vgl_` + 32 random bytes, base64url), stored as
 * their SHA-256 only, listed without it, revoked by name, and checked on every API request.
 */
export class ApiTokenService {
  private readonly now: () => Date;
  private readonly random: (size: number) => Buffer;
  private readonly newId: () => string;

  constructor(
    private readonly records: ApiTokenRecords,
    options: ApiTokenServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.random = options.randomBytes ?? randomBytes;
    this.newId = options.newId ?? randomUUID;
  }

  /** Creates a token; the returned `token` is the only time it is ever available. */
  async create(input: {
    name: string;
    role: ApiTokenRole;
  }): Promise<{ token: string; summary: ApiTokenSummary }> {
    const name = parseTokenName(input.name);
    const token = `${apiTokenPrefix}${this.random(32).toString('base64url')}`;
    const record: ApiTokenRecord = {
      id: this.newId(),
      name,
      role: input.role,
      hash: hashApiToken(token),
      createdAt: this.now().toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.records.insertApiToken(record);
    return { token, summary: summarise(record) };
  }

  /** Every token, revoked ones included, without hashes, ordered by name. */
  async list(): Promise<ApiTokenSummary[]> {
    return (await this.records.listApiTokens()).map(summarise);
  }

  /** Revokes a token by name; NOT_FOUND when there is no active token of that name. */
  async revoke(name: string): Promise<ApiTokenSummary> {
    return summarise(await this.records.revokeApiToken(name, this.now().toISOString()));
  }

  /**
   * Who `token` belongs to, or undefined for a malformed, unknown or revoked token. The row is
   * found by the token's hash (an index lookup can leak at most hash bits, which reveal nothing
   * of a 256-bit random token); the stored hash is then confirmed in constant time.
   */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (!token.startsWith(apiTokenPrefix)) return undefined;
    const hash = hashApiToken(token);
    const record = await this.records.findApiTokenByHash(hash);
    if (record === undefined || record.revokedAt !== null || !sameHash(record.hash, hash)) return undefined;
    await this.touch(record);
    return { tokenId: record.id, name: record.name, role: record.role };
  }

  private async touch(record: ApiTokenRecord): Promise<void> {
    const now = this.now();
    const last = record.lastUsedAt === null ? Number.NEGATIVE_INFINITY : Date.parse(record.lastUsedAt);
    if (now.getTime() - last >= touchIntervalMs)
      await this.records.touchApiToken(record.id, now.toISOString());
  }
}

function sameHash(stored: string, computed: string): boolean {
  const a = Buffer.from(stored, 'utf8');
  const b = Buffer.from(computed, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseTokenName(name: string): string {
  const parsed = tokenNameSchema.safeParse(name);
  if (parsed.success) return parsed.data;
  throw new VigilError('INPUT_INVALID', `Invalid token name '${name}': ${parsed.error.issues[0]?.message}.`, {
    hint: 'Name the token after who uses it, e.g. --name ci-pipeline.',
  });
}
