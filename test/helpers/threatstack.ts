import { type IncomingHttpHeaders, request } from 'node:http';
import Hawk from 'hawk';
import type { ThreatStackSimOptions } from '../../src/simulators/threatstack/options.ts';
import {
  type RunningThreatStackSimulator,
  startThreatStackSimulator,
} from '../../src/simulators/threatstack/server.ts';

/** A fake wall clock tests move by hand instead of sleeping. */
export class FakeClock {
  constructor(public ms = Date.UTC(2026, 10, 25, 12, 0, 0)) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface HawkIdentity {
  userId: string;
  apiKey: string;
  orgId: string;
}

export interface SimResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  artifacts: Hawk.crypto.Artifacts;
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  body?: string;
  contentType?: string;
  /** Sign this path instead of the one sent (to test re-ordered or re-encoded queries). */
  signedPath?: string;
  /** Sign with this key instead of the identity's. */
  key?: string;
  ext?: string | null;
  timestampSec?: number;
  nonce?: string;
  /** Send the body without a payload hash in the Hawk header. */
  omitHash?: boolean;
  /** Replace the whole Authorization header. */
  authorization?: string | null;
}

/**
 * Sends one Hawk-signed request to the simulator with node:http, so that the exact path and
 * query are on the wire (no URL library re-encodes them). Time comes from `clockMs`.
 */
export function hawkRequest(
  baseUrl: string,
  identity: HawkIdentity,
  method: string,
  path: string,
  clockMs: number,
  options: RequestOptions = {},
): Promise<SimResponse> {
  const url = new URL(baseUrl);
  const contentType = options.contentType ?? 'application/json';
  const signed = Hawk.client.header(`${baseUrl}${options.signedPath ?? path}`, method, {
    credentials: { id: identity.userId, key: options.key ?? identity.apiKey, algorithm: 'sha256' },
    ...(options.ext === null ? {} : { ext: options.ext ?? identity.orgId }),
    timestamp: options.timestampSec ?? Math.floor(clockMs / 1000),
    nonce: options.nonce ?? Math.random().toString(36).slice(2, 10),
    ...(options.body !== undefined && !options.omitHash ? { payload: options.body, contentType } : {}),
  });
  const headers: Record<string, string> = {};
  if (options.authorization !== null) headers.authorization = options.authorization ?? signed.header;
  if (options.body !== undefined) headers['content-type'] = contentType;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: Number(url.port), method, path, headers, agent: false },
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
            artifacts: signed.artifacts,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Verifies the response's Server-Authorization as a client would (throws if it is not authentic). */
export function verifyServerAuthorization(response: SimResponse, identity: HawkIdentity): void {
  Hawk.client.authenticate(
    { headers: response.headers } as Parameters<typeof Hawk.client.authenticate>[0],
    { id: identity.userId, key: identity.apiKey, algorithm: 'sha256' },
    response.artifacts,
    { payload: response.text, required: true },
  );
}

/** Calls the loopback admin API. */
export async function admin<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, json: (await response.json()) as T };
}

export interface SimHarness {
  sim: RunningThreatStackSimulator;
  clock: FakeClock;
  identity: HawkIdentity;
  /** GET (or other method) as the admin persona, signed at the fake clock's time. */
  call(method: string, path: string, options?: RequestOptions): Promise<SimResponse>;
  /** Follows tokens until null, returning every item of the list `key`. */
  listAll<T = Record<string, unknown>>(path: string, key: string): Promise<{ items: T[]; pages: number }>;
  close(): Promise<void>;
}

/** Starts a simulator on 127.0.0.1:0 with a fake clock (and no rate limit unless asked). */
export async function startSim(
  options: Partial<ThreatStackSimOptions> = {},
  sleep?: (ms: number) => Promise<void>,
): Promise<SimHarness> {
  const clock = new FakeClock();
  const sim = await startThreatStackSimulator(
    { agents: 120, cves: 60, findingsPerAgent: 4, alerts: 150, rateLimit: 0, ...options },
    { now: clock.now, ...(sleep ? { sleep } : {}) },
  );
  const identity = {
    userId: sim.credentials.userId,
    apiKey: sim.credentials.apiKey,
    orgId: sim.credentials.orgId,
  };
  const call = (method: string, path: string, requestOptions?: RequestOptions) =>
    hawkRequest(sim.url, identity, method, path, clock.now(), requestOptions);
  return {
    sim,
    clock,
    identity,
    call,
    async listAll<T>(path: string, key: string) {
      const items: T[] = [];
      let pages = 0;
      let token: string | null = null;
      do {
        const separator = path.includes('?') ? '&' : '?';
        const response = await call('GET', token === null ? path : `${path}${separator}token=${token}`);
        if (response.status !== 200) throw new Error(`GET ${path} → ${response.status} ${response.text}`);
        const page = response.json<Record<string, unknown>>();
        items.push(...(page[key] as T[]));
        token = page.token as string | null;
        pages++;
      } while (token !== null);
      return { items, pages };
    },
    close: () => sim.close(),
  };
}
