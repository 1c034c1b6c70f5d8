import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreatConnectSimOptions } from '../../../src/simulators/threatconnect/options.ts';
import { admin, FakeClock, startTcSim, type TcHarness, withoutOrigin } from '../../helpers/threatconnect.ts';

type Owner = { id: number; name: string; type: string };
type Tag = { name: string };
type Group = { id: number; name: string; ownerName: string; tag?: Tag[] };

interface Stats {
  owners: { total: number; byType: Record<string, number> };
  adversaries: { total: number; byOwner: Record<string, number> };
  threats: { total: number };
  associations: number;
  techniques: { distinct: number; perAdversary: Record<string, string[]> };
}

const TECHNIQUE_IDS = /\bT\d{4}(?:\.\d{3})?\b/gi;

/** The technique ids a client finds in tag names (spec §6.5, conformance item 10). */
const techniquesIn = (tags: Tag[] | undefined) =>
  (tags ?? []).flatMap((t) => t.name.match(TECHNIQUE_IDS) ?? []).map((id) => id.toUpperCase());

/** Alternates the two encodings of a space in owner names, as different clients would. */
const encodeOwner = (name: string, i: number) =>
  i % 2 === 0
    ? encodeURIComponent(name)
    : new URLSearchParams({ owner: name }).toString().slice('owner='.length);

/** Walks the whole API the way a sync would, with small pages, and counts what it finds. */
async function walk(h: TcHarness): Promise<Stats> {
  const owners = await h.listAll<Owner>('/v2/owners', 'owner', 2);
  const byType: Record<string, number> = { Organization: 0, Community: 0, Source: 0 };
  const byOwner: Record<string, number> = {};
  const perAdversary: Record<string, string[]> = {};
  const threatIds = new Set<number>();
  let associations = 0;
  for (const [i, owner] of owners.entries()) {
    byType[owner.type] = (byType[owner.type] ?? 0) + 1;
    const scope = `owner=${encodeOwner(owner.name, i)}`;
    const adversaries = await h.listAll<Group>(
      `/v2/groups/adversaries?${scope}&includeTags=true`,
      'adversary',
      7,
    );
    byOwner[owner.name] = adversaries.length;
    const ownerThreats = new Set<number>();
    for (const adversary of adversaries) {
      expect(adversary.ownerName).toBe(owner.name);
      const threats = await h.listAll<Group>(
        `/v2/groups/adversaries/${adversary.id}/groups/threats?includeTags=true`,
        'threat',
        2,
      );
      associations += threats.length;
      for (const threat of threats) {
        threatIds.add(threat.id);
        ownerThreats.add(threat.id);
      }
      const ids = new Set([...techniquesIn(adversary.tag), ...threats.flatMap((t) => techniquesIn(t.tag))]);
      perAdversary[String(adversary.id)] = [...ids].sort();
    }
    const listed = await h.listAll<Group>(`/v2/groups/threats?${scope}`, 'threat', 50);
    expect(new Set(listed.map((t) => t.id))).toEqual(ownerThreats);
  }
  const distinct = new Set(Object.values(perAdversary).flat());
  return {
    owners: { total: owners.length, byType },
    adversaries: { total: Object.keys(perAdversary).length, byOwner },
    threats: { total: threatIds.size },
    associations,
    techniques: { distinct: distinct.size, perAdversary },
  };
}

