import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect as connectTcp, type Socket } from 'node:net';

/**
 * Loopback servers for tests of the HTTP layer and the vendor clients: a stub vendor and a
 * forward proxy. Test support only; nothing in the program imports this.
 */

export interface LoopbackServer {
  url: string;
  /** Every request target received, in order (`/path?query`, or absolute-form / CONNECT authority for proxies). */
  seen: string[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });
}

function track(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** A stub server on 127.0.0.1:0 that answers every request with `handler`. */
export async function startStubServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<LoopbackServer> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    void Promise.resolve(handler(req, res)).catch(() => res.destroy());
  });
  const sockets = track(server);
  const url = await listen(server);
  return { url, seen, close: closer(server, sockets) };
}

/** Sends a JSON body with an exact Content-Length. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export interface ForwardProxy extends LoopbackServer {
  /** The `Proxy-Authorization` header of each request or CONNECT ('' when absent). */
  authorizations: string[];
}

function forward(req: IncomingMessage, res: ServerResponse): void {
  const target = new URL(req.url ?? '');
  const headers = { ...req.headers };
  delete headers['proxy-authorization'];
  delete headers['proxy-connection'];
  const upstream = request(
    {
      host: target.hostname,
      port: Number(target.port || 80),
      method: req.method,
      // The raw target after the origin, so nothing is re-encoded on the way.
      path: (req.url ?? '').slice(target.origin.length) || '/',
      headers,
      agent: false,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

/**
 * A minimal HTTP forward proxy on 127.0.0.1:0: absolute-form requests are forwarded, CONNECT
 * opens a TCP tunnel. It records each target and `Proxy-Authorization` it receives.
 */
export async function startForwardProxy(): Promise<ForwardProxy> {
  const seen: string[] = [];
  const authorizations: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    authorizations.push(req.headers['proxy-authorization'] ?? '');
    forward(req, res);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url ?? ''}`);
    authorizations.push(req.headers['proxy-authorization'] ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connectTcp(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  const sockets = track(server);
  const url = await listen(server);
  return { url, seen, authorizations, close: closer(server, sockets) };
}
