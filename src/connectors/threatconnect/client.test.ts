import { Agent, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectItems, vigilFailure } from '../../../test/helpers/async.ts';
import { admin, startTcSim, type TcHarness } from '../../../test/helpers/threatconnect.ts';
import type { ThreatConnectSimOptions } from '../../simulators/threatconnect/server.ts';
import { ThreatConnectClient, type ThreatConnectClientConfig } from './client.ts';
import type { TcGroup, TcTag } from './types.ts';

/** The simulator's ground truth (GET /_sim/stats), as far as these tests read it. */
interface SimStats {
  owners: { total: number };
  inaccessibleOwners: Array<{ id: number; name: string }>;
  adversaries: { total: number; byOwner: Record<string, number> };
  threats: { total: number };
  associations: number;
  techniques: { perAdversary: Record<string, string[]> };
}
interface FaultsView {
  injected: Record<'status500' | 'status429' | 'reset' | 'slow' | 'truncate', number>;
}

/** One request as it left the client: the exact target and the auth headers. */
interface Sent {
  path: string;
  timestamp: string;
  authorization: string;
}

const simStats = async (h: TcHarness) => (await admin<SimStats>(h.sim.url, 'GET', '/_sim/stats')).json;

/** A simulator with a small default dataset, on a fake clock the clients share. */
const startSim = (options: Partial<ThreatConnectSimOptions>) =>
  startTcSim({ owners: 3, adversaries: 6, threatsPerAdversary: 2, ...options });

/** A dispatcher that records every request's target and auth headers as sent. */
function recordingDispatcher(sent: Sent[]): Dispatcher {
  return new Agent().compose((dispatch) => (options, handler) => {
    const headers = (options.headers ?? {}) as Record<string, string>;
    sent.push({
      path: options.path,
      timestamp: headers.Timestamp ?? '',
      authorization: headers.Authorization ?? '',
    });
    return dispatch(options, handler);
  });
}

/**
 * A client on the simulator's credentials; its `sleep` records each wait and moves the shared
 * fake clock. With `sent`, its requests go through a recording dispatcher; `close` closes both.
 */
function clientFor(h: TcHarness, config: Partial<ThreatConnectClientConfig> = {}, sent?: Sent[]) {
  const sleeps: number[] = [];
  const dispatcher = sent === undefined ? undefined : recordingDispatcher(sent);
  const client = new ThreatConnectClient(
    {
      baseUrl: h.sim.url,
      apiRoot: h.sim.apiRoot,
      accessId: h.sim.credentials.accessId,
      apiKey: h.sim.credentials.apiKey,
      ...(dispatcher === undefined ? {} : { dispatcher }),
      ...config,
    },
    {
      now: h.clock.now,
      sleep: async (ms) => {
        sleeps.push(ms);
        h.clock.advance(ms);
      },
      random: () => 0.5,
    },
  );
  const close = async () => {
    await client.close();
    await dispatcher?.close();
  };
  return { client, sleeps, close };
}

const TECHNIQUE_ID = /\bT\d{4}(?:\.\d{3})?\b/gi;
const techniqueIds = (tags: TcTag[] | undefined) =>
  (tags ?? []).flatMap((t) => t.name.match(TECHNIQUE_ID) ?? []);

/** Everything a ThreatConnect sync reads: owners, their adversaries, and each adversary's threats with tags. */
async function walk(client: ThreatConnectClient) {
  const owners = await client.listOwners();
  const adversaries = new Map<string, TcGroup[]>();
  const threats = new Map<number, TcGroup[]>();
  for (const owner of owners) {
    const list = await collectItems(client.iterateAdversaries(owner.name));
    adversaries.set(owner.name, list);
    for (const adversary of list)
      threats.set(adversary.id, await collectItems(client.iterateAdversaryThreats(adversary.id)));
  }
  return { owners, adversaries, threats };
}

type Walk = Awaited<ReturnType<typeof walk>>;

