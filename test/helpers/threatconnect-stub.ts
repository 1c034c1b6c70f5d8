import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import {
  type LoopbackServer,
  sendJson,
  startStubServer,
} from '../../src/connectors/http/testing/loopback.ts';
import {
  ThreatConnectClient,
  type ThreatConnectClientConfig,
} from '../../src/connectors/threatconnect/client.ts';
import { signature } from '../../src/connectors/threatconnect/signer.ts';

/**
 * A scripted ThreatConnect on 127.0.0.1 for client tests: paging edge cases, retries, error
 * classification and signing that the simulator does not (or not deterministically) produce.
 * The stub checks every request's signature over the raw request-target it received; stubs and
 * clients opened here are closed after each test.
 */

export const identity = { accessId: '12345678901234567890', apiKey: 'stub-secret-key-0123456789abcdef' };
export const START_MS = 1_800_000_000_000;

export interface Received {
  target: string;
  pathname: string;
  query: URLSearchParams;
  timestamp: string;
  signedCorrectly: boolean;
}

export type Answer =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | 'reset'
  | 'truncate';
export type Script = (request: Received, index: number) => Answer;

export interface Stub {
  server: LoopbackServer;
  received: Received[];
}

const open: Array<{ close(): Promise<void> }> = [];

/** Closes `closable` after the current test (as every stub and client from here is). */
export function closeAfterTest(closable: { close(): Promise<void> }): void {
  open.push(closable);
}
afterEach(async () => {
  for (const closable of open.splice(0)) await closable.close();
});

export async function startTc(script: Script): Promise<Stub> {
  const received: Received[] = [];
  const server = await startStubServer((req, res) => {
    const target = req.url ?? '';
    const timestamp = String(req.headers.timestamp ?? '');
    const expected = `TC ${identity.accessId}:${signature(target, req.method ?? '', Number(timestamp), identity.apiKey)}`;
    const url = new URL(target, 'http://stub');
    const request = {
      target,
      pathname: url.pathname,
      query: url.searchParams,
      timestamp,
      signedCorrectly: req.headers.authorization === expected,
    };
    received.push(request);
    const answer = request.signedCorrectly
      ? script(request, received.length - 1)
      : { status: 401, body: failure('Signature data did not match expected result') };
    if (answer === 'reset') {
      res.socket?.destroy();
    } else if (answer === 'truncate') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
      res.write('{"status":"Success","data":{"owner":[', () => res.socket?.destroy());
    } else {
      sendJson(res, answer.status, answer.body, answer.headers);
    }
  });
  open.push(server);
  return { server, received };
}

export const success = (data: unknown) => ({ status: 200, body: { status: 'Success', data } });
export const failure = (message: string) => ({ status: 'Failure', message });

export function clientFor(stub: Stub, config: Partial<ThreatConnectClientConfig> = {}, lines?: unknown[]) {
  let now = START_MS;
  const sleeps: number[] = [];
  const logger =
    lines === undefined
      ? undefined
      : pino(
          { level: 'debug' },
          new Writable({
            write(chunk: Buffer, _encoding, done) {
              lines.push(JSON.parse(chunk.toString('utf8')));
              done();
            },
          }),
        );
  const client = new ThreatConnectClient(
    { baseUrl: stub.server.url, apiRoot: '/api', ...identity, ...config },
    {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      random: () => 0.5,
      ...(logger === undefined ? {} : { logger }),
    },
  );
  open.push(client);
  return { client, sleeps };
}

/** Serves `total` owners in id order, honouring resultStart/resultLimit, with resultCount only at 0. */
export function ownerList(total: number, options: { resultCount?: boolean; maxLimit?: number } = {}): Script {
  return ({ query }) => {
    const start = Number(query.get('resultStart') ?? 0);
    const limit = Number(query.get('resultLimit') ?? 100);
    if (limit > (options.maxLimit ?? 10_000)) {
      return {
        status: 400,
        body: failure(
          `The resultStart and resultLimit query parameters must be integers and the maximum value for resultLimit is ${options.maxLimit}`,
        ),
      };
    }
    const owner = Array.from({ length: Math.max(0, Math.min(limit, total - start)) }, (_, i) => ({
      id: start + i + 1,
      name: `Owner ${start + i + 1}`,
      type: 'Community',
    }));
    const withCount = start === 0 && options.resultCount !== false;
    return success({ ...(withCount ? { resultCount: total } : {}), owner });
  };
}