describe.each<Partial<ThreatConnectSimOptions>>([
  { owners: 5, adversaries: 12, threatsPerAdversary: 2, seed: 3 },
  { owners: 3, adversaries: 9, threatsPerAdversary: 4, seed: 11, tagStyle: 'legacy', omitEmptyArrays: true },
])('ThreatConnect simulator: /_sim/stats is what a full walk finds (%o)', (options) => {
  let h: TcHarness;
  let stats: Stats;
  let found: Stats;
  beforeAll(async () => {
    h = await startTcSim(options);
    stats = (await admin<Stats>(h.sim.url, 'GET', '/_sim/stats')).json;
    found = await walk(h);
  });
  afterAll(() => h.close());

  it('owners, by type', () => {
    expect(stats.owners).toEqual(found.owners);
    expect(stats.owners.total).toBe(options.owners);
  });

  it('adversaries per owner and in total', () => {
    expect(stats.adversaries).toEqual(found.adversaries);
    expect(Object.values(stats.adversaries.byOwner)).toEqual(Array(options.owners).fill(options.adversaries));
  });

  it('threats and associations (some threats are shared by two adversaries)', () => {
    expect(stats.threats).toEqual(found.threats);
    expect(stats.associations).toBe(found.associations);
    const owned = (options.owners ?? 0) * (options.adversaries ?? 0) * (options.threatsPerAdversary ?? 0);
    expect(stats.threats.total).toBe(owned);
    expect(stats.associations).toBeGreaterThan(owned);
  });

  it('techniques per adversary: the sorted, de-duplicated union over the adversary and its threats', () => {
    expect(stats.techniques).toEqual(found.techniques);
    for (const ids of Object.values(stats.techniques.perAdversary)) {
      expect(ids.length).toBeGreaterThan(0);
      expect(ids).toEqual([...new Set(ids)].sort());
    }
  });
});

describe('ThreatConnect simulator: determinism', () => {
  const paths = [
    '/v2/owners',
    '/v2/whoami',
    '/v2/groups/adversaries?includeTags=true&includeAttributes=true&includeAdditional=true',
    '/v2/groups/threats?owner=Common+Community&includeTags=true&resultLimit=500',
    '/v2/groups/adversaries/12345/groups?includeTags=true',
    '/v2/tags',
  ];
  let a: TcHarness;
  let b: TcHarness;
  let other: TcHarness;
  beforeAll(async () => {
    // The same seed on clocks years apart gives the same data.
    a = await startTcSim({ seed: 42 }, new FakeClock(Date.UTC(2024, 0, 1)));
    b = await startTcSim({ seed: 42 }, new FakeClock(Date.UTC(2027, 5, 15)));
    other = await startTcSim({ seed: 43 });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await other.close();
  });

  const answers = async (h: TcHarness) =>
    Promise.all(paths.map(async (p) => withoutOrigin(await h.get(p), h.sim.url)));
  const truth = async (h: TcHarness) => {
    const { json } = await admin<Record<string, unknown>>(h.sim.url, 'GET', '/_sim/stats');
    const { requests: _requests, now: _now, ...rest } = json;
    return rest;
  };

  it('the same seed gives the same credentials, data and ground truth', async () => {
    const { url: _a, ...credentialsA } = a.sim.credentials;
    const { url: _b, ...credentialsB } = b.sim.credentials;
    expect(credentialsB).toEqual(credentialsA);
    expect(await answers(b)).toEqual(await answers(a));
    expect(await truth(b)).toEqual(await truth(a));
  });

  it('another seed gives other credentials and other data, with the same shape', async () => {
    expect(other.sim.credentials.accessId).not.toBe(a.sim.credentials.accessId);
    expect(other.sim.credentials.apiKey).not.toBe(a.sim.credentials.apiKey);
    expect(other.sim.credentials.token).not.toBe(a.sim.credentials.token);
    const [mine, theirs] = [await answers(a), await answers(other)];
    expect(theirs[2]).not.toEqual(mine[2]);
    const count = (data: unknown) => ((data as { adversary: unknown[] }).adversary ?? []).length;
    expect(count(theirs[2])).toBe(count(mine[2]));
  });

  it('seeded credentials look like ThreatConnect ones', () => {
    expect(a.sim.credentials.accessId).toMatch(/^[1-9]\d{19}$/);
    expect(a.sim.credentials.apiKey).toMatch(/^[A-Za-z0-9+/]{64}$/);
    expect(a.sim.credentials.token).toMatch(/^APIV2:\d{3}:[A-Za-z0-9]{6}:\d{13}:[A-Za-z0-9+/]{43}=$/);
  });
});
