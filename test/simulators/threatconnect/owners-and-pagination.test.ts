import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcSim, type TcData, type TcHarness, type TcResponse } from '../../helpers/threatconnect.ts';

type Owner = { id: number; name: string; type: string };
type Item = { id: number; name: string; ownerName: string; dateAdded: string };

const NOT_FOUND = 'The requested resource was not found';
const paginationMessage = (max: number) =>
  `The resultStart and resultLimit query parameters must be integers and the maximum value for resultLimit is ${max}`;

function expectFailure(response: TcResponse, status: number, message: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.json()).toEqual({ status: 'Failure', message });
}

const ids = (items: Array<{ id: number }>) => items.map((i) => i.id);

describe('ThreatConnect simulator: owners and owner scoping (§6.1, §6.2, D1)', () => {
  let h: TcHarness;
  let owners: Owner[];
  beforeAll(async () => {
    h = await startTcSim();
    owners = (await h.get<TcData & { owner: Owner[] }>('/v2/owners')).owner;
  });
  afterAll(() => h.close());

  it('lists the four accessible owners of all three types, the default Organization first, ids ascending', async () => {
    const data = await h.get('/v2/owners');
    expect(Object.keys(data)).toEqual(['resultCount', 'owner']);
    expect(data.resultCount).toBe(4);
    expect(owners.map((o) => o.type)).toEqual(['Organization', 'Community', 'Source', 'Community']);
    expect(owners[1]?.name).toBe('Common Community');
    for (const owner of owners) {
      expect(Object.keys(owner)).toEqual(['id', 'name', 'type']);
      expect(Number.isInteger(owner.id)).toBe(true);
    }
    expect(ids(owners)).toEqual([...ids(owners)].sort((a, b) => a - b));
    expect(owners.map((o) => o.name)).not.toContain('Restricted Partner Exchange');
  });

  it('/v2/owners/mine is the default Organization; /v2/owners/{id} returns one owner with resultCount 1', async () => {
    const org = owners[0] as Owner;
    expect(await h.get('/v2/owners/mine')).toEqual({ resultCount: 1, owner: org });
    for (const owner of owners)
      expect(await h.get(`/v2/owners/${owner.id}`)).toEqual({ resultCount: 1, owner });
  });

  it('/v2/owners/{id}: the inaccessible owner → 403 Access Denied; unknown or non-numeric → 404', async () => {
    const hidden = h.sim.simulation.dataset.hiddenOwners[0];
    expect(hidden?.name).toBe('Restricted Partner Exchange');
    expectFailure(await h.call(`/v2/owners/${hidden?.id}`), 403, 'Access Denied');
    expectFailure(await h.call('/v2/owners/999999'), 404, NOT_FOUND);
    expectFailure(await h.call('/v2/owners/abc'), 404, NOT_FOUND);
  });

  it('/v2/whoami describes the API user', async () => {
    expect(await h.get('/v2/whoami')).toEqual({
      user: {
        userName: h.identity.accessId,
        firstName: expect.any(String),
        lastName: expect.any(String),
        pseudonym: expect.any(String),
        role: 'Api User',
      },
    });
  });

  it('without owner= a list acts in the default Organization only', async () => {
    const adversaries = await h.listAll<Item>('/v2/groups/adversaries', 'adversary');
    expect(adversaries).toHaveLength(20);
    expect(new Set(adversaries.map((a) => a.ownerName))).toEqual(new Set([owners[0]?.name]));
    const threats = await h.listAll<Item>('/v2/groups/threats', 'threat');
    expect(threats).toHaveLength(60);
    expect(new Set(threats.map((t) => t.ownerName))).toEqual(new Set([owners[0]?.name]));
  });

  it('owner=<name> selects the owner, with the space as %20 or + and the parameter name in any case', async () => {
    const percent = await h.get('/v2/groups/adversaries?owner=Common%20Community');
    const plus = await h.get('/v2/groups/adversaries?owner=Common+Community');
    const capital = await h.get('/v2/groups/adversaries?Owner=Common%20Community');
    expect(plus).toEqual(percent);
    expect(capital).toEqual(percent);
    const items = percent.adversary as Item[];
    expect(items).toHaveLength(20);
    expect(new Set(items.map((a) => a.ownerName))).toEqual(new Set(['Common Community']));
    const defaults = (await h.get('/v2/groups/adversaries')).adversary as Item[];
    expect(ids(items).some((id) => ids(defaults).includes(id))).toBe(false);
  });

  it.each(['/v2/groups/adversaries', '/v2/groups/threats', '/v2/tags'])(
    '%s: an unknown owner → 403 not found; the inaccessible owner → 403 Access Denied',
    async (path) => {
      expectFailure(
        await h.call(`${path}?owner=No%20Such%20Owner`),
        403,
        'The requested owner was not found',
      );
      expectFailure(
        await h.call(`${path}?owner=common%20community`),
        403,
        'The requested owner was not found',
      );
      expectFailure(await h.call(`${path}?owner=Restricted+Partner+Exchange`), 403, 'Access Denied');
    },
  );

  it("never shows the inaccessible owner's groups, by id or by association", async () => {
    const { dataset } = h.sim.simulation;
    const hidden = dataset.hiddenOwners[0];
    if (!hidden) throw new Error('no hidden owner');
    const hiddenAdversaries = dataset.groupsOf(hidden, 'Adversary');
    const hiddenThreats = dataset.groupsOf(hidden, 'Threat');
    expect(hiddenAdversaries.length).toBeGreaterThan(0);
    for (const adversary of hiddenAdversaries) {
      expectFailure(await h.call(`/v2/groups/adversaries/${adversary.id}`), 404, NOT_FOUND);
      expectFailure(await h.call(`/v2/groups/adversaries/${adversary.id}/groups/threats`), 404, NOT_FOUND);
    }
    for (const threat of hiddenThreats) {
      expectFailure(await h.call(`/v2/groups/threats/${threat.id}`), 404, NOT_FOUND);
    }
  });
});

