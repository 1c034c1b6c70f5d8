import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  type HawkIdentity,
  hawkRequest,
  type SimHarness,
  type SimResponse,
  startSim,
} from '../../helpers/threatstack.ts';

type Json = Record<string, unknown>;
type Alert = Json & { id: string; createdAt: string; isDismissed: boolean };
type Persona = 'admin' | 'analyst' | 'auditor' | 'former' | 'outsider';
interface Credentials {
  organizations: Array<{ id: string; name: string }>;
  users: Array<{ persona: Persona; userId: string; apiKey: string; email: string }>;
}
interface World {
  h: SimHarness;
  primary: string;
  staging: string;
  userIdOf: (persona: Persona) => string;
  emailOf: (persona: Persona) => string;
  /** Sends a request signed as `persona` (ext = the primary organization unless given). */
  as: (persona: Persona, method: string, path: string, body?: unknown, ext?: string) => Promise<SimResponse>;
}

/** Starts a simulator and builds Hawk identities for every persona from /_sim/credentials. */
async function startWorld(): Promise<World> {
  const h = await startSim();
  const { json: creds } = await admin<Credentials>(h.sim.url, 'GET', '/_sim/credentials');
  const [primary, staging] = creds.organizations.map((o) => o.id);
  if (!primary || !staging) throw new Error('fixture: two organizations expected');
  const user = (persona: Persona) => {
    const found = creds.users.find((u) => u.persona === persona);
    if (!found) throw new Error(`fixture: no persona ${persona}`);
    return found;
  };
  return {
    h,
    primary,
    staging,
    userIdOf: (persona) => user(persona).userId,
    emailOf: (persona) => user(persona).email,
    as: (persona, method, path, body, ext = primary) => {
      const { userId, apiKey } = user(persona);
      const identity: HawkIdentity = { userId, apiKey, orgId: ext };
      return hawkRequest(h.sim.url, identity, method, path, h.clock.now(), {
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    },
  };
}

async function ok<T = Json>(response: Promise<SimResponse>): Promise<T> {
  const settled = await response;
  expect(settled.status, settled.text).toBe(200);
  return settled.json<T>();
}

const RULE = {
  name: 'Suspicious cron edit',
  title: 'Crontab edited by a non-root user',
  type: 'Host',
  severityOfAlerts: 2,
  alertDescription: 'A crontab was edited.',
  aggregateFields: ['exe', 'user'],
  filter: 'event_type = "audit" and exe = "/usr/bin/crontab"',
  window: 3600,
  threshold: 1,
  suppressions: ['user = "chef"'],
  enabled: true,
};
const TAGS = {
  inclusion: [{ source: 'ec2', key: 'Environment', value: 'prod' }],
  exclusion: [{ source: 'ec2', key: 'Team', value: 'data' }],
};

describe('Threat Stack simulator: rulesets, rules and tags', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(() => w.h.close());
  const call = (method: string, path: string, body?: unknown) => w.as('admin', method, path, body);

  it('creates, reads, updates and deletes a ruleset (write field ruleIds, read field rules)', async () => {
    const { rulesets } = await ok<{ rulesets: Array<{ id: string; name: string; rules: string[] }> }>(
      call('GET', '/v2/rulesets'),
    );
    const base = rulesets.find((r) => r.name === 'Base Rule Set');
    const borrowed = base?.rules[0];
    if (!base || !borrowed) throw new Error('fixture: Base Rule Set with rules expected');
    const created = await ok(call('POST', '/v2/rulesets', { name: 'Web', description: 'd', ruleIds: [] }));
    expect(created).toMatchObject({ id: expect.any(String), name: 'Web', description: 'd', rules: [] });
    expect(created).not.toHaveProperty('ruleIds');
    expect(await ok(call('GET', `/v2/rulesets/${created.id}`))).toEqual(created);
    const listed = await ok<{ rulesets: Json[] }>(call('GET', '/v2/rulesets'));
    expect(listed.rulesets).toContainEqual(created);

    w.h.clock.advance(5_000);
    const body = { name: 'Web v2', description: 'updated', ruleIds: [borrowed] };
    const updated = await ok(call('PUT', `/v2/rulesets/${created.id}`, body));
    expect(updated).toMatchObject({
      id: created.id,
      name: 'Web v2',
      description: 'updated',
      rules: [borrowed],
    });
    expect(updated.createdAt).toBe(created.createdAt);
    expect(ms(updated.updatedAt)).toBe(ms(created.updatedAt) + 5_000);
    expect(await ok(call('GET', `/v2/rulesets/${created.id}`))).toEqual(updated);

    const deleted = await ok(call('DELETE', `/v2/rulesets/${created.id}`));
    expect(deleted).toEqual({ agents: expect.any(Array) });
    expect((await call('GET', `/v2/rulesets/${created.id}`)).status).toBe(404);
    // Deleting a ruleset that merely named another ruleset's rule leaves that rule in place.
    const kept = await ok(call('GET', `/v2/rulesets/${base.id}/rules/${borrowed}`));
    expect(kept).toMatchObject({ id: borrowed, rulesetId: base.id });
  });

  it('creates, reads, updates and deletes a rule under a ruleset', async () => {
    const ruleset = await ok(call('POST', '/v2/rulesets', { name: 'Cron', description: '', ruleIds: [] }));
    const base = `/v2/rulesets/${ruleset.id}/rules`;
    const rule = await ok(call('POST', base, RULE));
    expect(rule).toMatchObject({ ...RULE, id: expect.any(String), rulesetId: ruleset.id });
    expect(await ok(call('GET', `${base}/${rule.id}`))).toEqual(rule);
    expect(await ok(call('GET', base))).toEqual({ rules: [rule], token: null });
    expect(await ok(call('GET', `/v2/rulesets/${ruleset.id}`))).toMatchObject({ rules: [rule.id] });

    const changed = { ...RULE, severityOfAlerts: 1, enabled: false, suppressions: [] };
    const updated = await ok(call('PUT', `${base}/${rule.id}`, changed));
    expect(updated).toMatchObject({ ...changed, id: rule.id, rulesetId: ruleset.id });
    expect(await ok(call('GET', `${base}/${rule.id}`))).toEqual(updated);

    expect(await ok(call('DELETE', `${base}/${rule.id}`))).toEqual({});
    expect((await call('GET', `${base}/${rule.id}`)).status).toBe(404);
    expect(await ok(call('GET', base))).toEqual({ rules: [], token: null });
    for (const [key, value] of Object.entries({ type: 'Sideways', title: '', severityOfAlerts: 4 })) {
      const response = await call('POST', base, { ...RULE, [key]: value });
      expect(response.status).toBe(400);
      expect(response.json()).toEqual({ errors: [expect.any(String)] });
    }
    const missing = '/v2/rulesets/00000000-0000-4000-8000-000000000000/rules';
    expect((await call('POST', missing, RULE)).status).toBe(404);
  });

  it('answers 404 "No tags found for rule" until tags are posted, then round-trips them', async () => {
    const ruleset = await ok(call('POST', '/v2/rulesets', { name: 'Tagged', description: '', ruleIds: [] }));
    const rule = await ok(call('POST', `/v2/rulesets/${ruleset.id}/rules`, RULE));
    const none = await call('GET', `/v2/rules/${rule.id}/tags`);
    expect(none.status).toBe(404);
    expect(none.json<{ errors: string[] }>().errors[0]).toContain('No tags found for rule');
    expect(await ok(call('POST', `/v2/rules/${rule.id}/tags`, TAGS))).toEqual(TAGS);
    expect(await ok(call('GET', `/v2/rules/${rule.id}/tags`))).toEqual(TAGS);
    expect((await call('GET', '/v2/rules/00000000-0000-4000-8000-000000000000/tags')).status).toBe(404);
  });
});

describe('Threat Stack simulator: POST /v2/alerts/dismiss (D8)', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(() => w.h.close());
  const dismiss = (body: unknown) => w.as('admin', 'POST', '/v2/alerts/dismiss', body);

  async function allAlerts(): Promise<Map<string, Alert>> {
    const byId = new Map<string, Alert>();
    for (const status of ['active', 'dismissed']) {
      for (const alert of (await w.h.listAll<Alert>(`/v2/alerts?status=${status}`, 'alerts')).items)
        byId.set(alert.id, alert);
    }
    return byId;
  }

  /** Applies a dismissal and checks, through GET, that exactly `expected` changed and nothing else did. */
  async function expectDismissed(body: Json, select: (a: Alert) => boolean): Promise<void> {
    const before = await allAlerts();
    const targets = [...before.values()].filter((a) => !a.isDismissed && select(a));
    expect(targets.length).toBeGreaterThan(0);
    w.h.clock.advance(60_000);
    expect((await dismiss(body)).status).toBe(200);
    const after = await allAlerts();
    expect(after.size).toBe(before.size);
    for (const [id, was] of before) {
      const now = after.get(id);
      if (targets.includes(was)) {
        expect(now).toMatchObject({
          isDismissed: true,
          dismissedAt: new Date(w.h.clock.now()).toISOString(),
          dismissReason: body.dismissReason,
          dismissReasonText: body.dismissReasonText ?? null,
          dismissedBy: expect.toBeOneOf([w.emailOf('admin'), w.userIdOf('admin')]),
        });
      } else expect(now).toEqual(was);
    }
    const single = await ok<Alert>(w.as('admin', 'GET', `/v2/alerts/${targets[0]?.id}`));
    expect(single.isDismissed).toBe(true);
  }

  it('dismisses by ids', async () => {
    const active = [...(await allAlerts()).values()].filter((a) => !a.isDismissed);
    const ids = [active[0]?.id, active[5]?.id];
    await expectDismissed({ ids, dismissReason: 'MAINTENANCE' }, (a) => ids.includes(a.id));
  });

  it('dismisses by ids with reason OTHER and its text', async () => {
    const active = [...(await allAlerts()).values()].filter((a) => !a.isDismissed);
    const ids = [active[2]?.id];
    const body = { ids, dismissReason: 'OTHER', dismissReasonText: 'pen test' };
    await expectDismissed(body, (a) => ids.includes(a.id));
  });

  it.each([
    ['ruleId', 'ruleId'],
    ['ruleID', 'ruleId'],
    ['agentId', 'agentId'],
    ['agentID', 'agentId'],
  ] as const)('dismisses by parameters with from, until and %s', async (key, field) => {
    const candidates = [...(await allAlerts()).values()].filter((a) => !a.isDismissed && a[field] !== null);
    const pick = candidates[Math.floor(candidates.length / 2)];
    if (!pick) throw new Error('fixture: no active alert left');
    const value = pick[field];
    const [from, until] = ['2026-11-05', '2026-11-22T18:30:00Z'];
    const body = { from, until, [key]: value, dismissReason: 'BUSINESS_OP', dismissReasonText: '' };
    const inRange = (a: Alert) => ms(a.createdAt) >= ms(`${from}T00:00:00Z`) && ms(a.createdAt) <= ms(until);
    await expectDismissed(body, (a) => a[field] === value && inRange(a));
  });

  it('dismisses by parameters with severity', async () => {
    const body = { from: '2026-10-28T00', until: '2026-11-04', severity: 3, dismissReason: 'COMPANY_POLICY' };
    const [lo, hi] = [ms('2026-10-28T00:00:00Z'), ms('2026-11-04T00:00:00Z')];
    await expectDismissed(body, (a) => a.severity === 3 && ms(a.createdAt) >= lo && ms(a.createdAt) <= hi);
  });

  it.each([
    ['an empty object', {}],
    ['no dismissReason', { ids: ['x'] }],
    ['an unknown dismissReason', { ids: ['x'], dismissReason: 'BORED' }],
    ['OTHER without text', { ids: ['x'], dismissReason: 'OTHER' }],
    ['empty ids', { ids: [], dismissReason: 'MAINTENANCE' }],
    ['from/until only', { from: '2026-11-01', until: '2026-11-02', dismissReason: 'MAINTENANCE' }],
    ['no until', { from: '2026-11-01', ruleId: 'r', dismissReason: 'MAINTENANCE' }],
    ['a bad date', { from: 'last week', until: '2026-11-02', severity: 1, dismissReason: 'MAINTENANCE' }],
    ['severity 4', { from: '2026-11-01', until: '2026-11-02', severity: 4, dismissReason: 'MAINTENANCE' }],
    ['a non-JSON body', 'dismiss everything'],
  ])('rejects %s with 400 and changes nothing', async (_name, body) => {
    const before = (await admin<Json>(w.h.sim.url, 'GET', '/_sim/stats')).json.alerts;
    const response = await dismiss(body);
    expect(response.status).toBe(400);
    expect(response.json()).toEqual({ errors: [expect.any(String)] });
    expect((await admin<Json>(w.h.sim.url, 'GET', '/_sim/stats')).json.alerts).toEqual(before);
  });
});

