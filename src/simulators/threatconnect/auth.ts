import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SimClock } from '../common/clock.ts';

/** The exact failure messages of spec §2.6. */
export const authMessages = {
  badSignature: 'Signature data did not match expected result',
  skew: 'Timestamp out of acceptable time range',
  invalidTimestamp: 'Invalid timestamp',
  accessDenied: 'Access Denied',
  badToken: 'Unauthorized',
} as const;

/** The API user's credentials: HMAC Access ID and secret, and one `TC-Token` (D7). */
export interface TcCredentials {
  accessId: string;
  apiKey: string;
  token: string;
}

/** Why a wrongly signed request failed, for the log only (the request is still rejected, D2). */
export type SignatureDiagnosis =
  | 'signed the path without the query'
  | 'signed the path without the API root'
  | 'signed a lowercase method'
  | 'sent no Timestamp header';

/** `principal` is the API user's Access ID whichever scheme was used (one rate-limit budget per user). */
export type AuthOutcome =
  | { ok: true; principal: string; scheme: 'hmac' | 'token' }
  | { ok: false; message: string; diagnosis?: SignatureDiagnosis };

/** base64(HMAC-SHA256(secret, `<target>:<METHOD>:<timestamp>`)), exactly as spec §2.2. */
export function tcSignature(secret: string, target: string, method: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${target}:${method}:${timestamp}`, 'utf8').digest('base64');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function fail(message: string, diagnosis?: SignatureDiagnosis): AuthOutcome {
  return diagnosis === undefined ? { ok: false, message } : { ok: false, message, diagnosis };
}

/**
 * Verifies ThreatConnect authentication in the order of spec §2.5: the `Authorization` scheme
 * (`TC-Token` → token list; `TC` → split at the last `:`; anything else → `Access Denied`), then
 * the `Timestamp` header when present (all digits, at most `skewSeconds` from the simulator clock,
 * the bound itself accepted), then the Access ID, then the HMAC over the raw request-target
 * (`req.url` unchanged, API root included), compared in constant time. A request without a
 * `Timestamp` header fails that last check (`Signature data did not match expected result`, the
 * documented family of answers): the signature covers a timestamp the request does not carry.
 */
export class TcAuthenticator {
  constructor(
    private readonly credentials: TcCredentials,
    private readonly clock: SimClock,
    private readonly skewSeconds: number,
    private readonly apiRoot: string,
  ) {}

  verify(req: IncomingMessage): AuthOutcome {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('TC-Token ')) {
      const token = header.slice('TC-Token '.length);
      return sameText(token, this.credentials.token)
        ? { ok: true, principal: this.credentials.accessId, scheme: 'token' }
        : fail(authMessages.badToken);
    }
    if (!header.startsWith('TC ')) return fail(authMessages.accessDenied);
    const credential = header.slice('TC '.length);
    const colon = credential.lastIndexOf(':');
    if (colon < 0) return fail(authMessages.accessDenied);
    const accessId = credential.slice(0, colon);
    const signature = credential.slice(colon + 1);

    const timestamp = req.headers.timestamp;
    if (timestamp !== undefined) {
      if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp))
        return fail(authMessages.invalidTimestamp);
      const nowSeconds = Math.floor(this.clock.now() / 1000);
      if (Math.abs(nowSeconds - Number(timestamp)) > this.skewSeconds) return fail(authMessages.skew);
    }

    if (!sameText(accessId, this.credentials.accessId)) return fail(authMessages.accessDenied);
    // The signature covers the Timestamp header: without one, no signature can match.
    if (timestamp === undefined) return fail(authMessages.badSignature, 'sent no Timestamp header');

    const target = req.url ?? '/';
    const method = req.method ?? 'GET';
    const secret = this.credentials.apiKey;
    if (sameText(signature, tcSignature(secret, target, method, timestamp))) {
      return { ok: true, principal: accessId, scheme: 'hmac' };
    }
    return fail(authMessages.badSignature, this.diagnose(signature, target, method, timestamp));
  }

  /** Which common client mistake would have produced this signature (spec §2.5 "Diagnostics"). */
  private diagnose(
    signature: string,
    target: string,
    method: string,
    timestamp: string,
  ): SignatureDiagnosis | undefined {
    const secret = this.credentials.apiKey;
    const path = target.split('?')[0] ?? target;
    if (path !== target && sameText(signature, tcSignature(secret, path, method, timestamp))) {
      return 'signed the path without the query';
    }
    if (this.apiRoot !== '' && target.startsWith(`${this.apiRoot}/`)) {
      const withoutRoot = target.slice(this.apiRoot.length);
      if (sameText(signature, tcSignature(secret, withoutRoot, method, timestamp))) {
        return 'signed the path without the API root';
      }
    }
    if (sameText(signature, tcSignature(secret, target, method.toLowerCase(), timestamp))) {
      return 'signed a lowercase method';
    }
    return undefined;
  }
}
