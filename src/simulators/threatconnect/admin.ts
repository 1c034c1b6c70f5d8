import { type AdminHandler, addControlRoutes, adminOk } from '../common/admin.ts';
import { Router } from '../common/http.ts';
import type { ThreatConnectSimulation } from './simulation.ts';

/** The start-up credentials of a running simulator (what `vigil simulate threatconnect` prints). */
export interface ThreatConnectSimCredentials {
  url: string;
  apiRoot: string;
  accessId: string;
  apiKey: string;
  token: string;
}

/**
 * The loopback-only admin API under /_sim/ (no authentication), documented in the README:
 * ground-truth stats, the credentials, and the shared fault, clock and rate-limit controls.
 */
export function buildAdminRouter(
  credentials: () => ThreatConnectSimCredentials,
): Router<AdminHandler<ThreatConnectSimulation>> {
  const router = new Router<AdminHandler<ThreatConnectSimulation>>()
    .add('GET', '/_sim/stats', (sim) => adminOk(sim.stats()))
    .add('GET', '/_sim/credentials', () => adminOk(credentials()));
  return addControlRoutes(router, (sim) => sim);
}
