import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Real network conditions for the connectivity tests, all on 127.0.0.1. */

const tlsDir = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));

/** The path of a file of test/fixtures/tls (see its README). */
export const tlsFixture = (name: string): string => `${tlsDir}${name}`;

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestServer {
  port: number;
  /** Request targets received (https stub), or the first line of each connection (raw proxy). */
  seen: string[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<TestServer & { seen: string[] }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An https server presenting a fixture certificate (with `key.pem`) that answers every request 404. */
export async function startHttpsStub(certificate: string): Promise<TestServer> {
  const seen: string[] = [];
  const server = createHttpsServer(
    { key: readFileSync(tlsFixture('key.pem')), cert: readFileSync(tlsFixture(certificate)) },
    (req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":["Not found"]}');
    },
  );
  server.on('tlsClientError', () => {});
  const running = await listen(server as unknown as Server);
  return { ...running, seen };
}

/**
 * A proxy that answers every request and every CONNECT with `status` and closes: 407 is a proxy
 * refusing its credentials, 502 one that cannot reach the target.
 */
export async function startRefusingProxy(status: 407 | 502): Promise<TestServer> {
  const seen: string[] = [];
  const phrase = status === 407 ? 'Proxy Authentication Required' : 'Bad Gateway';
  const server = createTcpServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (head: Buffer) => {
      seen.push(head.toString('latin1').split('\r\n')[0] ?? '');
      const auth = status === 407 ? 'proxy-authenticate: Basic realm="proxy"\r\n' : '';
      socket.end(`HTTP/1.1 ${status} ${phrase}\r\n${auth}content-length: 0\r\nconnection: close\r\n\r\n`);
    });
  });
  const running = await listen(server);
  return { ...running, seen };
}
