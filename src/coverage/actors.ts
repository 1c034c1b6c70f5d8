import { VigilError } from '../errors.ts';
import type { JsonValue, StoredEntity, StoredRelationship } from '../graph/types.ts';
import { graphEntities } from '../graph/vocabulary.ts';
import type { GraphStore } from '../store/types.ts';

/** How a technique is attributed to an actor: its own ATT&CK tag, or a tag of one of its threats. */
export interface TechniqueSource {
  via: 'tag' | 'threat';
  tag: string | null;
  threat?: { key: string; name: string };
}

export interface ActorTechnique {
  id: string;
  name: string | null;
  tactics: string[];
  sources: TechniqueSource[];
}

export interface ActorSummary {
  key: string;
  id: JsonValue;
  name: string;
  owner: string | null;
  techniqueCount: number;
  threatCount: number;
  lastSync: { at: string | null; status: string } | null;
}

export interface ActorDetails extends ActorSummary {
  properties: Record<string, JsonValue>;
  attributes: Record<string, JsonValue>;
  threats: Array<{ key: string; name: string; techniques: string[] }>;
  techniques: ActorTechnique[];
}

const str = (value: JsonValue | undefined): string | null => (typeof value === 'string' ? value : null);

/** The threats an actor USES and the techniques it USES directly, from its relationships. */
async function actorLinks(store: GraphStore, actor: StoredEntity) {
  const links = await store.relationshipsOf(actor._key);
  const uses = (toType: string) =>
    links.filter((r) => r._class === 'USES' && r.fromKey === actor._key && r.toType === toType);
  return {
    threats: uses(graphEntities.threatconnectThreat.type),
    techniques: uses(graphEntities.mitreAttackTechnique.type),
  };
}

/** Every technique of an actor (its own tags, then its threats' tags), each with where it came from. */
async function actorTechniques(store: GraphStore, actor: StoredEntity) {
  const { threats, techniques } = await actorLinks(store, actor);
  const found = new Map<string, TechniqueSource[]>();
  const add = (link: StoredRelationship, source: TechniqueSource) =>
    found.set(link.toKey, [...(found.get(link.toKey) ?? []), source]);
  for (const link of techniques) add(link, { via: 'tag', tag: str(link.properties.tag) });
  const threatEntities: Array<{ key: string; name: string; techniques: string[] }> = [];
  for (const threatLink of threats) {
    const threat = await store.getEntity(threatLink.toKey);
    const name = threat?.displayName ?? threatLink.toKey;
    const threatTechniques = (await store.relationshipsOf(threatLink.toKey)).filter(
      (r) =>
        r._class === 'USES' &&
        r.fromKey === threatLink.toKey &&
        r.toType === graphEntities.mitreAttackTechnique.type,
    );
    for (const link of threatTechniques) {
      add(link, { via: 'threat', tag: str(link.properties.tag), threat: { key: threatLink.toKey, name } });
    }
    threatEntities.push({
      key: threatLink.toKey,
      name,
      techniques: threatTechniques.map((t) => t.toKey.replace('mitre:attack:', '')),
    });
  }
  return { found, threats: threatEntities };
}

function createRunLookup(store: GraphStore) {
  const cache = new Map<string, ActorSummary['lastSync']>();
  return async (integrationId: string): Promise<ActorSummary['lastSync']> => {
    if (!cache.has(integrationId)) {
      const [run] = await store.listRuns(integrationId, 1);
      cache.set(integrationId, run ? { at: run.finishedAt ?? run.startedAt, status: run.status } : null);
    }
    return cache.get(integrationId) ?? null;
  };
}

async function summarize(
  store: GraphStore,
  actor: StoredEntity,
  lastSyncOf: (integrationId: string) => Promise<ActorSummary['lastSync']>,
): Promise<ActorSummary & { techniques: Map<string, TechniqueSource[]>; threats: ActorDetails['threats'] }> {
  const { found, threats } = await actorTechniques(store, actor);
  return {
    key: actor._key,
    id: actor.properties.id ?? null,
    name: actor.displayName,
    owner: str(actor.properties.ownerName),
    techniqueCount: found.size,
    threatCount: threats.length,
    lastSync: await lastSyncOf(actor.integrationId),
    techniques: found,
    threats,
  };
}

/** Every threat actor in the graph with its owner, technique count and last sync, by name. */
export async function listThreatActors(store: GraphStore): Promise<ActorSummary[]> {
  const lastSyncOf = createRunLookup(store);
  const actors: ActorSummary[] = [];
  const pageSize = 1000;
  for (let offset = 0; ; offset += pageSize) {
    const page = await store.listEntities({
      type: graphEntities.threatconnectAdversary.type,
      limit: pageSize,
      offset,
    });
    for (const actor of page) {
      const { techniques: _t, threats: _th, ...summary } = await summarize(store, actor, lastSyncOf);
      actors.push(summary);
    }
    if (page.length < pageSize) return actors;
  }
}

/** Finds an actor by ThreatConnect id or by name (case-insensitive); NOT_FOUND or INPUT_INVALID (ambiguous) otherwise. */
async function findActor(store: GraphStore, reference: string): Promise<StoredEntity> {
  if (/^\d+$/.test(reference)) {
    const byId = await store.getEntity(graphEntities.threatconnectAdversary.key(Number(reference)));
    if (byId) return byId;
  }
  const named = await store.listEntities({
    type: graphEntities.threatconnectAdversary.type,
    displayName: reference,
    limit: 20,
  });
  const [only] = named;
  if (named.length === 1 && only) return only;
  if (named.length > 1) {
    throw new VigilError('INPUT_INVALID', `${named.length} threat actors are named '${reference}'.`, {
      hint: `Name one by id: ${named.map((a) => String(a.properties.id)).join(', ')}.`,
    });
  }
  throw new VigilError('NOT_FOUND', `No threat actor '${reference}' in the graph.`, {
    hint: 'Run `vigil actors list` to see the actors synced from ThreatConnect.',
  });
}

/** One actor: its details, attributes, threats and techniques (id, name, tactics, via which tag or threat). */
export async function describeThreatActor(store: GraphStore, reference: string): Promise<ActorDetails> {
  const actor = await findActor(store, reference);
  const summary = await summarize(store, actor, createRunLookup(store));
  const techniques: ActorTechnique[] = [];
  for (const [key, sources] of summary.techniques) {
    const technique = await store.getEntity(key);
    techniques.push({
      id: str(technique?.properties.techniqueId) ?? key.replace('mitre:attack:', ''),
      name: str(technique?.properties.name),
      tactics: Array.isArray(technique?.properties.tactics)
        ? technique.properties.tactics.filter((t) => typeof t === 'string')
        : [],
      sources,
    });
  }
  techniques.sort((a, b) => a.id.localeCompare(b.id));
  const attributes = Object.fromEntries(
    Object.entries(actor.properties)
      .filter(([k]) => k.startsWith('attribute.'))
      .map(([k, v]) => [k.slice(10), v]),
  );
  const { techniques: _t, threats, ...rest } = summary;
  return { ...rest, properties: actor.properties, attributes, threats, techniques };
}
