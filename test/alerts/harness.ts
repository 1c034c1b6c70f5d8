import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ThreatStackClient } from '../../src/connectors/threatstack/client.ts';
import { threatStackSteps } from '../../src/connectors/threatstack/steps.ts';
import type { GraphStore } from '../../src/store/types.ts';
import { runSync } from '../../src/sync/engine.ts';
import type { SyncSummary } from '../../src/sync/types.ts';
import type { SimHarness } from '../helpers/threatstack.ts';

/** A client of the harness simulator on its fake clock (sleeps advance it: no real waits). */
export function simClient(h: SimHarness): ThreatStackClient {
  return new ThreatStackClient(
    { baseUrl: h.sim.url, ...h.identity, requestsPerMinute: 0 },
    { now: h.clock.now, sleep: async (ms) => h.clock.advance(ms) },
  );
}

/** One Threat Stack sync of `integrationId` reading alerts of the last `alertsDays` days. */
export async function syncAlerts(
  h: SimHarness,
  store: GraphStore,
  integrationId: string,
  alertsDays: number,
): Promise<SyncSummary> {
  const client = simClient(h);
  try {
    return await runSync({
      store,
      integrationId,
      steps: threatStackSteps({ orgId: h.identity.orgId, orgName: h.sim.credentials.orgName, alertsDays }),
      client,
      now: h.clock.now,
    });
  } finally {
    await client.close();
  }
}

/** A loopback listener that answers 200 to every POST and hands over the bodies it got, in order. */
export async function startReceiver(): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    close: () =>
      new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
