import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { type AddressInfo, isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { VigilError } from '../errors.ts';

export interface ListenOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** PEM certificate (chain) file; with `tlsKey`, the server speaks HTTPS. */
  tlsCert?: string | undefined;
  /** PEM private key file. */
  tlsKey?: string | undefined;
  /** Allows plain HTTP on an address other than loopback. */
  insecureHttp?: boolean | undefined;
}

/** A server answering on `url` until `close()`. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Whether `host` only ever reaches this machine: `localhost`, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

async function readPem(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new VigilError('CONFIG_INVALID', `Cannot read the TLS ${what} file ${path} (${reason}).`, {
      hint: `Point --tls-${what} at a readable PEM file.`,
    });
  }
}

type Listener = { scheme: 'http'; server: HttpServer } | { scheme: 'https'; server: HttpsServer };

async function createServer(app: FastifyInstance, options: ListenOptions): Promise<Listener> {
  const handler = (
    req: Parameters<FastifyInstance['routing']>[0],
    res: Parameters<FastifyInstance['routing']>[1],
  ) => app.routing(req, res);
  if (options.tlsCert === undefined && options.tlsKey === undefined) {
    if (!isLoopbackHost(options.host) && options.insecureHttp !== true) {
      throw new VigilError(
        'CONFIG_INVALID',
        `Refusing plain HTTP on ${options.host}, which is not a loopback address.`,
        {
          hint: 'Serve HTTPS with --tls-cert and --tls-key, or pass --insecure-http (e.g. behind a TLS-terminating proxy).',
        },
      );
    }
    return { scheme: 'http', server: createHttpServer(handler) };
  }
  if (options.tlsCert === undefined || options.tlsKey === undefined) {
    throw new VigilError('CONFIG_INVALID', 'HTTPS needs both a certificate and a key.', {
      hint: 'Pass --tls-cert and --tls-key together.',
    });
  }
  const [cert, key] = await Promise.all([readPem(options.tlsCert, 'cert'), readPem(options.tlsKey, 'key')]);
  try {
    return { scheme: 'https', server: createHttpsServer({ cert, key }, handler) };
  } catch (error) {
    throw new VigilError('CONFIG_INVALID', 'The TLS certificate and key cannot be used together.', {
      hint: 'Check that --tls-cert and --tls-key are PEM files of one key pair.',
      cause: error,
    });
  }
}

function bind(server: HttpServer | HttpsServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new VigilError('ADDRESS_IN_USE', `Port ${port} on ${host} is already in use.`, {
              hint: 'Choose another --port, or --port 0 for any free port.',
            })
          : error,
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Serves a built app (`buildServer`) on `host:port`: HTTPS with the certificate and key files,
 * else plain HTTP — on loopback only unless `insecureHttp` (CONFIG_INVALID otherwise, before
 * binding). Resolves with the URL once listening (the real port when 0 was asked). `close()`
 * stops the listener, drops open connections and closes the app.
 */
export async function startServer(app: FastifyInstance, options: ListenOptions): Promise<RunningServer> {
  const { scheme, server } = await createServer(app, options);
  await bind(server, options.host, options.port);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${scheme}://${host}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close();
    },
  };
}