function expectGroundTruth(result: Walk, stats: SimStats): void {
  expect(result.owners).toHaveLength(stats.owners.total);
  expect(result.owners.map((o) => o.name)).not.toContain(stats.inaccessibleOwners[0]?.name);
  const counts = Object.fromEntries([...result.adversaries].map(([owner, list]) => [owner, list.length]));
  expect(counts).toEqual(stats.adversaries.byOwner);
  for (const [owner, list] of result.adversaries) expect(list.every((a) => a.ownerName === owner)).toBe(true);
  const allThreats = [...result.threats.values()].flat();
  expect(allThreats).toHaveLength(stats.associations);
  expect(new Set(allThreats.map((t) => t.id)).size).toBe(stats.threats.total);
  const techniques = Object.fromEntries(
    [...result.adversaries.values()].flat().map((adversary) => {
      const ids = [adversary.tag, ...(result.threats.get(adversary.id) ?? []).map((t) => t.tag)].flatMap(
        techniqueIds,
      );
      return [String(adversary.id), [...new Set(ids)].sort()];
    }),
  );
  expect(techniques).toEqual(stats.techniques.perAdversary);
}

describe.each([
  { name: 'API root /api, display tags', options: { apiRoot: '/api' } },
  { name: 'no API root, legacy tags', options: { apiRoot: '', tagStyle: 'legacy' as const } },
  { name: 'empty arrays omitted', options: { omitEmptyArrays: true, seed: 7 } },
])('a full walk equals the ground truth ($name)', ({ options }) => {
  let h: TcHarness;
  let client: ThreatConnectClient;
  let closeClient: () => Promise<void>;
  let result: Walk;
  const sent: Sent[] = [];
  beforeAll(async () => {
    h = await startSim(options);
    ({ client, close: closeClient } = clientFor(h, {}, sent));
    result = await walk(client);
  });
  afterAll(async () => {
    await closeClient();
    await h.close();
  });

  it('finds every owner, adversary, associated threat and ATT&CK technique', async () => {
    expectGroundTruth(result, await simStats(h));
    expect(client.stats).toMatchObject({ retries: 0, rateLimited: 0, paginationFallbacks: 0 });
  });

  it('sends every path under the API root, one page per list at resultLimit=10000', () => {
    const root = h.sim.apiRoot;
    expect(sent.every((s) => s.path.startsWith(`${root}/v2/`))).toBe(true);
    expect(sent.every((s) => s.path.endsWith('resultStart=0&resultLimit=10000'))).toBe(true);
    expect(client.stats.requests).toBe(sent.length);
    expect(sent).toHaveLength(1 + result.owners.length + [...result.adversaries.values()].flat().length);
  });

  it('splits each adversary’s threats exactly among the owners when scoped by owner (most lists empty)', async () => {
    let empty = 0;
    for (const [adversaryId, threats] of [...result.threats].slice(0, 6)) {
      const scoped: TcGroup[] = [];
      for (const owner of result.owners) {
        const list = await collectItems(client.iterateAdversaryThreats(adversaryId, owner.name));
        expect(list.every((t) => t.ownerName === owner.name)).toBe(true);
        if (list.length === 0) empty++;
        scoped.push(...list);
      }
      expect(scoped.map((t) => t.id).sort()).toEqual(threats.map((t) => t.id).sort());
    }
    expect(empty).toBeGreaterThan(0);
  });

  it('reads details, attributes and tags that agree with the list items', async () => {
    const [owner, adversaries] = [...result.adversaries].find(([, list]) => list.length > 0) ?? [];
    const adversary = adversaries?.[0];
    if (owner === undefined || adversary === undefined) throw new Error('the dataset has no adversary');
    const detail = await client.getAdversary(adversary.id);
    expect(detail).toMatchObject({ id: adversary.id, name: adversary.name, owner: { name: owner } });
    expect(await client.listAdversaryTags(adversary.id)).toEqual(adversary.tag ?? []);
    expect(await client.listAdversaryAttributes(adversary.id)).toEqual(adversary.attribute ?? []);
    const threat = [...result.threats.values()].flat()[0];
    if (threat === undefined) throw new Error('the dataset has no threat');
    expect(await client.listThreatTags(threat.id)).toEqual(threat.tag ?? []);
  });
});

