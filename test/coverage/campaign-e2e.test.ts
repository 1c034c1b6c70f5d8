import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceRoutes } from '../../src/app/service.ts';
import { parseValidationPlan, type ValidationPlan } from '../../src/coverage/plan.ts';
import {
  type RunningThreatConnectSimulator,
  startThreatConnectSimulator,
} from '../../src/simulators/threatconnect/server.ts';
import { admin } from '../helpers/threatstack.ts';
import { bearer, type Harness, openHarness } from '../server/harness.ts';
import { ValidationHarness } from '../validation/service-harness.ts';
import { compileLayerSchema, compileStixBundleSchema } from './schemas.ts';

/**
 * The proof of issue 14 (campaigns and coverage), end to end on both simulators in-process with
 * one fake clock: a ThreatConnect actor with 20 techniques (14 its own ATT&CK tags, 6 its threat's),
 * synced; Threat Stack detection rules cover 12 of them. The actor's plan has 20 actions; run
 * through the validation service and the job runtime it gives 12 Alerted and 8 Missed; coverage,
 * the Navigator layer, the STIX bundle and the API all carry the same 12/8.
 */

const covered = [
  'T1003.001',
  'T1021.004',
  'T1046',
  'T1053.003',
  'T1059.004',
  'T1070.004',
  'T1105',
  'T1110.003',
  'T1136.001',
  'T1543.003',
  'T1547.001',
  'T1562.001',
];
const uncovered = ['T1016', 'T1018', 'T1033', 'T1057', 'T1069.002', 'T1082', 'T1083', 'T1087.002'];
const all = [...covered, ...uncovered].sort();
/** Its threat's tags: three covered, three not, so both attribution paths carry both verdicts. */
const threatTechniques = ['T1105', 'T1110.003', 'T1547.001', 'T1016', 'T1082', 'T1087.002'];
const ownTechniques = all.filter((t) => !threatTechniques.includes(t));
const actorName = 'Copper Lynx';

let h: ValidationHarness;
let tc: RunningThreatConnectSimulator;
let api: Harness;
let out: string;

beforeAll(async () => {
  h = await ValidationHarness.open();
  tc = await startThreatConnectSimulator(
    {
      owners: 1,
      adversaries: 2,
      threatsPerAdversary: 1,
      campaignAdversary: { name: actorName, techniques: ownTechniques, threatTechniques },
    },
    { now: h.sim.clock.now },
  );
  const tcUrl = new URL(tc.url);
  await h.vigil.integrations.add(
    {
      kind: 'threatconnect',
      name: 'tc',
      apiKey: tc.credentials.apiKey,
      fields: {
        host: tcUrl.hostname,
        port: Number(tcUrl.port),
        protocol: 'http',
        apiRoot: tc.apiRoot,
        accessId: tc.credentials.accessId,
      },
    },
    { firstSync: { client: { now: h.sim.clock.now, sleep: async () => {} } } },
  );
  const rules = [
    ...covered.map((technique) => ({ technique, enabled: true, latencySeconds: 5 })),
    ...uncovered.map((technique) => ({ technique, enabled: false })),
  ];
  expect((await admin(h.sim.sim.url, 'PUT', '/_sim/detection', { rules })).status).toBe(200);
  api = await openHarness({ resources: resourceRoutes(h.vigil) });
  out = await mkdtemp(join(tmpdir(), 'vigil-campaign-'));
}, 60_000);

