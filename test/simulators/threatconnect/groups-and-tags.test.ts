import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TagStyle } from '../../../src/simulators/threatconnect/options.ts';
import { startTcSim, type TcData, type TcHarness, withoutOrigin } from '../../helpers/threatconnect.ts';

type Tag = { name: string; webLink: string; description?: string };
type Attribute = {
  id: number;
  type: string;
  value: string;
  dateAdded: string;
  lastModified: string;
  displayed: boolean;
};
type Group = Record<string, unknown> & { id: number; name: string; tag?: Tag[]; attribute?: Attribute[] };

const TC_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const TECHNIQUE_ID = /\bT\d{4}(?:\.\d{3})?\b/;
const LIST_KEYS = ['id', 'name', 'ownerName', 'dateAdded', 'lastModified', 'webLink'];
const DETAIL_KEYS = ['id', 'name', 'owner', 'dateAdded', 'lastModified', 'webLink'];

/**
 * A few techniques with their exact ATT&CK names and legacy tactic abbreviations, written here
 * from ATT&CK itself (not from the simulator's vocabulary), to check each tag style exactly.
 */
const known: Record<string, { name: string; tactic: string }> = {
  T1566: { name: 'Phishing', tactic: 'INI' },
  'T1566.001': { name: 'Phishing: Spearphishing Attachment', tactic: 'INI' },
  'T1059.001': { name: 'Command and Scripting Interpreter: PowerShell', tactic: 'EXE' },
  'T1003.001': { name: 'OS Credential Dumping: LSASS Memory', tactic: 'CRA' },
  T1486: { name: 'Data Encrypted for Impact', tactic: 'IMP' },
  'T1071.001': { name: 'Application Layer Protocol: Web Protocols', tactic: 'C&C' },
  T1082: { name: 'System Information Discovery', tactic: 'DIS' },
  'T1021.001': { name: 'Remote Services: Remote Desktop Protocol', tactic: 'LAT' },
};

const isAttackTag = (tag: Tag) => !tag.webLink.includes('&owner=');

/** Every tag of every adversary and threat of the default owner, through the /tags endpoints. */
async function allGroupTags(h: TcHarness): Promise<Map<number, Tag[]>> {
  const tags = new Map<number, Tag[]>();
  for (const kind of ['adversaries', 'threats']) {
    const groups = await h.listAll<Group>(
      `/v2/groups/${kind}`,
      kind === 'adversaries' ? 'adversary' : 'threat',
    );
    for (const group of groups)
      tags.set(group.id, await h.listAll<Tag>(`/v2/groups/${kind}/${group.id}/tags`, 'tag'));
  }
  return tags;
}