describe('Threat Stack simulator: organization members', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(() => w.h.close());
  const memberIds = async () =>
    (await w.h.listAll<{ id: string; role: string }>('/v2/organizations/members', 'members')).items;

  it('adds an existing user with POST, then DELETE (204) revokes them: 403 on /v2 afterwards', async () => {
    const outsider = w.userIdOf('outsider');
    const probe = () => w.as('outsider', 'GET', '/v2/agents?status=online');
    expect((await probe()).status).toBe(401);
    const added = await ok(
      w.as('admin', 'POST', '/v2/organizations/members', { role: 'user', id: outsider }),
    );
    expect(added).toEqual({ id: outsider, role: 'user' });
    expect(await memberIds()).toContainEqual(expect.objectContaining({ id: outsider, role: 'user' }));
    expect((await probe()).status).toBe(200);

    const removed = await w.as('admin', 'DELETE', `/v2/organizations/members/${outsider}`);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect((await memberIds()).map((m) => m.id)).not.toContain(outsider);
    const refused = await probe();
    expect(refused.status).toBe(403);
    expect(refused.json()).toEqual({ errors: ['Forbidden'] });
    expect((await w.as('outsider', 'GET', '/help/hawk/self-test')).status).toBe(200);
    expect((await w.as('admin', 'DELETE', `/v2/organizations/members/${outsider}`)).status).toBe(404);
  });

  it('revokes an original member the same way', async () => {
    const analyst = w.userIdOf('analyst');
    expect((await w.as('analyst', 'GET', '/v2/rulesets')).status).toBe(200);
    expect((await w.as('admin', 'DELETE', `/v2/organizations/members/${analyst}`)).status).toBe(204);
    expect((await w.as('analyst', 'GET', '/v2/rulesets')).status).toBe(403);
  });

  it('rejects an unknown user or role', async () => {
    const post = (body: Json) => w.as('admin', 'POST', '/v2/organizations/members', body);
    expect((await post({ role: 'user', id: '000000000000000000000000' })).status).toBe(404);
    expect((await post({ role: 'owner', id: w.userIdOf('outsider') })).status).toBe(400);
  });
});

