import type { AttackCatalogue } from '../attack/catalogue.ts';
import { describeThreatActor, listThreatActors } from '../coverage/actors.ts';
import { readLatestVerdicts } from '../coverage/latest-verdicts.ts';
import { renderMatrixSvg } from '../coverage/matrix-svg.ts';
import {
  type ActorCoverage,
  type ActorCoverageLine,
  type CoverageTotals,
  type LatestVerdict,
  rankActorsByShareMissed,
  rollUpCoverage,
  summarizeActorCoverage,
} from '../coverage/model.ts';
import { type NavigatorLayer, toNavigatorLayer } from '../coverage/navigator.ts';
import { planActorTechniques, type ValidationPlan } from '../coverage/plan.ts';
import { readActorCoverage, readActorsCoverage } from '../coverage/read-coverage.ts';
import { type StixBundle, toStixBundle } from '../coverage/stix.ts';
import { VigilError } from '../errors.ts';
import type { GraphStore, LatestVerdictFilter } from '../store/types.ts';

/** One actor's coverage with its totals (per verdict, per tactic). */
export interface ActorCoverageReport {
  coverage: ActorCoverage;
  totals: CoverageTotals;
}

/**
 * Threat-informed coverage (issue 14): the synced actors, their techniques × the latest
 * validation verdicts, the pictures and exports of it, and action plans of an actor's techniques.
 * Every method taking an actor takes its ThreatConnect id or name (NOT_FOUND, or INPUT_INVALID
 * when a name is ambiguous).
 */
export class CoverageService {
  constructor(
    private readonly store: GraphStore,
    private readonly catalogue: () => AttackCatalogue,
  ) {}

  /** Every threat actor in the graph, by name. */
  actors() {
    return listThreatActors(this.store);
  }

  /** One actor: details, attributes, threats and techniques. */
  actor(reference: string) {
    return describeThreatActor(this.store, reference);
  }

  /**
   * The latest verdict per technique id (see `readLatestVerdicts` for what "latest" means); the
   * monitors compare runs with it.
   */
  latestVerdicts(filter: LatestVerdictFilter = {}): Promise<Map<string, LatestVerdict>> {
    return readLatestVerdicts(this.store, filter);
  }

  /** Every synced actor in one line (techniques, tested, detected, missed), worst covered first. */
  async summary(): Promise<ActorCoverageLine[]> {
    const actors = await listThreatActors(this.store);
    const coverages = await readActorsCoverage(
      this.store,
      actors.map((actor) => referenceOf(actor)),
    );
    return rankActorsByShareMissed(coverages.map(summarizeActorCoverage));
  }

  /** One actor's techniques × latest verdicts, with totals per verdict and per tactic. */
  async ofActor(reference: string): Promise<ActorCoverageReport> {
    const { coverage } = await readActorCoverage(this.store, reference);
    return { coverage, totals: rollUpCoverage(coverage) };
  }

  /** The actor's ATT&CK Enterprise matrix as SVG (`vigil coverage --format svg`, the web UI). */
  async matrixSvg(reference: string): Promise<string> {
    const { coverage } = await readActorCoverage(this.store, reference);
    return renderMatrixSvg(coverage, { attackVersion: this.catalogue().version });
  }

  /** The actor's coverage as an ATT&CK Navigator layer (format 4.5). */
  async navigatorLayer(reference: string): Promise<{ coverage: ActorCoverage; layer: NavigatorLayer }> {
    const { coverage } = await readActorCoverage(this.store, reference);
    return { coverage, layer: toNavigatorLayer(coverage, { attackVersion: this.catalogue().version }) };
  }

  /**
   * The actor's coverage as a STIX 2.1 bundle stamped with `timestamp`, else the actor's last
   * sync (INPUT_INVALID if it never synced).
   */
  async stixBundle(
    reference: string,
    timestamp?: string,
  ): Promise<{ coverage: ActorCoverage; bundle: StixBundle }> {
    const { coverage, lastSyncAt } = await readActorCoverage(this.store, reference);
    const stamp = timestamp ?? lastSyncAt;
    if (stamp === null) {
      throw new VigilError(
        'INPUT_INVALID',
        `${coverage.actor.name} has no sync time to stamp the bundle with.`,
        { hint: 'Give one with --timestamp, e.g. --timestamp 2026-01-31T12:00:00Z.' },
      );
    }
    return { coverage, bundle: toStixBundle(coverage, { timestamp: stamp }) };
  }

  /**
   * The action plan of an actor's techniques (own tags and its threats' tags) on `hosts` (none:
   * the host is given when it runs), in evaluations of at most 100 actions.
   */
  async planForActor(reference: string, hosts: readonly string[] = []): Promise<ValidationPlan> {
    const actor = await describeThreatActor(this.store, reference);
    return planActorTechniques(
      { key: actor.key, name: actor.name, id: actor.id },
      actor.techniques,
      hosts,
      this.catalogue(),
    );
  }
}

/** How to name a listed actor again unambiguously: its ThreatConnect id, else its name. */
function referenceOf(actor: { id: unknown; name: string }): string {
  return typeof actor.id === 'number' || (typeof actor.id === 'string' && /^\d+$/.test(actor.id))
    ? String(actor.id)
    : actor.name;
}
