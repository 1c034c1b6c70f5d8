import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcSim, type TcHarness } from '../../helpers/threatconnect.ts';

type Tag = { name: string; webLink: string };

const NOT_FOUND = { status: 'Failure', message: 'The requested resource was not found' };

describe('ThreatConnect simulator: GET /v2/tags/{tagName} (DD v2/tags/retrieve.rst, §6.5)', () => {
  let h: TcHarness;
  let web: string;
  beforeAll(async () => {
    h = await startTcSim();
    web = `${h.sim.url}/auth/tags/tag.xhtml`;
  });
  afterAll(() => h.close());

  async function tag(path: string): Promise<Tag> {
    return (await h.get<{ tag: Tag }>(path)).tag;
  }

  it('serves each ordinary tag of the owner by its URL-encoded name, as /v2/tags lists it', async () => {
    const listed = await h.listAll<Tag>('/v2/tags', 'tag');
    expect(listed.some((t) => t.name.includes(' '))).toBe(true);
    for (const expected of listed) {
      expect(await tag(`/v2/tags/${encodeURIComponent(expected.name)}`)).toEqual(expected);
    }
  });

  it('answers in the documented shape: data.tag, no resultCount', async () => {
    const name = (await h.listAll<Tag>('/v2/tags', 'tag'))[0]?.name ?? '';
    const response = await h.call(`/v2/tags/${encodeURIComponent(name)}`);
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ status: 'Success', data: { tag: expect.any(Object) } });
  });

  it('scopes ordinary tags to owner=', async () => {
    const community = await h.listAll<Tag>('/v2/tags?owner=Common+Community', 'tag');
    const first = community[0];
    if (!first) throw new Error('Common Community has no tag');
    expect(await tag(`/v2/tags/${encodeURIComponent(first.name)}?owner=Common+Community`)).toEqual(first);
    expect(first.webLink.endsWith('&owner=Common+Community')).toBe(true);
  });

  it('serves ATT&CK tags by their bare technique name, without an owner in the webLink', async () => {
    expect(await tag('/v2/tags/Phishing')).toEqual({
      name: 'T1566 - Phishing',
      webLink: `${web}?tag=Phishing`,
    });
    expect(await tag('/v2/tags/Phishing%3A%20Spearphishing%20Attachment')).toEqual({
      name: 'T1566.001 - Phishing: Spearphishing Attachment',
      webLink: `${web}?tag=Phishing%3A+Spearphishing+Attachment`,
    });
  });

  it.each([
    ['the display name of an ATT&CK tag', '/v2/tags/T1566%20-%20Phishing'],
    ['an unknown name', '/v2/tags/No%20Such%20Tag'],
    ['a name in another case', '/v2/tags/phishing'],
  ])('answers %s with 404', async (_what, path) => {
    const response = await h.call(path);
    expect(response.status).toBe(404);
    expect(response.json()).toEqual(NOT_FOUND);
  });

  it('answers a malformed %-escape with 400 (malformed request, not an unknown tag)', async () => {
    const response = await h.call('/v2/tags/%E0%A4%A');
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ status: 'Failure' });
  });

  it('still requires authentication', async () => {
    const response = await h.call('/v2/tags/Phishing', { key: 'wrong' });
    expect(response.status).toBe(401);
  });
});

describe.each([
  ['bare', 'Phishing'],
  ['legacy', 'T1566 - Phishing - INI - ENT - ATT&CK'],
] as const)('GET /v2/tags/{tagName} with --tag-style %s', (tagStyle, name) => {
  let h: TcHarness;
  beforeAll(async () => {
    h = await startTcSim({ tagStyle });
  });
  afterAll(() => h.close());

  it('fetches by the bare name and names the tag in the configured style', async () => {
    const data = await h.get<{ tag: Tag }>('/v2/tags/Phishing');
    expect(data.tag.name).toBe(name);
    expect(data.tag.webLink).not.toContain('&owner=');
  });
});
