import { createHmac } from 'node:crypto';
import { type IncomingHttpHeaders, request } from 'node:http';
import type { ThreatConnectSimOptions } from '../../src/simulators/threatconnect/options.ts';
import {
  type RunningThreatConnectSimulator,
  startThreatConnectSimulator,
} from '../../src/simulators/threatconnect/server.ts';
import { admin, FakeClock } from './threatstack.ts';

export { admin, FakeClock };

/** The spec's worked-example credentials (§2.4). */
export const specAccessId = '12345678901234567890';
export const specApiKey = 's3cr3tK3y-Example-0123456789abcdefghij';

/**
 * The ThreatConnect signature written straight from spec §2.2, independently of the simulator:
 * base64(HMAC-SHA256(key = secret's UTF-8 bytes, message = `<path?query>:<METHOD>:<timestamp>`)).
 */
export function signTc(secret: string, target: string, method: string, timestamp: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(`${target}:${method}:${timestamp}`, 'utf8'))
    .digest('base64');
}

export interface TcIdentity {
  accessId: string;
  apiKey: string;
  token: string;
}

export interface TcResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface TcRequestOptions {
  method?: string;
  /** Sign this request-target instead of the one sent (re-encoded queries, a missing API root). */
  signedTarget?: string;
  /** Sign this method instead of the one sent (a lowercase method). */
  signedMethod?: string;
  /** The `Timestamp` header; `null` leaves it out. Default: the clock's seconds. */
  timestamp?: string | null;
  /** Sign with this timestamp instead of the header's. */
  signedTimestamp?: string;
  /** Sign with this secret instead of the identity's. */
  key?: string;
  /** Put this Access ID in the header instead of the identity's. */
  accessId?: string;
  /** Use `TC-Token <token>` instead of HMAC. */
  token?: string;
  /** Replace the whole `Authorization` header (`null` leaves it out). */
  authorization?: string | null;
}

/**
 * Sends one request to the simulator with node:http, so that the exact request-target is on
 * the wire (no URL library re-encodes it), signed per spec §2 at `clockMs` unless told otherwise.
 */
export function tcRequest(
  baseUrl: string,
  identity: TcIdentity,
  target: string,
  clockMs: number,
  options: TcRequestOptions = {},
): Promise<TcResponse> {
  const url = new URL(baseUrl);
  const method = options.method ?? 'GET';
  const timestamp = options.timestamp === undefined ? String(Math.floor(clockMs / 1000)) : options.timestamp;
  const signature = signTc(
    options.key ?? identity.apiKey,
    options.signedTarget ?? target,
    options.signedMethod ?? method,
    options.signedTimestamp ?? timestamp ?? '',
  );
  const headers: Record<string, string> = { accept: 'application/json' };
  if (timestamp !== null && options.token === undefined) headers.timestamp = timestamp;
  const authorization =
    options.token !== undefined
      ? `TC-Token ${options.token}`
      : `TC ${options.accessId ?? identity.accessId}:${signature}`;
  if (options.authorization !== null) headers.authorization = options.authorization ?? authorization;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: Number(url.port), method, path: target, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** `value` with the simulator's own URL (in every `webLink`) replaced, to compare two simulators' answers. */
export function withoutOrigin<T>(value: T, url: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll(url, 'http://simulator')) as T;
}

/** The `data` of a v2 success envelope. */
export type TcData = Record<string, unknown> & { resultCount?: number };

export interface TcHarness {
  sim: RunningThreatConnectSimulator;
  clock: FakeClock;
  identity: TcIdentity;
  /** A request to `path` below the API root (`/v2/owners`), signed at the fake clock's time. */
  call(path: string, options?: TcRequestOptions): Promise<TcResponse>;
  /** A request to an exact request-target (API root included or not, as given). */
  raw(target: string, options?: TcRequestOptions): Promise<TcResponse>;
  /** GET below the API root; throws unless it is a 200 success envelope; returns `data`. */
  get<T extends TcData = TcData>(path: string): Promise<T>;
  /** Every item of a paginated list, following the client loop of spec §5 with `limit` per page. */
  listAll<T = Record<string, unknown>>(path: string, key: string, limit?: number): Promise<T[]>;
  close(): Promise<void>;
}

/** Starts a ThreatConnect simulator on 127.0.0.1:0 whose base clock is a `FakeClock`. */
export async function startTcSim(
  options: Partial<ThreatConnectSimOptions> = {},
  clock: FakeClock = new FakeClock(),
): Promise<TcHarness> {
  const sim = await startThreatConnectSimulator(options, { now: clock.now });
  const identity = {
    accessId: sim.credentials.accessId,
    apiKey: sim.credentials.apiKey,
    token: sim.credentials.token,
  };
  const raw = (target: string, requestOptions?: TcRequestOptions) =>
    tcRequest(sim.url, identity, target, clock.now(), requestOptions);
  const call = (path: string, requestOptions?: TcRequestOptions) =>
    raw(`${sim.apiRoot}${path}`, requestOptions);
  const get = async <T extends TcData>(path: string): Promise<T> => {
    const response = await call(path);
    const body = response.json<{ status?: string; data?: T }>();
    if (response.status !== 200 || body.status !== 'Success' || body.data === undefined) {
      throw new Error(`GET ${path} → ${response.status} ${response.text}`);
    }
    return body.data;
  };
  return {
    sim,
    clock,
    identity,
    call,
    raw,
    get,
    async listAll<T>(path: string, key: string, limit = 100) {
      const items: T[] = [];
      let total: number | undefined;
      for (let start = 0; ; ) {
        const separator = path.includes('?') ? '&' : '?';
        const page = await get(`${path}${separator}resultStart=${start}&resultLimit=${limit}`);
        if (start === 0) total = page.resultCount;
        const pageItems = (page[key] ?? []) as T[];
        items.push(...pageItems);
        start += pageItems.length;
        if (pageItems.length < limit || (total !== undefined && start >= total)) break;
      }
      return items;
    },
    close: () => sim.close(),
  };
}
