import type { IncomingMessage } from 'node:http';
import Hawk from 'hawk';
import type { SimClock } from '../common/clock.ts';
import type { Directory, Membership, Organization, User } from './identity.ts';

/** Allowed clock skew (decision D2). */
export const SKEW_SECONDS = 60;

type HawkCredentials = Hawk.server.Credentials;
type HawkArtifacts = Hawk.crypto.Artifacts;

export type AuthResult =
  | {
      ok: true;
      user: User;
      org: Organization;
      membership: Membership;
      credentials: HawkCredentials;
      artifacts: HawkArtifacts;
    }
  | { ok: false; status: 401 | 403; reason: string; wwwAuthenticate?: string };

function unauthorized(reason: string, wwwAuthenticate = `Hawk error="${reason}"`): AuthResult {
  return { ok: false, status: 401, reason, wwwAuthenticate };
}

const forbidden: AuthResult = { ok: false, status: 403, reason: 'Forbidden' };

interface BoomLike {
  message: string;
  output?: { headers?: Record<string, string | number | undefined> };
}

/**
 * Verifies Threat Stack's Hawk scheme exactly as the project decisions fix it (D1–D4, D10):
 * the `hawk` reference implementation checks the header, credentials, MAC over the raw
 * path and query, payload hash, nonce and timestamp (in that order); then `ext` must name an
 * organization of the user, then role and membership are checked.
 */
export class HawkVerifier {
  /** Nonces seen per key, with their timestamps (seconds), pruned once out of the skew window. */
  private readonly nonces = new Map<string, Map<string, number>>();

  constructor(
    private readonly directory: Directory,
    private readonly clock: SimClock,
  ) {}

  async authenticate(req: IncomingMessage, body: Buffer): Promise<AuthResult> {
    const header = req.headers.authorization;
    if (header === undefined || !/^Hawk(\s|$)/i.test(header)) return unauthorized('Missing authentication');
    let authenticated: { credentials: HawkCredentials; artifacts: HawkArtifacts };
    try {
      authenticated = await Hawk.server.authenticate(
        req,
        (id) => this.credentialsFor(id) as HawkCredentials,
        {
          timestampSkewSec: SKEW_SECONDS,
          localtimeOffsetMsec: this.clock.offsetFromWallClock(),
          nonceFunc: (key, nonce, ts) => this.checkNonce(key, nonce, Number(ts)),
          ...(body.length > 0 ? { payload: body.toString('utf8') } : {}),
        },
      );
    } catch (error) {
      return this.failure(error as BoomLike);
    }
    const { credentials, artifacts } = authenticated;
    const user = this.directory.user(credentials.user);
    const orgId = artifacts.ext ?? '';
    const org = this.directory.organization(orgId);
    const membership = user ? this.directory.membership(user.id, orgId) : undefined;
    if (!user || !org || !membership) return unauthorized('Invalid organization');
    return { ok: true, user, org, membership, credentials, artifacts };
  }

  /** Role and membership rules (D10): revoked members are refused every /v2 call; readers may only read. */
  authorize(membership: Membership, method: string, path: string): AuthResult | null {
    if (!path.startsWith('/v2/')) return null;
    if (membership.revoked) return forbidden;
    if (membership.role === 'reader' && method !== 'GET' && method !== 'HEAD') return forbidden;
    return null;
  }

  /** The `Server-Authorization` header for a 2xx response body (no ext, as observed). */
  responseHeader(credentials: HawkCredentials, artifacts: HawkArtifacts, payload: string): string {
    return Hawk.server.header(credentials, artifacts, { payload, contentType: 'application/json' });
  }

  private credentialsFor(id: string): HawkCredentials | undefined {
    const user = this.directory.user(id);
    return user ? { key: user.apiKey, algorithm: 'sha256', user: user.id } : undefined;
  }

  private checkNonce(key: string, nonce: string, ts: number): void {
    const nowSeconds = this.clock.now() / 1000;
    let seen = this.nonces.get(key);
    if (!seen) {
      seen = new Map();
      this.nonces.set(key, seen);
    }
    if (seen.size > 1000) {
      for (const [n, at] of seen) if (Math.abs(nowSeconds - at) > 2 * SKEW_SECONDS) seen.delete(n);
    }
    if (seen.has(nonce)) throw new Error('Invalid nonce');
    seen.set(nonce, ts);
  }

  private failure(error: BoomLike): AuthResult {
    const reason = error.message;
    const known = [
      'Unknown credentials',
      'Bad mac',
      'Missing required payload hash',
      'Bad payload hash',
      'Invalid nonce',
      'Stale timestamp',
    ];
    if (!known.includes(reason)) return unauthorized('Missing attributes');
    const challenge = error.output?.headers?.['WWW-Authenticate'];
    return unauthorized(reason, typeof challenge === 'string' ? challenge : undefined);
  }
}
