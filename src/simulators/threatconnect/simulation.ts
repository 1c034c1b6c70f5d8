import { SimClock } from '../common/clock.ts';
import { FaultInjector } from '../common/faults.ts';
import { type Random, randomFor } from '../common/random.ts';
import { RollingWindowLimiter } from '../common/rate-limit.ts';
import { TcAuthenticator, type TcCredentials } from './auth.ts';
import { Dataset } from './data/dataset.ts';
import { ownerTypes } from './data/model.ts';
import type { ThreatConnectSimOptions } from './options.ts';
import { Renderer } from './render.ts';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function characters(random: Random, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[random.int(0, alphabet.length - 1)];
  return out;
}

/** Seeded credentials shaped like ThreatConnect's (20-digit Access ID; token as in the docs' example). */
function seededCredentials(options: ThreatConnectSimOptions): TcCredentials {
  const random = randomFor(options.seed, 'credentials');
  const accessId = String(random.int(1, 9)) + characters(random, '0123456789', 19);
  const apiKey = characters(random, `${ALPHANUMERIC}+/`, 64);
  const token = `APIV2:${random.int(100, 999)}:${characters(random, ALPHANUMERIC, 6)}:${characters(random, '0123456789', 13)}:${characters(random, `${ALPHANUMERIC}+/`, 43)}=`;
  return {
    accessId: options.accessId ?? accessId,
    apiKey: options.apiKey ?? apiKey,
    token: options.token ?? token,
  };
}

/**
 * The whole simulated ThreatConnect instance: the seeded dataset, the API user's credentials and
 * the controls the admin API turns (clock, faults, rate limit). Transport-free: the HTTP server
 * drives it.
 */
export class ThreatConnectSimulation {
  readonly clock: SimClock;
  readonly dataset: Dataset;
  readonly credentials: TcCredentials;
  readonly authenticator: TcAuthenticator;
  readonly faults: FaultInjector;
  readonly limiter: RollingWindowLimiter;
  readonly renderer: Renderer;
  private readonly requestsByStatus = new Map<number, number>();
  private webBase = 'http://127.0.0.1';

  constructor(
    readonly options: ThreatConnectSimOptions,
    deps: { now?: () => number } = {},
  ) {
    this.clock = new SimClock(deps.now);
    this.dataset = new Dataset(options.seed, options);
    this.credentials = seededCredentials(options);
    this.authenticator = new TcAuthenticator(
      this.credentials,
      this.clock,
      options.skewSeconds,
      options.apiRoot,
    );
    this.faults = new FaultInjector(options.faults, options.seed);
    this.limiter = new RollingWindowLimiter(options.rateLimit, () => this.clock.now());
    this.renderer = new Renderer(options, () => this.webBase);
  }

  /** Where `webLink`s point: the simulator's own URL, known once it listens. */
  setWebBase(url: string): void {
    this.webBase = url;
  }

  countRequest(status: number): void {
    this.requestsByStatus.set(status, (this.requestsByStatus.get(status) ?? 0) + 1);
  }

  /**
   * Ground truth: exactly what a full walk of the API finds (accessible owners only), plus
   * request and fault counters. `perAdversary` maps each adversary id to the sorted union of the
   * ATT&CK technique ids tagged on it and on its associated threats.
   */
  stats(): Record<string, unknown> {
    const { dataset } = this;
    const byType = Object.fromEntries(
      ownerTypes.map((type) => [type, dataset.owners.filter((o) => o.type === type).length]),
    );
    const byOwner: Record<string, number> = {};
    for (const owner of dataset.owners) byOwner[owner.name] = dataset.groupsOf(owner, 'Adversary').length;
    const perAdversary: Record<string, string[]> = {};
    const distinct = new Set<string>();
    let adversaries = 0;
    let associations = 0;
    for (const adversary of dataset.visibleGroups('Adversary')) {
      adversaries++;
      associations += adversary.associated.length;
      const ids = new Set([...adversary.techniques, ...adversary.associated.flatMap((t) => t.techniques)]);
      perAdversary[String(adversary.id)] = [...ids].sort();
      for (const id of ids) distinct.add(id);
    }
    let threats = 0;
    for (const threat of dataset.visibleGroups('Threat')) {
      threats++;
      for (const id of threat.techniques) distinct.add(id);
    }
    const byStatus = Object.fromEntries([...this.requestsByStatus].sort(([a], [b]) => a - b));
    return {
      now: new Date(this.clock.now()).toISOString(),
      owners: { total: dataset.owners.length, byType },
      inaccessibleOwners: dataset.hiddenOwners.map((o) => this.renderer.owner(o)),
      adversaries: { total: adversaries, byOwner },
      threats: { total: threats },
      associations,
      techniques: { distinct: distinct.size, perAdversary },
      requests: { total: [...this.requestsByStatus.values()].reduce((a, b) => a + b, 0), byStatus },
      faultsInjected: this.faults.injected,
    };
  }
}
