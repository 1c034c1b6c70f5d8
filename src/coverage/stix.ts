import { VigilError } from '../errors.ts';
import type { ActorCoverage, CoverageTechnique } from './model.ts';
import { uuidV5 } from './uuid5.ts';
import { describeSource, describeVerdict, isEvidenceLink } from './wording.ts';

/**
 * The namespace of every STIX id Vigil derives (UUIDv5 over a stable name such as
 * `attack-pattern|T1059.004`). Frozen: changing it would change every exported id.
 */
export const vigilStixNamespace = '1dcc8272-0532-4b57-8abf-e961e91e92ca';

type StixId = `${string}--${string}`;

interface StixCommon {
  type: string;
  spec_version: '2.1';
  id: StixId;
  created: string;
  modified: string;
  created_by_ref?: StixId;
}

interface ExternalReference {
  source_name: string;
  external_id?: string;
  url?: string;
  description?: string;
}

export type StixObject = StixCommon & Record<string, unknown>;

/** A STIX 2.1 bundle (`type: bundle`, no spec_version, as 2.1 has it). */
export interface StixBundle {
  type: 'bundle';
  id: StixId;
  objects: StixObject[];
}

const stixId = (type: string, name: string): StixId =>
  `${type}--${uuidV5(`${type}|${name}`, vigilStixNamespace)}`;

/** What every object of one bundle shares: the actor, the observer and the stamp of non-sighting objects. */
interface BundleContext {
  actorKey: string;
  intrusionSetId: StixId;
  observerId: StixId;
  stamp: string;
}

/** The properties every object starts with, in the order of the STIX examples; the id from `type` and `name`. */
function envelope(type: string, name: string, stamp: string, createdBy?: StixId): StixObject {
  return {
    type,
    spec_version: '2.1',
    id: stixId(type, name),
    created: stamp,
    modified: stamp,
    ...(createdBy === undefined ? {} : { created_by_ref: createdBy }),
  };
}

/** An instant as STIX wants it: UTC, millisecond precision; INPUT_INVALID naming `what` otherwise. */
function stixTimestamp(value: string, what: string): string {
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T.*(?:Z|[+-]\d{2}:\d{2})$/i.test(value) || Number.isNaN(time)) {
    throw new VigilError('INPUT_INVALID', `${what} is not an ISO 8601 instant: '${value}'.`, {
      hint: 'Give a date and time with a zone, such as 2026-01-31T12:00:00Z.',
    });
  }
  return new Date(time).toISOString();
}

/** `https://attack.mitre.org/techniques/T1059/004/` for T1059.004. */
export function attackTechniqueUrl(techniqueId: string): string {
  return `https://attack.mitre.org/techniques/${techniqueId.replace('.', '/')}/`;
}

function attackPattern(technique: CoverageTechnique, { stamp, observerId }: BundleContext): StixObject {
  return {
    ...envelope('attack-pattern', technique.id, stamp, observerId),
    name: technique.name ?? technique.id,
    external_references: [
      { source_name: 'mitre-attack', external_id: technique.id, url: attackTechniqueUrl(technique.id) },
    ],
    ...(technique.tactics.length === 0
      ? {}
      : {
          kill_chain_phases: technique.tactics.map((phase_name) => ({
            kill_chain_name: 'mitre-attack',
            phase_name,
          })),
        }),
    x_mitre_is_subtechnique: technique.id.includes('.'),
  };
}

/**
 * A tested technique as a sighting of its attack-pattern by the observer identity: `count` 1 when
 * the defences saw the action (prevented, alerted, detected), 0 when they missed it; the verdict,
 * validation and evidence in the description and in `x_vigil_*` properties. Created, modified,
 * first and last seen are the test time, so the sighting is as stable as the verdict.
 */
function verdictSighting(
  technique: CoverageTechnique & { testedAt: string },
  attackPatternId: StixId,
  observerId: StixId,
): StixObject {
  const at = stixTimestamp(technique.testedAt, `The test time of ${technique.id}`);
  const evidenceReference: ExternalReference[] = isEvidenceLink(technique.evidence)
    ? [{ source_name: 'vigil', description: 'validation evidence', url: technique.evidence }]
    : [];
  return {
    ...envelope('sighting', `${technique.id}|${technique.validationId ?? ''}|${at}`, at, observerId),
    description: `Detection validation of ${technique.id}: ${describeVerdict(technique)}`,
    first_seen: at,
    last_seen: at,
    count: technique.verdict === 'missed' ? 0 : 1,
    sighting_of_ref: attackPatternId,
    where_sighted_refs: [observerId],
    ...(evidenceReference.length === 0 ? {} : { external_references: evidenceReference }),
    x_vigil_verdict: technique.verdict,
    ...(technique.validationId === undefined ? {} : { x_vigil_validation_id: technique.validationId }),
    ...(technique.evidence === undefined ? {} : { x_vigil_evidence: technique.evidence }),
  };
}

function techniqueObjects(technique: CoverageTechnique, context: BundleContext): StixObject[] {
  const { actorKey, intrusionSetId, observerId, stamp } = context;
  const pattern = attackPattern(technique, context);
  const uses: StixObject = {
    ...envelope('relationship', `uses|${actorKey}|${technique.id}`, stamp, observerId),
    relationship_type: 'uses',
    description: `Attributed via ${technique.sources.map(describeSource).join('; ') || 'ThreatConnect'}.`,
    source_ref: intrusionSetId,
    target_ref: pattern.id,
  };
  const { testedAt } = technique;
  if (technique.verdict === 'untested' || testedAt === undefined) return [pattern, uses];
  return [pattern, uses, verdictSighting({ ...technique, testedAt }, pattern.id, observerId)];
}

/**
 * The actor's coverage as a STIX 2.1 bundle: an identity for the observer (Vigil's detection
 * validation, the creator of every object and where sightings happen), an intrusion-set for the
 * actor, per technique an attack-pattern with its `mitre-attack` external reference and kill-chain
 * phases, a `uses` relationship, and for a tested technique a sighting carrying the verdict.
 * Untested techniques have no sighting.
 *
 * Deterministic: ids are UUIDv5 over stable names (actor key, technique id, validation), the
 * identity, intrusion-set, attack-patterns and relationships are stamped with `timestamp` (choose a
 * stable one, e.g. the actor's last sync, so re-exports diff cleanly), sightings with their test
 * time. INPUT_INVALID when a timestamp is not an ISO 8601 instant.
 */
export function toStixBundle(
  coverage: ActorCoverage,
  options: { timestamp: string; observerName?: string },
): StixBundle {
  const stamp = stixTimestamp(options.timestamp, 'The export timestamp');
  const { actor } = coverage;
  const observer: StixObject = {
    ...envelope('identity', 'vigil', stamp),
    name: options.observerName ?? 'Vigil detection validation',
    identity_class: 'system',
  };
  const intrusionSet: StixObject = {
    ...envelope('intrusion-set', actor.key, stamp, observer.id),
    name: actor.name,
    description: `Threat actor synced from ThreatConnect (${actor.key}); techniques from its ATT&CK tags and its threats' tags.`,
    ...(actor.id === null || actor.id === undefined
      ? {}
      : { external_references: [{ source_name: 'threatconnect', external_id: String(actor.id) }] }),
  };
  return {
    type: 'bundle',
    id: stixId('bundle', actor.key),
    objects: [
      observer,
      intrusionSet,
      ...coverage.techniques.flatMap((technique) =>
        techniqueObjects(technique, {
          actorKey: actor.key,
          intrusionSetId: intrusionSet.id,
          observerId: observer.id,
          stamp,
        }),
      ),
    ],
  };
}
