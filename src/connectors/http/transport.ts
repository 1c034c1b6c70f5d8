import type { Dispatcher } from 'undici';
import { type PermanentFailure, permanentFailureOf } from './permanent-failures.ts';

/** One HTTP request as it goes on the wire. */
export interface HttpRequest {
  method: string;
  /** `protocol://host:port` */
  origin: string;
  /** The exact request target (`/path?query`), sent byte for byte; never re-encoded. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A whole response: status, lower-cased headers, and the complete body. */
export interface HttpResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
  /** The body decoded as UTF-8 (on first use). */
  readonly text: string;
  /** True when the response declared a Content-Length and the body had exactly that many bytes. */
  lengthVerified: boolean;
}

/** Why an attempt produced no usable response. */
export type TransportFailureKind = 'timeout' | 'connection' | 'truncated';

/**
 * A failure below HTTP: no answer in time, no connection, or a body cut short. Retryable unless
 * `permanent` says it is a DNS failure, a refused connection or a TLS refusal.
 */
export class TransportError extends Error {
  /** Set when another attempt cannot help (see `permanent-failures.ts`). */
  readonly permanent: PermanentFailure | undefined;

  constructor(
    readonly kind: TransportFailureKind,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransportError';
    this.permanent = kind === 'connection' ? permanentFailureOf(options.cause) : undefined;
  }
}

/** The default ceiling of one response body: far above the largest real page of either vendor. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** A size in MiB as messages show it (`64`, `0.5`). */
export function formatMiB(bytes: number): string {
  return String(Math.round((bytes / (1024 * 1024)) * 100) / 100);
}

/**
 * A response body larger than the caller's ceiling. Not a `TransportError`: an endless or huge
 * body is the vendor's answer, not a network hiccup, so it is never retried.
 */
export class ResponseTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the response body exceeded ${formatMiB(limitBytes)} MiB`);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * Reads a body chunk by chunk, giving up (and dropping the connection) past `maxBytes`. With a
 * declared length (`expected`, already checked against `maxBytes`) the chunks are copied into one
 * buffer of that size as they come, so a page of tens of megabytes is never held twice (chunks and
 * their concatenation); a body longer or shorter than declared falls back to concatenation and the
 * caller reports the mismatch.
 */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
  expected: number,
): Promise<Buffer> {
  const whole = Number.isInteger(expected) && expected > 0 ? Buffer.allocUnsafe(expected) : undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    if (size + buffer.length > maxBytes) {
      body.destroy();
      throw new ResponseTooLargeError(maxBytes);
    }
    if (whole !== undefined && chunks.length === 0 && size + buffer.length <= whole.length) {
      buffer.copy(whole, size);
    } else {
      if (whole !== undefined && chunks.length === 0) chunks.push(whole.subarray(0, size));
      chunks.push(buffer);
    }
    size += buffer.length;
  }
  if (chunks.length > 0) return Buffer.concat(chunks, size);
  return whole === undefined ? Buffer.alloc(0) : whole.subarray(0, size);
}

const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  return code === undefined || message.includes(code) ? message : `${message} (${code})`;
}

function toTransportError(
  error: unknown,
  phase: 'connection' | 'truncated',
  timedOut: boolean,
  timeoutMs: number,
) {
  if (timedOut || timeoutCodes.has(errorCode(error) ?? '')) {
    return new TransportError('timeout', `no complete answer within ${timeoutMs} ms`, { cause: error });
  }
  const what = phase === 'connection' ? 'the connection failed' : 'the response body was cut short';
  return new TransportError(phase, `${what}: ${describe(error)}`, { cause: error });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/**
 * Sends one request with undici and reads the whole body, within `timeoutMs` in total (connect,
 * headers and body). The path is handed to undici as given, so a signature over it stays valid.
 * Any HTTP status resolves; a failure below HTTP rejects with a `TransportError`: `timeout`,
 * `connection` (refused, reset, hang-up) or `truncated` (the body ended early, or its length
 * differs from Content-Length). A body (declared or read) above `maxBodyBytes` rejects with a
 * `ResponseTooLargeError` without reading past the limit.
 */
export async function sendOnce(
  dispatcher: Dispatcher,
  request: HttpRequest,
  timeoutMs: number,
  maxBodyBytes: number = DEFAULT_MAX_RESPONSE_BYTES,
): Promise<HttpResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    let data: Dispatcher.ResponseData;
    try {
      data = await dispatcher.request({
        origin: request.origin,
        path: request.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: controller.signal,
      });
    } catch (error) {
      throw toTransportError(error, 'connection', controller.signal.aborted, timeoutMs);
    }
    const headers = flattenHeaders(data.headers);
    const declared = headers['content-length'] === undefined ? Number.NaN : Number(headers['content-length']);
    const bodyExpected = request.method !== 'HEAD' && data.statusCode !== 204 && data.statusCode !== 304;
    if (bodyExpected && declared > maxBodyBytes) {
      data.body.destroy();
      throw new ResponseTooLargeError(maxBodyBytes);
    }
    let body: Buffer;
    try {
      body = await readCapped(data.body, maxBodyBytes, bodyExpected ? declared : Number.NaN);
    } catch (error) {
      if (error instanceof ResponseTooLargeError) throw error;
      throw toTransportError(error, 'truncated', controller.signal.aborted, timeoutMs);
    }
    if (bodyExpected && Number.isInteger(declared) && declared !== body.length) {
      throw new TransportError(
        'truncated',
        `the response body was cut short: received ${body.length} of ${declared} bytes`,
      );
    }
    let text: string | undefined;
    return {
      status: data.statusCode,
      headers,
      body,
      // Decoded on first use only: a large page may never need its whole text at once.
      get text() {
        text ??= body.toString('utf8');
        return text;
      },
      lengthVerified: Number.isInteger(declared),
    };
  } finally {
    clearTimeout(timer);
  }
}