describe('ThreatConnect simulator: group shapes, attributes and includes (§4, §6.3, §6.4)', () => {
  let h: TcHarness;
  let orgName: string;
  beforeAll(async () => {
    h = await startTcSim();
    orgName = h.sim.simulation.dataset.defaultOrganization.name;
  });
  afterAll(() => h.close());

  it('list items carry ownerName; details an owner object; dates are yyyy-MM-ddTHH:mm:ssZ; ids are numbers', async () => {
    const list = (await h.get('/v2/groups/adversaries')).adversary as Group[];
    for (const item of list) {
      expect(Object.keys(item)).toEqual(LIST_KEYS);
      expect(typeof item.id).toBe('number');
      expect(item.ownerName).toBe(orgName);
      expect(item.dateAdded).toMatch(TC_DATE);
      expect(item.lastModified).toMatch(TC_DATE);
      expect(String(item.lastModified) >= String(item.dateAdded)).toBe(true);
      expect(item.webLink).toBe(`${h.sim.url}/auth/adversary/adversary.xhtml?adversary=${item.id}`);
    }
    const first = list[0] as Group;
    const detail = (await h.get(`/v2/groups/adversaries/${first.id}`)).adversary as Group;
    expect(Object.keys(detail)).toEqual(DETAIL_KEYS);
    const { ownerName, ...rest } = first;
    expect(detail).toEqual({
      ...rest,
      owner: h.sim.simulation.renderer.owner(h.sim.simulation.dataset.defaultOrganization),
    });
    expect(ownerName).toBe(orgName);
    const threat = ((await h.get('/v2/groups/threats')).threat as Group[])[0] as Group;
    expect(Object.keys(threat)).toEqual(LIST_KEYS);
    expect(threat.webLink).toBe(`${h.sim.url}/auth/threat/threat.xhtml?threat=${threat.id}`);
    expect(Object.keys((await h.get(`/v2/groups/threats/${threat.id}`)).threat as Group)).toEqual(
      DETAIL_KEYS,
    );
  });

  it('every adversary has a Description attribute; attributes have the documented fields, ids ascending', async () => {
    const list = (await h.get('/v2/groups/adversaries')).adversary as Group[];
    const types = new Set<string>();
    for (const adversary of list) {
      const data = await h.get(`/v2/groups/adversaries/${adversary.id}/attributes`);
      const attributes = data.attribute as Attribute[];
      expect(data.resultCount).toBe(attributes.length);
      expect(attributes.map((a) => a.type)).toContain('Description');
      for (const attribute of attributes) {
        types.add(attribute.type);
        expect(Object.keys(attribute)).toEqual([
          'id',
          'type',
          'value',
          'dateAdded',
          'lastModified',
          'displayed',
        ]);
        expect(attribute.dateAdded).toMatch(TC_DATE);
        expect(attribute.value.length).toBeGreaterThan(0);
      }
      const attributeIds = attributes.map((a) => a.id);
      expect(attributeIds).toEqual([...attributeIds].sort((a, b) => a - b));
    }
    expect(types).toEqual(new Set(['Description', 'Source', 'Additional Analysis and Context']));
  });

  it('includeTags / includeAttributes / includeAdditional on a list add exactly what the sub-resources return', async () => {
    const plain = (await h.get('/v2/groups/adversaries')).adversary as Group[];
    const rich = (
      await h.get('/v2/groups/adversaries?includeTags=true&includeAttributes=true&includeAdditional=true')
    ).adversary as Group[];
    expect(rich.map((g) => g.id)).toEqual(plain.map((g) => g.id));
    for (const [i, group] of rich.entries()) {
      expect(Object.keys(group)).toEqual([...LIST_KEYS, 'xid', 'createdBy', 'tag', 'attribute']);
      expect(group).toMatchObject(plain[i] as Group);
      expect(group.tag).toEqual((await h.get(`/v2/groups/adversaries/${group.id}/tags`)).tag);
      expect(group.attribute).toEqual(
        (await h.get(`/v2/groups/adversaries/${group.id}/attributes`)).attribute,
      );
    }
    const spelled = await h.get('/v2/groups/adversaries?includes=tags&includes=attributes,additional');
    expect(spelled.adversary).toEqual(rich);
  });

  it('includeTags on a detail and on the association endpoints carries the ATT&CK tags too (D5)', async () => {
    const detail = (await h.get('/v2/groups/adversaries/12345?includeTags=true')).adversary as Group;
    expect(detail.tag).toEqual((await h.get('/v2/groups/adversaries/12345/tags')).tag);
    expect(detail.tag?.some(isAttackTag)).toBe(true);
    const threats = (await h.get('/v2/groups/adversaries/12345/groups/threats?includeTags=true'))
      .threat as Group[];
    expect(threats.length).toBeGreaterThan(0);
    for (const threat of threats) {
      expect(threat.tag).toEqual((await h.get(`/v2/groups/threats/${threat.id}/tags`)).tag);
    }
    const groups = await h.listAll<Group>('/v2/groups/adversaries', 'adversary');
    let threatAttackTags = 0;
    for (const adversary of groups) {
      const associated = (
        await h.get(`/v2/groups/adversaries/${adversary.id}/groups/threats?includeTags=true`)
      ).threat as Group[];
      threatAttackTags += associated.flatMap((t) => t.tag ?? []).filter(isAttackTag).length;
    }
    expect(threatAttackTags).toBeGreaterThan(0);
  });

  it('/groups lists associated groups under "group" with a type on each; /groups/threats under "threat"', async () => {
    const all = await h.get('/v2/groups/adversaries/12345/groups');
    const threats = await h.get('/v2/groups/adversaries/12345/groups/threats');
    expect(Object.keys(all)).toEqual(['resultCount', 'group']);
    expect(Object.keys(threats)).toEqual(['resultCount', 'threat']);
    const withType = all.group as Group[];
    expect(withType.map((g) => g.type)).toEqual(withType.map(() => 'Threat'));
    expect(withType.map(({ type: _type, ...rest }) => rest)).toEqual(threats.threat);
  });

  it('owner= on an association endpoint narrows the associated items to that owner', async () => {
    const own = await h.get(
      `/v2/groups/adversaries/12345/groups/threats?owner=${encodeURIComponent(orgName)}`,
    );
    expect(own).toEqual(await h.get('/v2/groups/adversaries/12345/groups/threats'));
    expect(await h.get('/v2/groups/adversaries/12345/groups/threats?owner=Common+Community')).toEqual({
      resultCount: 0,
      threat: [],
    });
  });
});

