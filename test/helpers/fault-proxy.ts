import { connect, createServer, type Socket } from 'node:net';

/**
 * A loopback TCP proxy that can break the link it carries: `cut` destroys every connection
 * (both sides see a reset), `freeze` stops carrying bytes (connections stay open, new ones are
 * accepted and held), `restore` carries bytes again. After a cut, new connections work.
 */
export interface FaultProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  cut(): void;
  freeze(): void;
  restore(): void;
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket | undefined;
}

/** Starts a proxy on 127.0.0.1:0 forwarding to `target`. */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const links = new Set<Link>();
  let frozen = false;
  const held: Link[] = [];

  const open = (link: Link) => {
    const upstream = connect(target.port, target.host);
    link.upstream = upstream;
    link.client.pipe(upstream);
    upstream.pipe(link.client);
    upstream.on('error', () => link.client.destroy());
    upstream.on('close', () => link.client.destroy());
  };

  const server = createServer((client) => {
    const link: Link = { client, upstream: undefined };
    links.add(link);
    client.on('error', () => link.upstream?.destroy());
    client.on('close', () => {
      link.upstream?.destroy();
      links.delete(link);
    });
    if (frozen) {
      client.pause();
      held.push(link);
    } else {
      open(link);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');

  const cut = () => {
    for (const link of links) {
      link.client.destroy();
      link.upstream?.destroy();
    }
    links.clear();
    held.length = 0;
  };
  return {
    port: address.port,
    cut,
    freeze() {
      frozen = true;
      for (const link of links) {
        link.client.pause();
        link.upstream?.pause();
      }
    },
    restore() {
      frozen = false;
      for (const link of held.splice(0)) if (links.has(link)) open(link);
      for (const link of links) {
        link.client.resume();
        link.upstream?.resume();
      }
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
