import type { Attribute, Group, Owner } from './data/model.ts';
import { techniqueById } from './data/techniques.ts';
import type { TagStyle } from './options.ts';
import type { Includes } from './query.ts';

type Json = Record<string, unknown>;

/** `yyyy-MM-ddTHH:mm:ssZ`, UTC, no milliseconds (spec §4). */
export function tcDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** The v2 name of an ATT&CK tag in a style (D5); sub-technique names are already `<Parent>: <Sub>`. */
export function attackTagName(techniqueId: string, style: TagStyle): string {
  const { id, name, tactic } = techniqueById(techniqueId);
  if (style === 'bare') return name;
  if (style === 'legacy') return `${id} - ${name} - ${tactic} - ENT - ATT&CK`;
  return `${id} - ${name}`;
}

const groupPaths = { Adversary: 'adversary', Threat: 'threat' } as const;

/**
 * Turns simulated objects into v2 JSON (spec §4, §6): list items carry `ownerName`, details an
 * `owner` object; ordinary tags link with `&owner=`, ATT&CK tags without (D5); with
 * `omitEmptyArrays` every empty array key is left out (D4).
 */
export class Renderer {
  constructor(
    private readonly settings: { tagStyle: TagStyle; omitEmptyArrays: boolean },
    private readonly webBase: () => string,
  ) {}

  owner(owner: Owner): Json {
    return { id: owner.id, name: owner.name, type: owner.type };
  }

  /** A group as a list item; `withType` adds `type` (the `/groups` association endpoint). */
  groupSummary(group: Group, includes: Includes, withType = false): Json {
    return this.withIncludes(
      {
        id: group.id,
        name: group.name,
        ...(withType ? { type: group.kind } : {}),
        ownerName: group.owner.name,
        dateAdded: tcDate(group.dateAdded),
        lastModified: tcDate(group.lastModified),
        webLink: this.groupLink(group),
      },
      group,
      includes,
    );
  }

  /** A group as a single object (`data.adversary`, `data.threat`). */
  groupDetail(group: Group, includes: Includes): Json {
    return this.withIncludes(
      {
        id: group.id,
        name: group.name,
        owner: this.owner(group.owner),
        dateAdded: tcDate(group.dateAdded),
        lastModified: tcDate(group.lastModified),
        webLink: this.groupLink(group),
      },
      group,
      includes,
    );
  }

  /** A group's tags: its ordinary tags (sorted), then its ATT&CK tags (by technique id). */
  tags(group: Group): Json[] {
    return [
      ...group.tags.map((name) => this.ordinaryTag(name, group.owner)),
      ...group.techniques.map((id) => this.attackTag(id)),
    ];
  }

  ordinaryTag(name: string, owner: Owner): Json {
    const query = new URLSearchParams({ tag: name, owner: owner.name });
    return { name, webLink: `${this.webBase()}/auth/tags/tag.xhtml?${query}` };
  }

  attackTag(techniqueId: string): Json {
    const query = new URLSearchParams({ tag: techniqueById(techniqueId).name });
    return {
      name: attackTagName(techniqueId, this.settings.tagStyle),
      webLink: `${this.webBase()}/auth/tags/tag.xhtml?${query}`,
    };
  }

  attribute(attribute: Attribute): Json {
    return {
      id: attribute.id,
      type: attribute.type,
      value: attribute.value,
      dateAdded: tcDate(attribute.dateAdded),
      lastModified: tcDate(attribute.lastModified),
      displayed: attribute.displayed,
    };
  }

  /** `data` of a collection: `resultCount` (when given) then the array under its singular key. */
  collection(key: string, page: { resultCount?: number; items: unknown[] }): Json {
    return {
      ...(page.resultCount === undefined ? {} : { resultCount: page.resultCount }),
      ...this.array(key, page.items),
    };
  }

  private array(key: string, items: unknown[]): Json {
    return items.length === 0 && this.settings.omitEmptyArrays ? {} : { [key]: items };
  }

  private groupLink(group: Group): string {
    const path = groupPaths[group.kind];
    return `${this.webBase()}/auth/${path}/${path}.xhtml?${path}=${group.id}`;
  }

  private withIncludes(base: Json, group: Group, includes: Includes): Json {
    return {
      ...base,
      ...(includes.additional ? { xid: group.xid, createdBy: group.createdBy } : {}),
      ...(includes.tags ? this.array('tag', this.tags(group)) : {}),
      ...(includes.attributes
        ? this.array(
            'attribute',
            group.attributes.map((a) => this.attribute(a)),
          )
        : {}),
    };
  }
}
