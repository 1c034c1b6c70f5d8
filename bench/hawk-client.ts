import { Agent, request } from 'node:http';
import Hawk from 'hawk';

export interface Credentials {
  url: string;
  userId: string;
  apiKey: string;
  orgId: string;
}

/** A minimal keep-alive Hawk GET client for benchmarks (the product client lives in src/connectors). */
export function createBenchClient(credentials: Credentials) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const base = new URL(credentials.url);
  let requests = 0;
  let bytes = 0;

  const get = (path: string): Promise<Record<string, unknown>> => {
    const { header } = Hawk.client.header(`${credentials.url}${path}`, 'GET', {
      credentials: { id: credentials.userId, key: credentials.apiKey, algorithm: 'sha256' },
      ext: credentials.orgId,
    });
    requests++;
    return new Promise((resolve, reject) => {
      const req = request(
        { host: base.hostname, port: Number(base.port), path, agent, headers: { authorization: header } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            bytes += body.length;
            if (res.statusCode !== 200)
              reject(new Error(`GET ${path} → ${res.statusCode} ${body.toString()}`));
            else resolve(JSON.parse(body.toString('utf8')) as Record<string, unknown>);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  };

  /** Reads every page of a list; returns the number of items. */
  const drain = async (path: string, key: string): Promise<number> => {
    let items = 0;
    let token: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = await get(token === null ? path : `${path}${separator}token=${token}`);
      items += (page[key] as unknown[]).length;
      token = page.token as string | null;
    } while (token !== null);
    return items;
  };

  return {
    get,
    drain,
    stats: () => ({ requests, bytes }),
    close: () => agent.destroy(),
  };
}