describe('an owner-scoped walk of a legacy server (resultLimit maximum 500)', () => {
  let h: TcHarness;
  beforeAll(async () => {
    h = await startSim({ owners: 2, adversaries: 1_100, threatsPerAdversary: 0, maxResultLimit: 500 });
  });
  afterAll(() => h.close());

  it('falls back to 500 once, then pages every list at 500', async () => {
    const sent: Sent[] = [];
    const { client, close } = clientFor(h, {}, sent);
    const stats = await simStats(h);
    const owners = await client.listOwners();
    for (const owner of owners) {
      expect(await collectItems(client.iterateAdversaries(owner.name))).toHaveLength(
        stats.adversaries.byOwner[owner.name] ?? -1,
      );
    }
    expect(client.stats).toMatchObject({ paginationFallbacks: 1, retries: 0 });
    expect(sent[0]?.path).toMatch(/resultStart=0&resultLimit=10000$/);
    expect(sent.slice(1).every((s) => s.path.endsWith('resultLimit=500'))).toBe(true);
    // owners (refused + 1 page), then 3 pages of 500 per owner of 1 100 adversaries.
    expect(sent).toHaveLength(2 + owners.length * 3);
    await close();
  });
});

describe('faults', () => {
  let h: TcHarness;
  beforeAll(async () => {
    h = await startSim({ seed: 11, owners: 3, adversaries: 12, threatsPerAdversary: 2 });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    await admin(h.sim.url, 'PUT', '/_sim/faults', { spec: '' });
  });

  it('walks to the same result through 500s, 429s, resets and truncated bodies, re-signing every attempt', async () => {
    const { client: clean } = clientFor(h);
    const expected = await walk(clean);
    const cleanRequests = clean.stats.requests;
    await clean.close();
    const before = (await admin<FaultsView>(h.sim.url, 'GET', '/_sim/faults')).json.injected;

    await admin(h.sim.url, 'PUT', '/_sim/faults', {
      spec: 'status500=0.15,status429=0.1,reset=0.1,truncate=0.1',
    });
    const sent: Sent[] = [];
    const { client, sleeps, close } = clientFor(h, { maxAttempts: 12 }, sent);
    expect(await walk(client)).toEqual(expected);

    const after = (await admin<FaultsView>(h.sim.url, 'GET', '/_sim/faults')).json.injected;
    const injected = {
      status500: after.status500 - before.status500,
      status429: after.status429 - before.status429,
      reset: after.reset - before.reset,
      truncate: after.truncate - before.truncate,
    };
    // This seed injects every kind at least once.
    expect(Math.min(...Object.values(injected))).toBeGreaterThan(0);
    const faults = injected.status500 + injected.status429 + injected.reset + injected.truncate;
    expect(client.stats).toMatchObject({
      retries: faults,
      rateLimited: injected.status429,
      requests: cleanRequests + faults,
    });
    expect(sleeps).toHaveLength(faults);
    // Every retry of a target went out later, with a newer Timestamp and so a new signature.
    let repeats = 0;
    for (let i = 1; i < sent.length; i++) {
      const [previous, current] = [sent[i - 1], sent[i]];
      if (previous === undefined || current === undefined || previous.path !== current.path) continue;
      repeats++;
      expect(Number(current.timestamp)).toBeGreaterThan(Number(previous.timestamp));
      expect(current.authorization).not.toBe(previous.authorization);
    }
    expect(repeats).toBe(faults);
    await close();
  });
});

