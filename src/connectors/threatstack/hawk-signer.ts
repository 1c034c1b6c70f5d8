import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type Hawk from 'hawk';
import { lazyRequire } from '../../lazy-require.ts';

/** The hawk package, loaded by the first signature. */
const hawk = lazyRequire<typeof Hawk>('hawk');

/** Threat Stack's Hawk credentials: id = user id, key = API key (UTF-8, used as-is), sha256 (spec §1.3). */
export interface HawkKey {
  id: string;
  key: string;
}

/** Characters a Hawk header attribute may hold (the reference parser rejects anything else). */
export const HAWK_ATTRIBUTE = /^[ \w!#$%&'()*+,\-./:;<=>?@[\]^`{|}~]+$/;

export interface HawkRequestToSign {
  credentials: HawkKey;
  /** The organization id (spec §1.3: `ext` = organization id). */
  ext: string;
  method: string;
  /** Host and port of the configured base URL, as the server sees them in `Host`. */
  host: string;
  port: number;
  /** The path plus raw query, byte for byte as sent. */
  resource: string;
  timestampSec: number;
  nonce: string;
  /** The exact body bytes and their content type; adds the payload `hash` (D4). */
  payload?: { body: string; contentType: string };
}

export interface HawkSignature {
  /** The `Authorization` header value. */
  header: string;
  /** What the response's `Server-Authorization` is checked against. */
  artifacts: Hawk.crypto.Artifacts;
}

function hawkCredentials(key: HawkKey): Hawk.client.Credentials {
  return { id: key.id, key: key.key, algorithm: 'sha256' };
}

/**
 * Signs one request with Hawk 1.0 (sha256) — a pure function of its input, so a fixed timestamp
 * and nonce give a fixed header. The MAC covers `resource` exactly as given; unlike
 * `Hawk.client.header(url, …)` nothing parses or re-encodes it.
 */
export function signHawkRequest(input: HawkRequestToSign): HawkSignature {
  const credentials = hawkCredentials(input.credentials);
  const hash =
    input.payload === undefined
      ? undefined
      : hawk().crypto.calculatePayloadHash(input.payload.body, 'sha256', input.payload.contentType);
  const artifacts: Hawk.crypto.Artifacts = {
    ts: String(input.timestampSec),
    nonce: input.nonce,
    method: input.method.toUpperCase(),
    resource: input.resource,
    host: input.host,
    port: input.port,
    ...(hash === undefined ? {} : { hash }),
    ext: input.ext,
  };
  const mac = hawk().crypto.calculateMac('header', credentials, artifacts);
  const header =
    `Hawk id="${input.credentials.id}", ts="${artifacts.ts}", nonce="${artifacts.nonce}"` +
    `${hash === undefined ? '' : `, hash="${hash}"`}, ext="${input.ext}", mac="${mac}"`;
  return { header, artifacts };
}

/** A fresh random nonce (8 URL-safe characters); every attempt gets its own (D2). */
export function newNonce(): string {
  return randomBytes(6).toString('base64url');
}

/**
 * Checks a 2xx response's `Server-Authorization` (spec §1.4) with the reference implementation:
 * the response MAC over the request's artifacts and the payload hash of the body. Returns null
 * when authentic, else the reason (e.g. `Bad response mac`, `Missing Server-Authorization header`).
 */
export function responseAuthenticationProblem(
  headers: Record<string, string>,
  body: string | Buffer,
  key: HawkKey,
  artifacts: Hawk.crypto.Artifacts,
): string | null {
  try {
    hawk().client.authenticate({ headers } as unknown as IncomingMessage, hawkCredentials(key), artifacts, {
      // hawk feeds the payload to hash.update(), which takes the raw bytes as well as a string:
      // a large body is hashed without first being decoded into one big string.
      payload: body as string,
      required: true,
    });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Hawk header attributes by name (`Hawk ts="1", tsm="…", error="…"` → `{ts, tsm, error}`). */
export function parseHawkAttributes(header: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (!/^hawk\b/i.test(header.trim())) return attributes;
  for (const match of header.matchAll(/(\w+)="([^"\\]*)"/g)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined && !(name in attributes)) attributes[name] = value;
  }
  return attributes;
}

/**
 * Reads a stale-timestamp challenge (D1): a `WWW-Authenticate` carrying `ts` and `tsm`. Returns
 * the server's time in milliseconds only if `tsm` is base64(HMAC-SHA256(key, "hawk.1.ts\n<ts>\n"))
 * under our own key — an unauthenticated time is never trusted — else undefined.
 */
export function verifiedServerTime(wwwAuthenticate: string | undefined, key: HawkKey): number | undefined {
  if (wwwAuthenticate === undefined) return undefined;
  const { ts, tsm } = parseHawkAttributes(wwwAuthenticate);
  if (ts === undefined || tsm === undefined || !/^\d{1,13}$/.test(ts)) return undefined;
  const expected = Buffer.from(hawk().crypto.calculateTsMac(ts, hawkCredentials(key)));
  const given = Buffer.from(tsm);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  return Number(ts) * 1000;
}
