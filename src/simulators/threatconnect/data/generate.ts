import { type Random, randomFor } from '../../common/random.ts';
import type { Attribute, Group, GroupKind, Owner, OwnerType } from './model.ts';
import { attackTechniques } from './techniques.ts';
import {
  adversaryAdjectives,
  adversaryNouns,
  analystNames,
  communityNames,
  designationPrefixes,
  inaccessibleOwnerName,
  motivations,
  ordinaryTags,
  organizationNames,
  regions,
  reportSources,
  sectors,
  sourceNames,
  threatTemplates,
} from './vocabulary.ts';

/** The first adversary of the default Organization always has this id: the spec's §2.4 example 5. */
export const FIRST_GROUP_ID = 12345;

/** Seeded dates fall in this span, so they are in the past for any clock a test sets (even 2023-11-14). */
const EARLIEST_MS = Date.UTC(2016, 0, 1);
const LATEST_MS = Date.UTC(2023, 5, 30);
const LAST_MODIFIED_MAX_MS = Date.UTC(2023, 9, 31);
const DAY_MS = 86_400_000;

/** Adversaries the inaccessible owner holds (never visible through the API). */
const HIDDEN_ADVERSARIES = 3;
/** Chance that an adversary also uses the first threat of the adversary before it (a shared threat). */
const SHARED_THREAT_CHANCE = 0.2;

export interface DatasetSizes {
  owners: number;
  adversaries: number;
  threatsPerAdversary: number;
  /** One more adversary of the default Organization with exactly these techniques (a campaign scenario). */
  campaignAdversary?: CampaignAdversary | undefined;
}

/**
 * An adversary whose ATT&CK tags a test chooses: `techniques` on the adversary itself,
 * `threatTechniques` on the one threat it uses (none when empty). Ids from the vocabulary.
 */
export interface CampaignAdversary {
  name: string;
  techniques: string[];
  threatTechniques: string[];
}

export interface GeneratedData {
  /** Accessible owners (the default Organization first), then the inaccessible one; ids ascending. */
  owners: Owner[];
  /** Every group, ids ascending. */
  groups: Group[];
}

function ownerName(type: OwnerType, ordinal: number, names: readonly string[]): string {
  return names[ordinal] ?? `${type} ${ordinal + 1}`;
}

/**
 * The default Organization, then Communities and Sources in turn (so every type exists from
 * three owners on; the first Community is `Common Community`), then one inaccessible Community.
 */
export function generateOwners(seed: number, count: number): Owner[] {
  const random = randomFor(seed, 'owners');
  let id = random.int(1, 20);
  const owners: Owner[] = [
    { id, name: random.pick(organizationNames), type: 'Organization', accessible: true },
  ];
  for (let i = 1; i < count; i++) {
    id += random.int(1, 9);
    const type: OwnerType = i % 2 === 1 ? 'Community' : 'Source';
    const ordinal = Math.floor((i - 1) / 2);
    const names = type === 'Community' ? communityNames : sourceNames;
    owners.push({ id, name: ownerName(type, ordinal, names), type, accessible: true });
  }
  id += random.int(1, 9);
  owners.push({ id, name: inaccessibleOwnerName, type: 'Community', accessible: false });
  return owners;
}

function randomTime(random: Random, fromMs = EARLIEST_MS, toMs = LATEST_MS): number {
  const span = Math.max(0, Math.floor((toMs - fromMs) / 1000));
  return fromMs + random.int(0, span) * 1000;
}

/** `count` different items (all of them when there are fewer), in the order drawn. */
function distinct<T>(random: Random, items: readonly T[], count: number): T[] {
  if (count >= items.length) return [...items];
  const chosen = new Set<T>();
  while (chosen.size < count) chosen.add(random.pick(items));
  return [...chosen];
}

function adversaryName(random: Random): string {
  if (random.chance(0.35)) {
    const prefix = random.pick(designationPrefixes);
    return `${prefix}${random.int(1, prefix === 'UNC' ? 5000 : 150)}`;
  }
  return `${random.pick(adversaryAdjectives)} ${random.pick(adversaryNouns)}`;
}

const analystUserNames = analystNames.map(([first, last]) => `${first}.${last}`.toLowerCase());

/** Hands out ascending ids with seeded gaps, like a real instance's shared sequence. */
class IdSequence {
  constructor(
    private next: number,
    private readonly random: Random,
    private readonly maxGap: number,
  ) {}
  take(): number {
    const id = this.next;
    this.next += this.random.int(1, this.maxGap);
    return id;
  }
}

interface GroupContext {
  seed: number;
  groupIds: IdSequence;
  attributeIds: IdSequence;
}

function attribute(ids: IdSequence, random: Random, type: string, value: string, after: number): Attribute {
  const dateAdded = randomTime(random, after, LATEST_MS);
  return {
    id: ids.take(),
    type,
    value,
    dateAdded,
    lastModified: Math.min(dateAdded + random.int(0, 90) * DAY_MS, LAST_MODIFIED_MAX_MS),
    displayed: type === 'Description' || random.chance(0.5),
  };
}

function baseGroup(
  context: GroupContext,
  kind: GroupKind,
  owner: Owner,
  name: string,
  random: Random,
): Group {
  const dateAdded = randomTime(random);
  return {
    id: context.groupIds.take(),
    kind,
    name,
    owner,
    dateAdded,
    lastModified: Math.min(
      dateAdded + random.int(0, 400) * DAY_MS + random.int(0, 86_399) * 1000,
      LAST_MODIFIED_MAX_MS,
    ),
    xid: random.uuid4(),
    createdBy: random.pick(analystUserNames),
    attributes: [],
    tags: [],
    techniques: [],
    associated: [],
  };
}

