import type { Logger } from 'pino';
import type { AddIntegrationRequest } from '../app/integrations.ts';
import { startThreatConnectSimulator } from '../simulators/threatconnect/server.ts';
import { startThreatStackSimulator } from '../simulators/threatstack/server.ts';

/** Both vendor simulators as the demo runs them, until `close()`. */
export interface DemoSimulators {
  threatStack: Awaited<ReturnType<typeof startThreatStackSimulator>>;
  threatConnect: Awaited<ReturnType<typeof startThreatConnectSimulator>>;
  close(): Promise<void>;
}

/** The demo's window model: a query time of 1 minute polled every 5 seconds (issue 16). */
export const demoWindow = { queryTimeMinutes: 1, queryIntervalSeconds: 5 } as const;

/**
 * Starts a Threat Stack simulator (60 agents, alerts 5 s after an action, webhooks to whoever is
 * set as their target) and a ThreatConnect simulator (2 owners × 6 actors), on free loopback ports,
 * on the real clock, without rate limits; they log only warnings to `logger`.
 */
export async function startDemoSimulators(logger: Logger): Promise<DemoSimulators> {
  const quiet = logger.child({}, { level: 'warn' });
  const threatStack = await startThreatStackSimulator(
    {
      seed: 7,
      agents: 60,
      offlineRatio: 0.1,
      cves: 120,
      findingsPerAgent: 4,
      alerts: 40,
      rateLimit: 0,
      detectionLatencySeconds: 5,
    },
    { logger: quiet.child({ simulator: 'threatstack' }) },
  );
  try {
    const threatConnect = await startThreatConnectSimulator(
      { seed: 7, owners: 2, adversaries: 6, threatsPerAdversary: 2, rateLimit: 0 },
      { logger: quiet.child({ simulator: 'threatconnect' }) },
    );
    return {
      threatStack,
      threatConnect,
      async close() {
        await Promise.allSettled([threatStack.close(), threatConnect.close()]);
      },
    };
  } catch (error) {
    await threatStack.close();
    throw error;
  }
}

function endpointOf(url: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port),
    protocol: parsed.protocol === 'https:' ? 'https' : 'http',
  };
}

/** The demo's Threat Stack integration over the simulator: its admin's key, the demo window model. */
export function threatStackDemoIntegration(sims: DemoSimulators): AddIntegrationRequest {
  const { credentials } = sims.threatStack;
  return {
    kind: 'threatstack',
    name: 'demo-threatstack',
    apiKey: credentials.apiKey,
    fields: {
      ...endpointOf(credentials.url),
      userId: credentials.userId,
      orgId: credentials.orgId,
      orgName: credentials.orgName,
      requestsPerMinute: 0,
      ...demoWindow,
    },
  };
}

/** The demo's ThreatConnect integration over the simulator (HMAC with its access id and key). */
export function threatConnectDemoIntegration(sims: DemoSimulators): AddIntegrationRequest {
  const { credentials } = sims.threatConnect;
  return {
    kind: 'threatconnect',
    name: 'demo-threatconnect',
    apiKey: credentials.apiKey,
    fields: { ...endpointOf(credentials.url), apiRoot: credentials.apiRoot, accessId: credentials.accessId },
  };
}
