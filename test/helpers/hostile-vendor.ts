import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Hawk from 'hawk';
import { tcSignature } from '../../src/simulators/threatconnect/auth.ts';

/**
 * A hostile vendor for tests: a loopback HTTP server that authenticates like Threat Stack (Hawk,
 * and it signs every 2xx with `Server-Authorization` as the real API and the simulator do) and
 * like ThreatConnect (HMAC `TC accessId:signature` over the exact target), so a client accepts
 * its answers as authentic — and whose content is scripted by each test: cycling page tokens,
 * endless pages or bodies, bogus 429 headers, contradictory counts, deep nesting, huge fields.
 */

/** The credentials the hostile vendor accepts. */
export const hostileThreatStack = {
  userId: 'hostile-user',
  apiKey: 'hostile-hawk-key-0123456789',
  orgId: 'org-1',
};
export const hostileThreatConnect = { accessId: '12345678901234567890', apiKey: 'hostile-tc-key-0123456789' };

/** What a script sees of a request. */
export interface HostileRequest {
  vendor: 'threatstack' | 'threatconnect';
  method: string;
  path: string;
  query: URLSearchParams;
  /** The number of authenticated requests before this one. */
  index: number;
}

/**
 * A scripted answer: JSON (`json`) or an exact body text (`raw`), signed when 2xx; or `endless`,
 * a 200 whose chunked body (`prefix`, then `chunk` forever) never ends until the client hangs up.
 */
export type HostileReply =
  | { status?: number; headers?: Record<string, string>; json: unknown }
  | { status?: number; headers?: Record<string, string>; raw: string }
  | { endless: { prefix: string; chunk: string } };

export type HostileScript = (request: HostileRequest) => HostileReply;

export interface HostileVendor {
  url: string;
  /** Every authenticated request target, in order. */
  requests: string[];
  /** Bytes written by endless bodies (to prove a client stopped reading). */
  endlessBytes: number;
  close(): Promise<void>;
}

const HAWK_SKEW_SEC = 10 * 365 * 24 * 3600; // tests move a fake clock freely

async function authenticateHawk(req: IncomingMessage): Promise<Hawk.server.Authentication | null> {
  try {
    return await Hawk.server.authenticate(
      req,
      (id) =>
        (id === hostileThreatStack.userId
          ? { key: hostileThreatStack.apiKey, algorithm: 'sha256', user: id }
          : undefined) as Hawk.server.Credentials,
      { timestampSkewSec: HAWK_SKEW_SEC },
    );
  } catch {
    return null;
  }
}

function tcAuthentic(req: IncomingMessage): boolean {
  const header = req.headers.authorization ?? '';
  const timestamp = req.headers.timestamp;
  if (typeof timestamp !== 'string') return false;
  const expected = tcSignature(hostileThreatConnect.apiKey, req.url ?? '', req.method ?? 'GET', timestamp);
  return header === `TC ${hostileThreatConnect.accessId}:${expected}`;
}

function streamForever(
  res: ServerResponse,
  endless: { prefix: string; chunk: string },
  count: (n: number) => void,
) {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.from(endless.chunk.repeat(Math.max(1, Math.floor(65_536 / endless.chunk.length))));
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) count(chunk.length);
  };
  res.write(endless.prefix);
  res.on('drain', pump);
  pump();
}

function answer(
  res: ServerResponse,
  reply: HostileReply,
  signer: ((payload: string) => string) | undefined,
  count: (n: number) => void,
): void {
  if ('endless' in reply) {
    streamForever(res, reply.endless, count);
    return;
  }
  const status = reply.status ?? 200;
  const body = 'json' in reply ? JSON.stringify(reply.json) : reply.raw;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...reply.headers,
  };
  if (signer !== undefined && status >= 200 && status < 300) headers['server-authorization'] = signer(body);
  res.writeHead(status, headers);
  res.end(body);
}

/** Starts the hostile vendor on 127.0.0.1:0; unauthentic requests get a 401 and never reach the script. */
export async function startHostileVendor(script: HostileScript): Promise<HostileVendor> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const vendor = { endlessBytes: 0 };
  const count = (n: number) => {
    vendor.endlessBytes += n;
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1));
    const method = req.method ?? 'GET';
    const hawk = /^Hawk\s/i.test(req.headers.authorization ?? '') ? await authenticateHawk(req) : null;
    const vendorName = hawk !== null ? 'threatstack' : tcAuthentic(req) ? 'threatconnect' : null;
    if (vendorName === null) {
      answer(res, { status: 401, json: { errors: ['Unauthorized'] } }, undefined, count);
      return;
    }
    const reply = script({ vendor: vendorName, method, path, query, index: requests.length });
    requests.push(target);
    const signer =
      hawk === null
        ? undefined
        : (payload: string) =>
            Hawk.server.header(hawk.credentials, hawk.artifacts, {
              payload,
              contentType: 'application/json',
            });
    answer(res, reply, signer, count);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    get endlessBytes() {
      return vendor.endlessBytes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** JSON nested `depth` levels deep (`[[[…]]]`), as text: JSON.stringify itself would overflow on deep values. */
export function deeplyNested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}
