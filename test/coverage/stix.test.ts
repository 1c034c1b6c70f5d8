import { describe, expect, it } from 'vitest';
import type { ActorCoverage } from '../../src/coverage/model.ts';
import { type StixBundle, type StixObject, toStixBundle } from '../../src/coverage/stix.ts';
import { uuidV5 } from '../../src/coverage/uuid5.ts';
import { VigilError } from '../../src/errors.ts';
import { alertedIds, copperLynxWith, everyVerdict, missedIds, twelveAlertedEightMissed } from './scenario.ts';
import { compileStixBundleSchema } from './schemas.ts';

const validateBundle = compileStixBundleSchema();
const timestamp = '2026-11-30T09:00:00Z';

function expectValid(bundle: unknown): void {
  const valid = validateBundle(bundle);
  expect(valid ? [] : validateBundle.errors?.slice(0, 5)).toEqual([]);
}

const ofType = (bundle: StixBundle, type: string): StixObject[] =>
  bundle.objects.filter((o) => o.type === type);

/** The ATT&CK id of the attack-pattern an object (sighting) refers to. */
function techniqueOf(bundle: StixBundle, ref: unknown): string {
  const pattern = bundle.objects.find((o) => o.id === ref);
  const references = (pattern?.external_references ?? []) as Array<{ external_id: string }>;
  return references[0]?.external_id ?? 'no ATT&CK reference';
}

describe('uuidV5', () => {
  it('matches the RFC test vector (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });
});

describe('toStixBundle', () => {
  it('writes a bundle valid against the STIX 2.1 schemas, carrying 12 alerted and 8 missed', () => {
    const bundle = toStixBundle(twelveAlertedEightMissed(), { timestamp });
    expectValid(bundle);
    expect(ofType(bundle, 'intrusion-set')).toEqual([
      expect.objectContaining({
        name: 'Copper Lynx',
        external_references: [{ source_name: 'threatconnect', external_id: '1001' }],
      }),
    ]);
    expect(ofType(bundle, 'attack-pattern')).toHaveLength(20);
    expect(ofType(bundle, 'relationship').filter((r) => r.relationship_type === 'uses')).toHaveLength(20);
    const sightings = ofType(bundle, 'sighting');
    const seen = sightings.filter((s) => s.count === 1 && s.x_vigil_verdict === 'alerted');
    const missed = sightings.filter((s) => s.count === 0 && s.x_vigil_verdict === 'missed');
    expect(seen.map((s) => techniqueOf(bundle, s.sighting_of_ref)).sort()).toEqual([...alertedIds].sort());
    expect(missed.map((s) => techniqueOf(bundle, s.sighting_of_ref)).sort()).toEqual([...missedIds].sort());
  });

  it('gives each attack-pattern its ATT&CK reference and kill-chain phases', () => {
    const bundle = toStixBundle(twelveAlertedEightMissed(), { timestamp });
    const cron = ofType(bundle, 'attack-pattern').find((p) => p.name === 'Cron');
    expect(cron).toMatchObject({
      external_references: [
        {
          source_name: 'mitre-attack',
          external_id: 'T1053.003',
          url: 'https://attack.mitre.org/techniques/T1053/003/',
        },
      ],
      kill_chain_phases: ['execution', 'persistence', 'privilege-escalation'].map((phase_name) => ({
        kill_chain_name: 'mitre-attack',
        phase_name,
      })),
      x_mitre_is_subtechnique: true,
    });
  });

  it('keeps every id across runs and changes only what changed', () => {
    const first = toStixBundle(twelveAlertedEightMissed(), { timestamp });
    expect(JSON.stringify(toStixBundle(twelveAlertedEightMissed(), { timestamp }))).toBe(
      JSON.stringify(first),
    );
    expect(first.id).toBe('bundle--74cdd9ed-0ff5-58d8-ae28-fa94172a340c');
    expect(ofType(first, 'attack-pattern').find((p) => p.name === 'Unix Shell')?.id).toBe(
      'attack-pattern--6f3149fe-51dd-5a1d-a92e-2ccb3bd662cc',
    );
    const intrusionSet = ofType(first, 'intrusion-set')[0];
    expect(intrusionSet?.id).toMatch(
      /^intrusion-set--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const oneMoreMiss = twelveAlertedEightMissed();
    const retested = oneMoreMiss.techniques.findIndex((t) => t.id === alertedIds[0]);
    oneMoreMiss.techniques[retested] = {
      ...oneMoreMiss.techniques[retested]!,
      verdict: 'missed',
      testedAt: '2026-12-01T08:00:00.000Z',
      validationId: 'val-8',
      evidence: undefined,
    };
    const second = toStixBundle(oneMoreMiss, { timestamp });
    const ids = (bundle: StixBundle) => bundle.objects.map((o) => o.id);
    expect(ids(second).filter((id) => !ids(first).includes(id))).toEqual([
      expect.stringMatching(/^sighting--/),
    ]);
    expect(ids(first).filter((id) => !ids(second).includes(id))).toEqual([
      expect.stringMatching(/^sighting--/),
    ]);
  });

  it('writes a sighting per tested technique only, each verdict valid', () => {
    const bundle = toStixBundle(everyVerdict(), { timestamp, observerName: 'ACME SOC' });
    expectValid(bundle);
    const sightings = ofType(bundle, 'sighting');
    expect(sightings).toHaveLength(16);
    expect(sightings.filter((s) => s.count === 1)).toHaveLength(12);
    expect(ofType(bundle, 'identity')).toEqual([
      expect.objectContaining({ name: 'ACME SOC', identity_class: 'system' }),
    ]);
    const scanning = sightings.find((s) => techniqueOf(bundle, s.sighting_of_ref) === 'T1595.002');
    expect(scanning).toMatchObject({
      x_vigil_verdict: 'prevented',
      first_seen: '2026-11-30T10:00:00.000Z',
      where_sighted_refs: [ofType(bundle, 'identity')[0]?.id],
      external_references: [
        {
          source_name: 'vigil',
          description: 'validation evidence',
          url: 'https://vigil.example/alerts/T1595.002',
        },
      ],
      x_vigil_validation_id: 'val-7',
    });
  });

  it('is valid for an actor without techniques or id', () => {
    const empty: ActorCoverage = {
      actor: { key: 'threatconnect:adversary:9', name: 'Quiet', id: null },
      techniques: [],
    };
    const bundle = toStixBundle(empty, { timestamp });
    expectValid(bundle);
    expect(ofType(bundle, 'intrusion-set')[0]).not.toHaveProperty('external_references');
  });

  it('fails the schema when an object is broken (the check can fail)', () => {
    const bundle = toStixBundle(twelveAlertedEightMissed(), { timestamp });
    const [first, ...rest] = bundle.objects;
    expect(validateBundle({ ...bundle, objects: [{ ...first, created: '2026-11-30' }, ...rest] })).toBe(
      false,
    );
    expect(validateBundle({ ...bundle, id: 'bundle--not-a-uuid' })).toBe(false);
  });

  it('rejects a timestamp that is not an instant', () => {
    for (const bad of ['yesterday', '2026-11-30', '2026-11-30T09:00:00']) {
      expect(() => toStixBundle(twelveAlertedEightMissed(), { timestamp: bad })).toThrow(VigilError);
    }
    const badTest = copperLynxWith({});
    badTest.techniques[0] = { ...badTest.techniques[0]!, verdict: 'missed', testedAt: 'soon' };
    expect(() => toStixBundle(badTest, { timestamp })).toThrow(/test time of T1003.008/);
  });
});