describe('ThreatConnect simulator: pagination (D4)', () => {
  let h: TcHarness;
  let legacy: TcHarness;
  let all: Item[];
  beforeAll(async () => {
    // 40 adversaries × 3 threats: 120 threats per owner, more than one default page.
    h = await startTcSim({ adversaries: 40 });
    legacy = await startTcSim({ adversaries: 2, maxResultLimit: 500 });
    all = (await h.get('/v2/groups/threats?resultLimit=10000')).threat as Item[];
  });
  afterAll(async () => {
    await h.close();
    await legacy.close();
  });

  it('orders by id ascending and defaults to 100 items from 0 with resultCount', async () => {
    expect(all).toHaveLength(120);
    expect(ids(all)).toEqual([...ids(all)].sort((a, b) => a - b));
    expect(new Set(ids(all)).size).toBe(120);
    const first = await h.get('/v2/groups/threats');
    expect(first.resultCount).toBe(120);
    expect(ids(first.threat as Item[])).toEqual(ids(all.slice(0, 100)));
  });

  it('emits resultCount only at resultStart=0, and serves a short last page', async () => {
    const pages = [];
    for (let start = 0; start < 120; start += 50) {
      pages.push(await h.get(`/v2/groups/threats?resultStart=${start}&resultLimit=50`));
    }
    expect(pages.map((p) => (p.threat as Item[]).length)).toEqual([50, 50, 20]);
    expect(Object.keys(pages[0] ?? {})).toEqual(['resultCount', 'threat']);
    expect(pages[0]?.resultCount).toBe(120);
    for (const page of pages.slice(1)) expect(Object.keys(page)).toEqual(['threat']);
    expect(pages.flatMap((p) => ids(p.threat as Item[]))).toEqual(ids(all));
    const explicitZero = await h.get('/v2/groups/threats?resultStart=0&resultLimit=1');
    expect(explicitZero.resultCount).toBe(120);
  });

  it('a resultStart past the end → 200 with an empty array and no resultCount', async () => {
    expect(await h.get('/v2/groups/threats?resultStart=120')).toEqual({ threat: [] });
    expect(await h.get('/v2/groups/threats?resultStart=5000&resultLimit=10')).toEqual({ threat: [] });
  });

  it('paginates every collection the same way (owners, associations, tags, attributes)', async () => {
    const owners = await h.get('/v2/owners?resultStart=1&resultLimit=2');
    expect(Object.keys(owners)).toEqual(['owner']);
    expect((owners.owner as unknown[]).length).toBe(2);
    const threats = await h.get('/v2/groups/adversaries/12345/groups/threats?resultStart=1&resultLimit=1');
    expect(Object.keys(threats)).toEqual(['threat']);
    expect((threats.threat as unknown[]).length).toBe(1);
    const tags = await h.get('/v2/tags?resultLimit=2');
    expect((tags.tag as unknown[]).length).toBe(2);
    expect(tags.resultCount).toBeGreaterThan(2);
    const attributes = await h.get('/v2/groups/adversaries/12345/attributes?resultStart=0&resultLimit=1');
    expect((attributes.attribute as unknown[]).length).toBe(1);
  });

  it('accepts resultLimit 10000 and refuses 10001 with the message naming 10000', async () => {
    expect((await h.get('/v2/groups/threats?resultLimit=10000')).resultCount).toBe(120);
    expectFailure(await h.call('/v2/groups/threats?resultLimit=10001'), 400, paginationMessage(10_000));
  });

  it('with the legacy switch: 500 accepted, 501 refused with exactly the documented text', async () => {
    expect((await legacy.get('/v2/groups/threats?resultLimit=500')).resultCount).toBe(6);
    const response = await legacy.call('/v2/groups/threats?resultLimit=501');
    expectFailure(
      response,
      400,
      'The resultStart and resultLimit query parameters must be integers and the maximum value for resultLimit is 500',
    );
  });

  it.each([
    'resultLimit=abc',
    'resultLimit=1.5',
    'resultLimit=-1',
    'resultLimit=',
    'resultLimit=1e2',
    'resultLimit=0',
    'resultStart=abc',
    'resultStart=-5',
    'resultStart=2.0',
    'resultStart=0x10',
  ])('%s → 400 with the pagination message', async (query) => {
    expectFailure(await h.call(`/v2/groups/adversaries?${query}`), 400, paginationMessage(10_000));
    expectFailure(await h.call(`/v2/owners?${query}`), 400, paginationMessage(10_000));
  });
});

