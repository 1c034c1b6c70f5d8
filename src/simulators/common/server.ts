import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VigilError } from '../../errors.ts';
import type { FaultKind } from './faults.ts';

/** One finished HTTP answer, before it is written (so faults and counters can see it first). */
export interface Outcome {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A JSON outcome (`Content-Type: application/json`) with extra headers. */
export function jsonOutcome(status: number, json: unknown, headers: Record<string, string> = {}): Outcome {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(json),
  };
}

/**
 * How long an idle keep-alive connection stays open: 60 s, the idle timeout of the cloud load
 * balancers vendor APIs sit behind. (Node's 5 s default made clients that pause between pages —
 * a sync writing a large page to its database — race the server's close and see resets.)
 */
export const IDLE_CONNECTION_TIMEOUT_MS = 60_000;

/** Binds `server` (with the idle timeout above); a port in use becomes the coded `ADDRESS_IN_USE` error. */
export function listen(server: Server, host: string, port: number): Promise<void> {
  server.keepAliveTimeout = IDLE_CONNECTION_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new VigilError('ADDRESS_IN_USE', `Port ${port} on ${host} is already in use.`, {
              hint: 'Choose another --port, or --port 0 for any free port.',
            })
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** The `http://host:port` a bound server answers on (IPv6 hosts in brackets). */
export function serverUrl(server: Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Stops accepting connections and drops the open ones (keep-alive clients included). */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Waits `ms` without keeping the process alive (the `slow` fault). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Writes an outcome; a `truncate` fault announces the full length but sends half and drops the connection. */
export function writeOutcome(res: ServerResponse, outcome: Outcome, fault: FaultKind | null = null): void {
  const body = Buffer.from(outcome.body);
  res.writeHead(outcome.status, { ...outcome.headers, 'content-length': String(body.length) });
  if (fault === 'truncate' && body.length > 1) {
    // Drop the connection only once the headers and the first half are on the wire (the first
    // write is corked until the next tick, so destroying at once would send nothing at all).
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.end(body);
}