describe('authentication and permission failures', () => {
  let h: TcHarness;
  beforeAll(async () => {
    h = await startSim({});
  });
  afterAll(() => h.close());
  afterEach(async () => {
    await admin(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 0 });
  });

  it('reports a clock more than 5 minutes off as PROVIDER_AUTHENTICATION_ERROR with a clock hint', async () => {
    await admin(h.sim.url, 'PUT', '/_sim/clock', { offsetMs: 6 * 60_000 });
    const { client } = clientFor(h);
    const error = await vigilFailure(client.whoami());
    expect(error.code).toBe('PROVIDER_AUTHENTICATION_ERROR');
    expect(error.message).toContain('Timestamp out of acceptable time range');
    expect(error.hint).toContain('clock');
    expect(client.stats.requests).toBe(1);
    await client.close();
  });

  it('reports a wrong key as PROVIDER_AUTHENTICATION_ERROR after one request, never showing the key', async () => {
    const wrongKey = `${h.sim.credentials.apiKey.slice(0, -4)}XXXX`;
    const { client } = clientFor(h, { apiKey: wrongKey });
    const error = await vigilFailure(client.listOwners());
    expect(error.code).toBe('PROVIDER_AUTHENTICATION_ERROR');
    expect(error.message).toContain('Signature data did not match expected result');
    expect(error.hint).toContain('TC_API_KEY');
    expect(client.stats.requests).toBe(1);
    expect(`${error.message} ${error.hint}`).not.toContain(wrongKey);
    await client.close();
  });

  it('reports an owner that does not exist as PROVIDER_PERMISSION_ERROR naming it', async () => {
    const { client } = clientFor(h);
    const error = await vigilFailure(collectItems(client.iterateAdversaries('No Such Owner')));
    expect(error.code).toBe('PROVIDER_PERMISSION_ERROR');
    expect(error.message).toContain("no owner named 'No Such Owner'");
    expect(error.message).toContain('The requested owner was not found');
    await client.close();
  });

  it('reports an owner the API user cannot access as PROVIDER_PERMISSION_ERROR naming it', async () => {
    const hidden = (await simStats(h)).inaccessibleOwners[0]?.name;
    if (hidden === undefined) throw new Error('the simulator has no inaccessible owner');
    const { client } = clientFor(h);
    const error = await vigilFailure(collectItems(client.iterateAdversaries(hidden)));
    expect(error.code).toBe('PROVIDER_PERMISSION_ERROR');
    expect(error.message).toContain(`may not read the ThreatConnect owner '${hidden}'`);
    expect(error.message).toContain('(Access Denied)');
    await client.close();
  });

  it('yields no threats for an adversary that does not exist (404) and reports its detail as not found', async () => {
    const { client } = clientFor(h);
    expect(await collectItems(client.iterateAdversaryThreats(999_999_999))).toEqual([]);
    const error = await vigilFailure(client.getAdversary(999_999_999));
    expect(error.code).toBe('PROVIDER_NOT_FOUND');
    expect(error.message).toContain('The requested resource was not found');
    await client.close();
  });
});

describe('a legacy server that answers 403 to authentication failures', () => {
  let h: TcHarness;
  beforeAll(async () => {
    h = await startSim({ authFailureStatus: 403 });
  });
  afterAll(() => h.close());

  it('still classifies a wrong key as PROVIDER_AUTHENTICATION_ERROR', async () => {
    const { client } = clientFor(h, { apiKey: 'not-the-key-at-all' });
    const error = await vigilFailure(client.whoami());
    expect(error.code).toBe('PROVIDER_AUTHENTICATION_ERROR');
    expect(error.message).toContain('403 Forbidden');
    expect(client.stats.requests).toBe(1);
    await client.close();
  });

  it('still classifies an unknown Access ID (Access Denied, no owner) as PROVIDER_AUTHENTICATION_ERROR', async () => {
    const { client } = clientFor(h, { accessId: '99999999999999999999' });
    const error = await vigilFailure(client.listOwners());
    expect(error.code).toBe('PROVIDER_AUTHENTICATION_ERROR');
    expect(error.message).toContain('Access Denied');
    await client.close();
  });
});