describe.each<TagStyle>(['display', 'bare', 'legacy'])(
  'ThreatConnect simulator: ATT&CK tags in the %s style (D5)',
  (style) => {
    let h: TcHarness;
    let tags: Map<number, Tag[]>;
    beforeAll(async () => {
      h = await startTcSim({ tagStyle: style, adversaries: 30 });
      tags = await allGroupTags(h);
    });
    afterAll(() => h.close());

    it('renders every known technique exactly, with a webLink by bare name and without owner=', async () => {
      const attackTags = [...tags.values()].flat().filter(isAttackTag);
      expect(attackTags.length).toBeGreaterThan(50);
      let seen = 0;
      for (const [id, { name, tactic }] of Object.entries(known)) {
        const expected = {
          display: `${id} - ${name}`,
          bare: name,
          legacy: `${id} - ${name} - ${tactic} - ENT - ATT&CK`,
        }[style];
        const matching = attackTags.filter((t) => t.name === expected);
        if (matching.length > 0) seen++;
        for (const tag of matching) {
          expect(tag).toEqual({
            name: expected,
            webLink: `${h.sim.url}/auth/tags/tag.xhtml?${new URLSearchParams({ tag: name })}`,
          });
        }
      }
      expect(seen).toBeGreaterThanOrEqual(4);
    });

    it('every ATT&CK tag name has the shape of the style', () => {
      const shapes: Record<TagStyle, RegExp> = {
        display: /^T\d{4}(\.\d{3})? - (?!.* - ENT - ATT&CK$).+$/,
        bare: /^[A-Z].+$/,
        legacy: /^T\d{4}(\.\d{3})? - .+ - (INI|EXE|PER|PRI|DEF|CRA|DIS|LAT|COL|C&C|EXF|IMP) - ENT - ATT&CK$/,
      };
      for (const tag of [...tags.values()].flat().filter(isAttackTag)) {
        expect(tag.name).toMatch(shapes[style]);
        expect(TECHNIQUE_ID.test(tag.name)).toBe(style !== 'bare');
        const bareName = new URL(tag.webLink).searchParams.get('tag') ?? '';
        expect(tag.name.includes(bareName)).toBe(true);
        if (/^T\d{4}\.\d{3}/.test(tag.name) || (style === 'bare' && bareName.includes(': '))) {
          expect(bareName).toMatch(/^[^:]+: [^:]+$/);
        }
      }
    });

    it('ordinary tags link with &owner= and never look like a technique', () => {
      const ordinary = [...tags.values()].flat().filter((t) => !isAttackTag(t));
      expect(ordinary.length).toBeGreaterThan(0);
      const owner = new URLSearchParams({
        owner: h.sim.simulation.dataset.defaultOrganization.name,
      }).toString();
      for (const tag of ordinary) {
        expect(tag.webLink).toBe(
          `${h.sim.url}/auth/tags/tag.xhtml?${new URLSearchParams({ tag: tag.name })}&${owner}`,
        );
        expect(TECHNIQUE_ID.test(tag.name)).toBe(false);
      }
    });

    it('/v2/tags lists exactly the ordinary tags of the owner, never an ATT&CK tag', async () => {
      const listed = await h.listAll<Tag>('/v2/tags', 'tag', 5);
      const ordinaryNames = new Set(
        [...tags.values()]
          .flat()
          .filter((t) => !isAttackTag(t))
          .map((t) => t.name),
      );
      const attackNames = new Set(
        [...tags.values()]
          .flat()
          .filter(isAttackTag)
          .map((t) => t.name),
      );
      expect(listed.map((t) => t.name)).toEqual([...ordinaryNames].sort());
      for (const tag of listed) {
        expect(attackNames.has(tag.name)).toBe(false);
        expect(tag.webLink).toContain('&owner=');
      }
      const community = await h.listAll<Tag>('/v2/tags?owner=Common+Community', 'tag');
      expect(community.length).toBeGreaterThan(0);
      for (const tag of community) expect(tag.webLink.endsWith('&owner=Common+Community')).toBe(true);
    });
  },
);