describe('Threat Stack simulator: roles and revoked membership (D10)', () => {
  let w: World;
  let rulesetId: string;
  let ruleId: string;
  let alertId: string;
  beforeAll(async () => {
    w = await startWorld();
    const { rulesets } = await ok<{ rulesets: Array<{ id: string; rules: string[] }> }>(
      w.as('admin', 'GET', '/v2/rulesets'),
    );
    rulesetId = rulesets[0]?.id ?? '';
    ruleId = rulesets[0]?.rules[0] ?? '';
    alertId = (await w.h.listAll<Alert>('/v2/alerts?status=active', 'alerts')).items[0]?.id ?? '';
  });
  afterAll(() => w.h.close());

  const reads = () => [
    '/v2/agents?status=online',
    '/v2/alerts?status=active',
    '/v2/alerts/severity-counts',
    '/v2/vulnerabilities',
    '/v2/rulesets',
    `/v2/rulesets/${rulesetId}/rules`,
    `/v2/rules/${ruleId}/tags`,
    '/v2/aws/ec2?monitored=true',
    '/v2/organizations/members',
  ];
  const writes = (): Array<[string, string, unknown]> => [
    ['POST', '/v2/rulesets', { name: 'x', description: '', ruleIds: [] }],
    ['PUT', `/v2/rulesets/${rulesetId}`, { name: 'x', description: '', ruleIds: [] }],
    ['DELETE', `/v2/rulesets/${rulesetId}`, undefined],
    ['POST', `/v2/rulesets/${rulesetId}/rules`, RULE],
    ['PUT', `/v2/rulesets/${rulesetId}/rules/${ruleId}`, RULE],
    ['DELETE', `/v2/rulesets/${rulesetId}/rules/${ruleId}`, undefined],
    ['POST', `/v2/rules/${ruleId}/tags`, TAGS],
    ['POST', '/v2/alerts/dismiss', { ids: [alertId], dismissReason: 'MAINTENANCE' }],
    ['POST', '/v2/organizations/members', { role: 'admin', id: '000000000000000000000000' }],
    ['DELETE', '/v2/organizations/members/000000000000000000000000', undefined],
    ['POST', '/v2/organizations/invites', { role: 'admin', email: 'x@example.com' }],
    ['PUT', '/v2/organizations/invites', { role: 'admin', email: 'x@example.com' }],
  ];
  const stats = async () => (await admin<Json>(w.h.sim.url, 'GET', '/_sim/stats')).json;
  const expectForbidden = (response: SimResponse) => {
    expect(response.status, response.text).toBe(403);
    expect(response.json()).toEqual({ errors: ['Forbidden'] });
    expect(response.headers['server-authorization']).toBeUndefined();
  };

  it('lets the auditor (reader) GET but refuses every POST/PUT/DELETE with 403 Forbidden', async () => {
    for (const path of reads()) {
      expect((await w.as('auditor', 'GET', path)).status, path).toBe(200);
    }
    const before = await stats();
    for (const [method, path, body] of writes()) expectForbidden(await w.as('auditor', method, path, body));
    const after = await stats();
    for (const key of ['rulesets', 'rules', 'alerts', 'members'])
      expect(after[key], key).toEqual(before[key]);
  });

  it('refuses the former (revoked) member on every /v2 call but answers the self-test', async () => {
    for (const path of reads()) expectForbidden(await w.as('former', 'GET', path));
    for (const [method, path, body] of writes().slice(0, 3))
      expectForbidden(await w.as('former', method, path, body));
    expect(await ok(w.as('former', 'GET', '/help/hawk/self-test'))).toEqual({ authenticated: true });
  });

  it('answers 401 Invalid organization to the outsider signing with the primary org id', async () => {
    const response = await w.as('outsider', 'GET', '/v2/agents?status=online', undefined, w.primary);
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({ errors: ['Invalid organization'] });
    expect(response.headers['www-authenticate']).toBe('Hawk error="Invalid organization"');
    const own = await w.as('outsider', 'GET', '/v2/agents?status=online', undefined, w.staging);
    expect(own.status).toBe(200);
  });

  it('lets the analyst (user) POST, PUT and DELETE', async () => {
    const created = await ok(w.as('analyst', 'POST', '/v2/rulesets', { name: 'Analyst set', ruleIds: [] }));
    const body = { name: 'Analyst set 2', description: '', ruleIds: [] };
    expect(await ok(w.as('analyst', 'PUT', `/v2/rulesets/${created.id}`, body))).toMatchObject({
      name: body.name,
    });
    await ok(w.as('analyst', 'DELETE', `/v2/rulesets/${created.id}`));
    expect((await w.as('analyst', 'GET', `/v2/rulesets/${created.id}`)).status).toBe(404);
    await ok(w.as('analyst', 'POST', '/v2/alerts/dismiss', { ids: [alertId], dismissReason: 'MAINTENANCE' }));
    const dismissed = await ok(w.as('analyst', 'GET', `/v2/alerts/${alertId}`));
    expect(dismissed).toMatchObject({ isDismissed: true, dismissReason: 'MAINTENANCE' });
  });
});

function ms(iso: unknown): number {
  return Date.parse(String(iso));
}
