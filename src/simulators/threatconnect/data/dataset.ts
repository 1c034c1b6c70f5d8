import { type DatasetSizes, generateData } from './generate.ts';
import type { Group, GroupKind, Owner } from './model.ts';

/**
 * The generated data with the lookups the routes need. Only groups of accessible owners are
 * "visible": the API never shows the inaccessible owner's groups, by id or by association.
 */
export class Dataset {
  /** Owners the API user can access, ids ascending; the first is the default Organization. */
  readonly owners: Owner[];
  /** Owners that exist but the API user cannot access. */
  readonly hiddenOwners: Owner[];
  private readonly groupsById = new Map<number, Group>();
  private readonly groupsByOwner = new Map<number, Record<GroupKind, Group[]>>();
  private readonly tagsByOwner = new Map<number, string[]>();

  constructor(seed: number, sizes: DatasetSizes) {
    const data = generateData(seed, sizes);
    this.owners = data.owners.filter((o) => o.accessible);
    this.hiddenOwners = data.owners.filter((o) => !o.accessible);
    for (const owner of data.owners) this.groupsByOwner.set(owner.id, { Adversary: [], Threat: [] });
    const tagSets = new Map<number, Set<string>>();
    for (const group of data.groups) {
      this.groupsById.set(group.id, group);
      this.groupsByOwner.get(group.owner.id)?.[group.kind].push(group);
      const tags = tagSets.get(group.owner.id) ?? new Set<string>();
      for (const tag of group.tags) tags.add(tag);
      tagSets.set(group.owner.id, tags);
    }
    for (const [ownerId, tags] of tagSets) this.tagsByOwner.set(ownerId, [...tags].sort());
  }

  /** The API user's own Organization: the scope of every call without `owner=`. */
  get defaultOrganization(): Owner {
    const owner = this.owners[0];
    if (!owner) throw new Error('a dataset always has a default organization');
    return owner;
  }

  /** Any owner, accessible or not, by exact name. */
  ownerNamed(name: string): Owner | undefined {
    return this.owners.find((o) => o.name === name) ?? this.hiddenOwners.find((o) => o.name === name);
  }

  /** Any owner, accessible or not, by id. */
  ownerWithId(id: number): Owner | undefined {
    return this.owners.find((o) => o.id === id) ?? this.hiddenOwners.find((o) => o.id === id);
  }

  /** A visible group of the given kind, or undefined (unknown id, other kind, or inaccessible owner). */
  group(kind: GroupKind, id: number): Group | undefined {
    const group = this.groupsById.get(id);
    return group && group.kind === kind && group.owner.accessible ? group : undefined;
  }

  /** An owner's groups of one kind, ids ascending. */
  groupsOf(owner: Owner, kind: GroupKind): readonly Group[] {
    return this.groupsByOwner.get(owner.id)?.[kind] ?? [];
  }

  /** The names of the ordinary tags an owner's groups carry, sorted (ATT&CK tags are not owner tags). */
  tagsOf(owner: Owner): readonly string[] {
    return this.tagsByOwner.get(owner.id) ?? [];
  }

  /** Every visible group of one kind, ids ascending. */
  *visibleGroups(kind: GroupKind): Generator<Group> {
    for (const owner of this.owners) yield* this.groupsOf(owner, kind);
  }
}