describe('ThreatConnect simulator: empty arrays and --omit-empty-arrays (D4)', () => {
  let emitting: TcHarness;
  let omitting: TcHarness;
  let untagged: number;
  let unattributed: number;
  beforeAll(async () => {
    emitting = await startTcSim();
    omitting = await startTcSim({ omitEmptyArrays: true });
    const { dataset } = emitting.sim.simulation;
    const threats = dataset.groupsOf(dataset.defaultOrganization, 'Threat');
    const withoutTags = threats.find((t) => t.tags.length === 0 && t.techniques.length === 0);
    const withoutAttributes = threats.find((t) => t.attributes.length === 0);
    if (!withoutTags || !withoutAttributes)
      throw new Error('the dataset has no threat without tags or attributes');
    untagged = withoutTags.id;
    unattributed = withoutAttributes.id;
  });
  afterAll(async () => {
    await emitting.close();
    await omitting.close();
  });

  it('emits [] by default, and leaves the key out with the switch', async () => {
    const paths: Array<[string, TcData, TcData]> = [
      [`/v2/groups/threats/${untagged}/tags`, { resultCount: 0, tag: [] }, { resultCount: 0 }],
      [
        `/v2/groups/threats/${unattributed}/attributes`,
        { resultCount: 0, attribute: [] },
        { resultCount: 0 },
      ],
      ['/v2/groups/adversaries?filters=name%3DNobody', { resultCount: 0, adversary: [] }, { resultCount: 0 }],
      ['/v2/groups/threats?resultStart=100000', { threat: [] }, {}],
    ];
    for (const [path, emitted, omitted] of paths) {
      expect(await emitting.get(path), path).toEqual(emitted);
      expect(await omitting.get(path), path).toEqual(omitted);
    }
  });

  it('drops an empty inline tag or attribute array from an item, keeping the others', async () => {
    const query = '?includeTags=true&includeAttributes=true';
    for (const id of [untagged, unattributed]) {
      const emitted = withoutOrigin(
        (await emitting.get(`/v2/groups/threats/${id}${query}`)).threat as Group,
        emitting.sim.url,
      );
      const omitted = withoutOrigin(
        (await omitting.get(`/v2/groups/threats/${id}${query}`)).threat as Group,
        omitting.sim.url,
      );
      const expected = Object.fromEntries(
        Object.entries(emitted).filter(([, value]) => !Array.isArray(value) || value.length > 0),
      );
      expect(omitted).toEqual(expected);
    }
    expect(((await emitting.get(`/v2/groups/threats/${untagged}${query}`)).threat as Group).tag).toEqual([]);
    expect(
      ((await omitting.get(`/v2/groups/threats/${untagged}${query}`)).threat as Group).tag,
    ).toBeUndefined();
    const list = (await omitting.get(`/v2/groups/threats${query}&resultLimit=10000`)).threat as Group[];
    expect(list.some((t) => t.tag === undefined)).toBe(true);
    expect(list.some((t) => Array.isArray(t.tag) && t.tag.length > 0)).toBe(true);
    expect(list.every((t) => t.tag === undefined || t.tag.length > 0)).toBe(true);
  });
});