describe('ThreatConnect simulator: filters, routes and 404s (§6.3, §10)', () => {
  let h: TcHarness;
  let adversaries: Item[];
  beforeAll(async () => {
    h = await startTcSim();
    adversaries = (await h.get('/v2/groups/adversaries')).adversary as Item[];
  });
  afterAll(() => h.close());

  const names = (data: TcData) => ((data.adversary ?? []) as Item[]).map((a) => a.name);

  it('filters=name= matches the exact name, the space encoded as %20 or +', async () => {
    const target = adversaries.find((a) => a.name.includes(' '));
    if (!target) throw new Error('no adversary name with a space');
    const [first, second] = target.name.split(' ');
    const percent = await h.get(`/v2/groups/adversaries?filters=name%3D${first}%20${second}`);
    const plus = await h.get(`/v2/groups/adversaries?filters=name%3D${first}+${second}`);
    expect(names(percent)).toEqual([target.name]);
    expect(plus).toEqual(percent);
    expect((await h.get(`/v2/groups/adversaries?filters=name%3D${first}`)).resultCount).toBe(
      adversaries.filter((a) => a.name === first).length,
    );
  });

  it('filters=name^ matches a prefix, case-sensitively', async () => {
    const prefix = adversaries[0]?.name.slice(0, 3) ?? '';
    const expected = adversaries.filter((a) => a.name.startsWith(prefix)).map((a) => a.name);
    expect(names(await h.get(`/v2/groups/adversaries?filters=name%5E${encodeURIComponent(prefix)}`))).toEqual(
      expected,
    );
    const lower = prefix.toLowerCase();
    const expectedLower = adversaries.filter((a) => a.name.startsWith(lower)).map((a) => a.name);
    expect(names(await h.get(`/v2/groups/adversaries?filters=name%5E${encodeURIComponent(lower)}`))).toEqual(
      expectedLower,
    );
  });

  it('filters=dateAdded< and > compare against a date or a date-time; several filters AND, orParams ORs', async () => {
    const sorted = [...adversaries].sort((a, b) => a.dateAdded.localeCompare(b.dateAdded));
    const middle = sorted[10]?.dateAdded ?? '';
    const after = adversaries.filter((a) => a.dateAdded > middle).map((a) => a.name);
    const before = adversaries.filter((a) => a.dateAdded < middle).map((a) => a.name);
    expect(names(await h.get(`/v2/groups/adversaries?filters=dateAdded%3E${middle}`))).toEqual(after);
    expect(names(await h.get(`/v2/groups/adversaries?filters=dateAdded%3C${middle}`))).toEqual(before);
    const day = middle.slice(0, 10);
    const afterDay = adversaries.filter((a) => a.dateAdded > `${day}T00:00:00Z`).map((a) => a.name);
    expect(names(await h.get(`/v2/groups/adversaries?filters=dateAdded%3E${day}`))).toEqual(afterDay);
    const both = await h.get(`/v2/groups/adversaries?filters=dateAdded%3E${middle},dateAdded%3C${middle}`);
    expect(both).toEqual({ resultCount: 0, adversary: [] });
    const either = await h.get(
      `/v2/groups/adversaries?filters=dateAdded%3E${middle},dateAdded%3C${middle}&orParams=true`,
    );
    expect(either.resultCount).toBe(19);
  });

  it.each(['color%3Dred', 'name%3Ebob', 'dateAdded%3Dyesterday', 'dateAdded%3Enot-a-date', 'name'])(
    'an invalid filter (%s) → 400',
    async (filter) => {
      const response = await h.call(`/v2/groups/adversaries?filters=${filter}`);
      expect(response.status).toBe(400);
      expect(response.json()).toEqual({
        status: 'Failure',
        message: expect.stringMatching(/^Invalid filter: /),
      });
    },
  );

  it('accepts a trailing slash and ignores createActivityLog and unknown parameters', async () => {
    expect(await h.get('/v2/owners/')).toEqual(await h.get('/v2/owners'));
    expect(await h.get('/v2/groups/adversaries/12345/')).toEqual(await h.get('/v2/groups/adversaries/12345'));
    expect(await h.get('/v2/groups/adversaries?createActivityLog=false&color=blue')).toEqual(
      await h.get('/v2/groups/adversaries'),
    );
  });

  it.each([
    '/v2/groups/adversaries/1',
    '/v2/groups/adversaries/abc',
    '/v2/groups/adversaries/99999999/groups/threats',
    '/v2/groups/adversaries/99999999/tags',
    '/v2/groups/threats/12345',
    '/v2/groups/threats/12345/tags',
    '/v2/indicators',
    '/v2',
    '/',
  ])('%s → 404 with the not-found body', async (path) => {
    expectFailure(await h.call(path), 404, NOT_FOUND);
  });

  it('a malformed %-escape in a path parameter → 400 (malformed request, spec §4)', async () => {
    const response = await h.call('/v2/groups/adversaries/%E0%A4%A');
    expect(response.status).toBe(400);
  });

  it('a path outside the API root → 404 (after authentication)', async () => {
    expectFailure(await h.raw('/v2/owners'), 404, NOT_FOUND);
    expectFailure(await h.raw('/apiv2/owners'), 404, NOT_FOUND);
    expectFailure(
      await h.raw('/v2/owners', { key: 'wrong' }),
      401,
      'Signature data did not match expected result',
    );
  });

  it('an associated threat by id: 200 when associated, 404 otherwise', async () => {
    const threats = (await h.get('/v2/groups/adversaries/12345/groups/threats')).threat as Item[];
    const first = threats[0];
    if (!first) throw new Error('adversary 12345 has no threats');
    const detail = await h.get(`/v2/groups/adversaries/12345/groups/threats/${first.id}`);
    expect(detail).toEqual(await h.get(`/v2/groups/threats/${first.id}`));
    const other = (await h.get('/v2/groups/threats?resultLimit=100')).threat as Item[];
    const unrelated = other.find((t) => !threats.some((a) => a.id === t.id));
    expectFailure(
      await h.call(`/v2/groups/adversaries/12345/groups/threats/${unrelated?.id}`),
      404,
      NOT_FOUND,
    );
  });

  it('answers other methods with a 405 failure body', async () => {
    const response = await h.call('/v2/owners', { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.json()).toEqual({ status: 'Failure', message: 'Method not allowed' });
  });
});