function techniqueIds(random: Random, min: number, max: number): string[] {
  return distinct(random, attackTechniques, random.int(min, max))
    .map((t) => t.id)
    .sort();
}

function makeAdversary(context: GroupContext, owner: Owner, name: string, random: Random): Group {
  const adversary = baseGroup(context, 'Adversary', owner, name, random);
  const motive = random.pick(motivations);
  adversary.attributes.push(
    attribute(
      context.attributeIds,
      random,
      'Description',
      `${name} is a threat actor tracked by ${owner.name}, associated with ${motive}.`,
      adversary.dateAdded,
    ),
  );
  if (random.chance(0.8)) {
    adversary.attributes.push(
      attribute(context.attributeIds, random, 'Source', random.pick(reportSources), adversary.dateAdded),
    );
  }
  if (random.chance(0.3)) {
    const text = `Activity attributed to ${name} overlaps with earlier reporting on ${motive}.`;
    adversary.attributes.push(
      attribute(context.attributeIds, random, 'Additional Analysis and Context', text, adversary.dateAdded),
    );
  }
  adversary.tags = distinct(random, ordinaryTags, random.int(0, 3)).sort();
  adversary.techniques = techniqueIds(random, 1, 6);
  return adversary;
}

function makeThreat(context: GroupContext, owner: Owner, random: Random): Group {
  const template = random.pick(threatTemplates);
  const techniques = techniqueIds(random, 0, 3);
  let name = template.replace('{sector}', random.pick(sectors)).replace('{region}', random.pick(regions));
  // Some analysts put a technique id in the name; only ever one the threat is tagged with.
  const named = techniques.length > 0 && random.chance(0.25) ? random.pick(techniques) : undefined;
  if (named !== undefined) name = `${name} (${named})`;
  const threat = baseGroup(context, 'Threat', owner, name, random);
  if (random.chance(0.85)) {
    const text = `Observed ${template.split(' ')[0]?.toLowerCase()} activity reported to ${owner.name}.`;
    threat.attributes.push(attribute(context.attributeIds, random, 'Description', text, threat.dateAdded));
  }
  threat.tags = distinct(random, ordinaryTags, random.int(0, 2)).sort();
  threat.techniques = techniques;
  return threat;
}

function associate(adversary: Group, threat: Group): void {
  adversary.associated.push(threat);
  threat.associated.push(adversary);
}

/** Appends one owner's adversaries and their threats to `groups`, in id order. */
function generateOwnerGroups(
  context: GroupContext,
  owner: Owner,
  sizes: { adversaries: number; threatsPerAdversary: number },
  groups: Group[],
): void {
  const usedNames = new Set<string>();
  let previousFirstThreat: Group | undefined;
  for (let i = 0; i < sizes.adversaries; i++) {
    const random = randomFor(context.seed, `adversary:${owner.id}`, i);
    let name = adversaryName(random);
    for (let attempt = 0; usedNames.has(name) && attempt < 5; attempt++) name = adversaryName(random);
    if (usedNames.has(name)) name = `${name} ${i + 1}`;
    usedNames.add(name);
    const adversary = makeAdversary(context, owner, name, random);
    groups.push(adversary);
    const threats = Array.from({ length: sizes.threatsPerAdversary }, () =>
      makeThreat(context, owner, random),
    );
    for (const threat of threats) {
      associate(adversary, threat);
      groups.push(threat);
    }
    if (previousFirstThreat && random.chance(SHARED_THREAT_CHANCE)) associate(adversary, previousFirstThreat);
    previousFirstThreat = threats[0];
  }
}

/**
 * The campaign adversary and its threat, appended after every generated group (the seeded data
 * before them is unchanged), with their own seeded dates, attributes and ids.
 */
function campaignGroups(context: GroupContext, owner: Owner, campaign: CampaignAdversary): Group[] {
  const random = randomFor(context.seed, 'campaign-adversary');
  const adversary = makeAdversary(context, owner, campaign.name, random);
  adversary.techniques = [...new Set(campaign.techniques)].sort();
  if (campaign.threatTechniques.length === 0) return [adversary];
  const threat = makeThreat(context, owner, random);
  threat.techniques = [...new Set(campaign.threatTechniques)].sort();
  associate(adversary, threat);
  return [adversary, threat];
}

/**
 * The whole dataset for a seed: the same seed and sizes always give the same owners, groups,
 * attributes, tags and associations, whatever the clock. Every accessible owner holds
 * `adversaries` adversaries, each with `threatsPerAdversary` threats of its own; about one in
 * five adversaries also uses the first threat of the adversary before it.
 */
export function generateData(seed: number, sizes: DatasetSizes): GeneratedData {
  const owners = generateOwners(seed, sizes.owners);
  const context: GroupContext = {
    seed,
    groupIds: new IdSequence(FIRST_GROUP_ID, randomFor(seed, 'group-ids'), 40),
    attributeIds: new IdSequence(
      randomFor(seed, 'attribute-ids').int(100_000, 200_000),
      randomFor(seed, 'attribute-gaps'),
      5,
    ),
  };
  const groups: Group[] = [];
  for (const owner of owners) {
    const adversaries = owner.accessible
      ? sizes.adversaries
      : Math.min(HIDDEN_ADVERSARIES, sizes.adversaries);
    generateOwnerGroups(
      context,
      owner,
      { adversaries, threatsPerAdversary: sizes.threatsPerAdversary },
      groups,
    );
  }
  const campaign = sizes.campaignAdversary;
  const home = owners[0];
  if (campaign !== undefined && home !== undefined) groups.push(...campaignGroups(context, home, campaign));
  for (const group of groups) group.associated.sort((a, b) => a.id - b.id);
  return { owners, groups };
}
