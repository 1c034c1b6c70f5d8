import { createHmac } from 'node:crypto';

/**
 * ThreatConnect's Access ID + Secret Key request signature (spec §2). Pure functions: the caller
 * supplies the request target, the method and the time, so the result is reproducible and the
 * frozen vectors of spec §2.4 pin it down.
 */

/** The headers that authenticate one ThreatConnect request. */
export interface TcAuthorizationHeaders {
  /** `TC <accessId>:<signature>`. */
  Authorization: string;
  /** Unix epoch seconds, byte for byte the value inside the signature. */
  Timestamp: string;
}

/** One request to sign and the credentials to sign it with. */
export interface TcSigningInput {
  /** The request target exactly as sent: path (API root included) plus `?query`, no scheme, host or port. */
  pathAndQuery: string;
  /** Signed as given; HTTP methods are case-sensitive, so send it in the same case (`GET`). */
  method: string;
  timestampSeconds: number;
  accessId: string;
  apiKey: string;
}

function assertTimestamp(timestampSeconds: number): void {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError('The ThreatConnect Timestamp must be a non-negative integer number of seconds.');
  }
}

/**
 * `base64(HMAC-SHA256(apiKey, "<pathAndQuery>:<method>:<timestampSeconds>"))`: the key is the
 * secret's UTF-8 bytes as written (no decoding), the output is standard padded base64. Nothing is
 * normalised: a `+` and a `%20` in the query, or `get` and `GET`, give different signatures, so
 * the caller must sign the very target and method it sends.
 */
export function signature(
  pathAndQuery: string,
  method: string,
  timestampSeconds: number,
  apiKey: string,
): string {
  assertTimestamp(timestampSeconds);
  return createHmac('sha256', Buffer.from(apiKey, 'utf8'))
    .update(`${pathAndQuery}:${method}:${timestampSeconds}`, 'utf8')
    .digest('base64');
}

/** The `Authorization` and `Timestamp` headers of one attempt (sign again for every retry). */
export function authorizationHeaders(input: TcSigningInput): TcAuthorizationHeaders {
  const mac = signature(input.pathAndQuery, input.method, input.timestampSeconds, input.apiKey);
  return { Authorization: `TC ${input.accessId}:${mac}`, Timestamp: String(input.timestampSeconds) };
}

/** Milliseconds since the epoch → the integer seconds ThreatConnect expects (never milliseconds). */
export function timestampSecondsAt(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}