afterAll(async () => {
  await api?.close();
  await h?.close();
  await tc?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

function verdictsOf(techniques: ReadonlyArray<{ id: string; verdict: string }>): Record<string, string> {
  return Object.fromEntries(techniques.map((t) => [t.id, t.verdict]));
}

const expected = Object.fromEntries(all.map((id) => [id, covered.includes(id) ? 'alerted' : 'missed']));

describe('an actor campaign from ThreatConnect, validated against Threat Stack', () => {
  let plan: ValidationPlan;

  it('plans the actor’s 20 techniques as 20 actions in one evaluation, through a plan file', async () => {
    const details = await h.vigil.coverage.actor(actorName);
    expect(details.techniques.map((t) => t.id)).toEqual(all);
    const written = await h.vigil.campaigns.plan(actorName, [h.hosts[0]!]);
    const file = join(out, 'plan.json');
    await writeFile(file, JSON.stringify(written));
    plan = parseValidationPlan(await readFile(file, 'utf8'), file);
    expect(plan.techniques).toEqual(all);
    expect(plan.actions).toHaveLength(20);
    expect(plan.evaluations).toBe(1);
    expect(plan.skipped).toEqual([]);
    // Before any validation every technique is untested.
    const before = await h.vigil.coverage.ofActor(actorName);
    expect(before.totals.byVerdict).toMatchObject({ untested: 20, alerted: 0, missed: 0 });
  });

  it('runs the plan: 12 Alerted, 8 Missed, stored with their evidence', { timeout: 120_000 }, async () => {
    const created = await h.vigil.campaigns.run(plan, { integration: 'ts', executor: 'simulator' });
    expect(created).toHaveLength(1);
    expect(created[0]?.actions).toBe(20);
    const [report] = await h.drive(await h.startRuntime(), [created[0]!.id]);
    expect(report?.status).toBe('complete');
    expect(report?.verdicts).toEqual({ Alerted: 12, Missed: 8 });
    const latest = await h.vigil.coverage.latestVerdicts({ techniques: all });
    expect(latest.size).toBe(20);
    for (const id of covered) {
      expect(latest.get(id)).toMatchObject({ verdict: 'alerted', validationId: created[0]!.id });
      expect(latest.get(id)?.evidence).toMatch(/^threatstack alert \S+/);
    }
    for (const id of uncovered) expect(latest.get(id)?.evidence).toBeUndefined();
  });

  it('coverage shows 12 alerted and 8 missed, per technique and in the summary', async () => {
    const { coverage, totals } = await h.vigil.coverage.ofActor(actorName);
    expect(verdictsOf(coverage.techniques)).toEqual(expected);
    expect(totals.byVerdict).toEqual({ prevented: 0, alerted: 12, detected: 0, missed: 8, untested: 0 });
    expect(coverage.techniques.every((t) => t.testedAt !== undefined && t.validationId !== undefined)).toBe(
      true,
    );
    const summary = await h.vigil.coverage.summary();
    expect(summary[0]).toMatchObject({
      techniques: 20,
      tested: 20,
      detected: 12,
      missed: 8,
      missedShare: 0.4,
    });
    expect(summary[0]?.actor.name).toBe(actorName);
    const svg = await h.vigil.coverage.matrixSvg(actorName);
    expect(svg.match(/class="technique verdict-alerted"/g)?.length ?? 0).toBeGreaterThanOrEqual(12);
    expect(svg).not.toContain('verdict-untested');
  });

  it('the Navigator layer and the STIX bundle validate against their schemas and carry the same 12/8', async () => {
    const { layer } = await h.vigil.coverage.navigatorLayer(actorName);
    const validateLayer = compileLayerSchema();
    expect(validateLayer(layer), JSON.stringify(validateLayer.errors)).toBe(true);
    const layerVerdicts: Record<string, string> = {};
    for (const entry of layer.techniques) {
      const verdict = entry.metadata.find((m) => 'name' in m && m.name === 'verdict');
      if (verdict && 'value' in verdict) layerVerdicts[entry.techniqueID] = verdict.value;
    }
    expect(layerVerdicts).toEqual(expected);
    expect(
      layer.techniques
        .filter((t) => t.comment.startsWith('alerted'))
        .every((t) => /threatstack alert/.test(t.comment)),
    ).toBe(true);

    const { bundle } = await h.vigil.coverage.stixBundle(actorName);
    const validateBundle = compileStixBundleSchema();
    expect(validateBundle(bundle), JSON.stringify(validateBundle.errors)).toBe(true);
    const sightings = bundle.objects.filter((o) => o.type === 'sighting');
    expect(sightings).toHaveLength(20);
    expect(sightings.filter((s) => s.x_vigil_verdict === 'alerted' && s.count === 1)).toHaveLength(12);
    expect(sightings.filter((s) => s.x_vigil_verdict === 'missed' && s.count === 0)).toHaveLength(8);
  });

  it('serves the same coverage over the API (viewer), and nothing without a token', async () => {
    const viewer = bearer(await api.tokenFor('viewer'));
    const get = (url: string, headers: Record<string, string> = viewer) =>
      api.app.inject({ method: 'GET', url: `/api/v1${url}`, headers });
    const encoded = encodeURIComponent(actorName);

    const list = await get('/coverage');
    expect(list.statusCode).toBe(200);
    expect(list.json().actors[0]).toMatchObject({ techniques: 20, detected: 12, missed: 8 });

    const one = await get(`/coverage/${encoded}`);
    expect(one.statusCode).toBe(200);
    expect(verdictsOf(one.json().coverage.techniques)).toEqual(expected);
    expect(one.json().totals.byVerdict).toMatchObject({ alerted: 12, missed: 8 });

    const svg = await get(`/coverage/${encoded}/matrix.svg`);
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(svg.body).toBe(await h.vigil.coverage.matrixSvg(actorName));

    const layer = await get(`/coverage/${encoded}/navigator`);
    expect(layer.statusCode).toBe(200);
    expect(layer.headers['content-disposition']).toBe('attachment; filename="Copper-Lynx-layer.json"');
    expect(layer.json()).toEqual((await h.vigil.coverage.navigatorLayer(actorName)).layer);

    const stix = await get(`/coverage/${encoded}/stix`);
    expect(stix.statusCode).toBe(200);
    expect(stix.headers['content-disposition']).toBe('attachment; filename="Copper-Lynx-stix.json"');
    expect(stix.json()).toEqual((await h.vigil.coverage.stixBundle(actorName)).bundle);

    const missing = await get('/coverage/Nobody%20At%20All');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');

    for (const url of [
      '/coverage',
      `/coverage/${encoded}`,
      `/coverage/${encoded}/matrix.svg`,
      `/coverage/${encoded}/stix`,
    ]) {
      const anonymous = await get(url, {});
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().error.code).toBe('UNAUTHENTICATED');
    }
  });
});
