import type { AttackCatalogue } from '../../attack/catalogue.ts';
import { resolveTechniqueTag } from '../../attack/catalogue.ts';
import { relationship } from '../../graph/keys.ts';
import type { Entity, JsonValue, Properties, Relationship } from '../../graph/types.ts';
import { graphEntities, graphRelationships } from '../../graph/vocabulary.ts';
import type { TcAttribute, TcGroup, TcOwner, TcTag } from './types.ts';

/** Pure converters from ThreatConnect objects to graph objects (DESIGN.md C4, C7). */

/** The entity types this connector writes (names from the graph vocabulary). */
export const tcTypes = {
  account: graphEntities.threatconnectAccount.type,
  owner: graphEntities.threatconnectOwner.type,
  adversary: graphEntities.threatconnectAdversary.type,
  threat: graphEntities.threatconnectThreat.type,
  technique: graphEntities.mitreAttackTechnique.type,
} as const;

/** The relationship types this connector writes (names from the graph vocabulary). */
export const tcRelationshipTypes = {
  accountHasOwner: graphRelationships.threatconnectAccountHasOwner.type,
  ownerOwnsAdversary: graphRelationships.threatconnectOwnerOwnsAdversary.type,
  adversaryUsesThreat: graphRelationships.threatconnectAdversaryUsesThreat.type,
  adversaryUsesTechnique: graphRelationships.threatconnectAdversaryUsesTechnique.type,
  threatUsesTechnique: graphRelationships.threatconnectThreatUsesTechnique.type,
} as const;

export const accountKey = graphEntities.threatconnectAccount.key;
export const ownerKey = graphEntities.threatconnectOwner.key;
export const adversaryKey = graphEntities.threatconnectAdversary.key;
export const threatKey = graphEntities.threatconnectThreat.key;
export const techniqueKey = graphEntities.mitreAttackTechnique.key;

function epochMs(iso: string | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

export function toAccountEntity(host: string): Entity {
  return {
    _key: accountKey(host),
    _type: tcTypes.account,
    _class: graphEntities.threatconnectAccount.class,
    displayName: `ThreatConnect - ${host}`,
    properties: { host, vendor: 'ThreatConnect' },
  };
}

export function toOwnerEntity(owner: TcOwner): Entity {
  return {
    _key: ownerKey(owner.id),
    _type: tcTypes.owner,
    _class: graphEntities.threatconnectOwner.class,
    displayName: owner.name,
    properties: { id: owner.id, name: owner.name, ownerType: owner.type },
    rawData: owner as JsonValue,
  };
}

export function accountHasOwner(host: string, owner: TcOwner): Relationship {
  return relationship({ _key: accountKey(host), _type: tcTypes.account }, 'HAS', {
    _key: ownerKey(owner.id),
    _type: tcTypes.owner,
  });
}

/** A tag sorted into ATT&CK (with its technique) or ordinary. */
export interface ClassifiedTags {
  techniques: Array<{ id: string; tag: string; via: 'id' | 'name' }>;
  ordinary: string[];
}

/**
 * Splits tags into ATT&CK techniques and ordinary tags: an id in the name (`T1566 - Phishing`,
 * legacy `T1566 - Phishing - INI - ENT - ATT&CK`) or, for a bare name, the catalogue's name
 * lookup. A name that is neither stays an ordinary tag.
 */
export function classifyTags(tags: readonly TcTag[], catalogue: AttackCatalogue): ClassifiedTags {
  const techniques: ClassifiedTags['techniques'] = [];
  const ordinary: string[] = [];
  for (const tag of tags) {
    const resolved = resolveTechniqueTag(tag.name, catalogue);
    if (resolved === null) ordinary.push(tag.name);
    else if (!techniques.some((t) => t.id === resolved.id))
      techniques.push({ id: resolved.id, tag: tag.name, via: resolved.via });
  }
  return { techniques, ordinary };
}

/** Attributes as `attribute.<Type>` properties (several of one type are joined), plus `description`. */
function attributeProperties(attributes: readonly TcAttribute[]): Properties {
  const byType = new Map<string, string[]>();
  for (const attribute of attributes)
    byType.set(attribute.type, [...(byType.get(attribute.type) ?? []), attribute.value]);
  const properties: Properties = {};
  for (const [type, values] of byType)
    properties[`attribute.${type}`] = values.length === 1 ? (values[0] ?? '') : values;
  const description = byType.get('Description')?.[0];
  if (description !== undefined) properties.description = description;
  return properties;
}

function groupProperties(group: TcGroup, tags: ClassifiedTags): Properties {
  return {
    id: group.id,
    name: group.name,
    ownerName: group.ownerName ?? null,
    xid: group.xid ?? null,
    webLink: group.webLink ?? null,
    createdOn: epochMs(group.dateAdded),
    updatedOn: epochMs(group.lastModified),
    tags: tags.ordinary,
    attackTags: tags.techniques.map((t) => t.tag),
    techniqueIds: tags.techniques.map((t) => t.id),
  };
}

export function toAdversaryEntity(
  group: TcGroup,
  attributes: readonly TcAttribute[],
  tags: ClassifiedTags,
): Entity {
  return {
    _key: adversaryKey(group.id),
    _type: tcTypes.adversary,
    _class: graphEntities.threatconnectAdversary.class,
    displayName: group.name,
    properties: { ...groupProperties(group, tags), ...attributeProperties(attributes) },
    rawData: group as JsonValue,
  };
}

export function toThreatEntity(group: TcGroup, tags: ClassifiedTags): Entity {
  return {
    _key: threatKey(group.id),
    _type: tcTypes.threat,
    _class: graphEntities.threatconnectThreat.class,
    displayName: group.name,
    properties: groupProperties(group, tags),
    rawData: group as JsonValue,
  };
}

export function ownerOwnsAdversary(owner: TcOwner, adversaryId: number): Relationship {
  return relationship({ _key: ownerKey(owner.id), _type: tcTypes.owner }, 'OWNS', {
    _key: adversaryKey(adversaryId),
    _type: tcTypes.adversary,
  });
}

export function adversaryUsesThreat(adversaryId: number, threatId: number): Relationship {
  return relationship({ _key: adversaryKey(adversaryId), _type: tcTypes.adversary }, 'USES', {
    _key: threatKey(threatId),
    _type: tcTypes.threat,
  });
}

/** The technique entity: name and tactics from the catalogue (an id it does not know keeps a null name). */
export function toTechniqueEntity(id: string, catalogue: AttackCatalogue): Entity {
  const technique = catalogue.get(id);
  return {
    _key: techniqueKey(id),
    _type: tcTypes.technique,
    _class: graphEntities.mitreAttackTechnique.class,
    displayName: technique ? `${technique.id} - ${technique.fullName}` : id,
    properties: {
      techniqueId: id,
      name: technique?.fullName ?? null,
      tactics: technique?.tactics ?? [],
      parentId: technique?.parentId ?? null,
      subTechnique: id.includes('.'),
      webLink: `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`,
      inCatalogue: technique !== undefined,
    },
  };
}

/** adversary or threat USES technique, recording which tag named it and how it was resolved. */
export function usesTechnique(
  from: { _key: string; _type: string },
  technique: ClassifiedTags['techniques'][number],
): Relationship {
  return relationship(
    from,
    'USES',
    { _key: techniqueKey(technique.id), _type: tcTypes.technique },
    {
      tag: technique.tag,
      resolvedBy: technique.via,
    },
  );
}
