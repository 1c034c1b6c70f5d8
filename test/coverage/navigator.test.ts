import { describe, expect, it } from 'vitest';
import { type NavigatorLayer, toNavigatorLayer } from '../../src/coverage/navigator.ts';
import { verdictStyle } from '../../src/coverage/verdict-style.ts';
import {
  alertedIds,
  copperLynx,
  copperLynxWith,
  everyVerdict,
  missedIds,
  twelveAlertedEightMissed,
} from './scenario.ts';
import { compileLayerSchema, coverageFixture } from './schemas.ts';

const fixture = (name: string): unknown => coverageFixture(`navigator/${name}`);
const validateLayer = compileLayerSchema();

function expectValid(layer: unknown): void {
  const valid = validateLayer(layer);
  expect(validateLayer.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
}

/** The technique ids whose every entry has this colour. */
function idsColoured(layer: NavigatorLayer, color: string): string[] {
  return [...new Set(layer.techniques.filter((t) => t.color === color).map((t) => t.techniqueID))].sort();
}

describe('the layer format 4.5 schema (written from the spec)', () => {
  it('accepts both examples of the specification', () => {
    expectValid(fixture('spec-example-single.json'));
    for (const layer of fixture('spec-example-multiple.json') as unknown[]) expectValid(layer);
  });

  it('rejects what the spec forbids', () => {
    const layer = toNavigatorLayer(twelveAlertedEightMissed(), { attackVersion: '15.1' });
    expect(validateLayer({ ...layer, versions: { ...layer.versions, layer: '4.4' } })).toBe(false);
    expect(validateLayer({ ...layer, domain: 'mitre-enterprise' })).toBe(false);
    expect(validateLayer({ ...layer, techniques: [{ techniqueId: 'T1059' }] })).toBe(false);
    expect(validateLayer({ ...layer, gradient: { colors: ['#ff0000'], minValue: 0, maxValue: 1 } })).toBe(
      false,
    );
    const { name: _name, ...nameless } = layer;
    expect(validateLayer(nameless)).toBe(false);
  });
});

describe('toNavigatorLayer', () => {
  it('writes a valid 4.5 layer carrying 12 alerted and 8 missed', () => {
    const layer = toNavigatorLayer(twelveAlertedEightMissed(), { attackVersion: '15.1' });
    expectValid(layer);
    expect(layer).toMatchObject({
      name: 'Copper Lynx: detection coverage',
      domain: 'enterprise-attack',
      versions: { attack: '15', navigator: '5.1.0', layer: '4.5' },
    });
    expect(idsColoured(layer, verdictStyle.alerted.color)).toEqual([...alertedIds].sort());
    expect(idsColoured(layer, verdictStyle.missed.color)).toEqual([...missedIds].sort());
    expect(layer.metadata).toEqual(
      expect.arrayContaining([
        { name: 'alerted', value: '12' },
        { name: 'missed', value: '8' },
      ]),
    );
    expect(layer.description).toContain('12 alerted');
  });

  it('annotates each tactic of a technique, sub-techniques included', () => {
    const layer = toNavigatorLayer(twelveAlertedEightMissed(), { attackVersion: '15.1' });
    const cron = layer.techniques.filter((t) => t.techniqueID === 'T1053.003');
    expect(cron.map((t) => t.tactic)).toEqual(['execution', 'persistence', 'privilege-escalation']);
    const entries = copperLynx.techniques.reduce((sum, t) => sum + t.tactics.length, 0);
    expect(layer.techniques).toHaveLength(entries);
    expect(layer.techniques.every((t) => t.tactic !== undefined)).toBe(true);
  });

  it('leaves the tactic to the Navigator when it is unknown', () => {
    const layer = toNavigatorLayer(
      {
        actor: copperLynx.actor,
        techniques: [{ id: 'T1999', name: null, tactics: [], sources: [], verdict: 'untested' }],
      },
      { attackVersion: '16.0' },
    );
    expectValid(layer);
    expect(layer.techniques).toEqual([expect.not.objectContaining({ tactic: expect.anything() })]);
  });

  it('colours and scores every verdict, with the verdict and evidence in the comment', () => {
    const layer = toNavigatorLayer(everyVerdict(), { attackVersion: '15.1' });
    expectValid(layer);
    for (const verdict of ['prevented', 'alerted', 'detected', 'missed', 'untested'] as const) {
      expect(idsColoured(layer, verdictStyle[verdict].color)).toHaveLength(4);
    }
    const prevented = layer.techniques.find((t) => t.techniqueID === 'T1595.002');
    expect(prevented).toMatchObject({
      score: 100,
      comment: expect.stringMatching(
        /^prevented, tested 2026-11-30T10:00:00.000Z in validation val-7; evidence https:\/\/vigil.example\/alerts\/T1595.002$/,
      ),
      links: [{ label: 'evidence', url: 'https://vigil.example/alerts/T1595.002' }],
    });
    const untested = layer.techniques.find((t) => t.techniqueID === 'T1496');
    expect(untested).not.toHaveProperty('score');
    expect(untested?.comment).toMatch(/^untested/);
    expect(layer.legendItems.map((item) => item.color)).toEqual(
      ['prevented', 'alerted', 'detected', 'missed', 'untested'].map(
        (v) => verdictStyle[v as 'missed'].color,
      ),
    );
  });

  it('names the tag or threat each technique came from', () => {
    const layer = toNavigatorLayer(copperLynxWith({}), { attackVersion: '15.1' });
    const shell = layer.techniques.find((t) => t.techniqueID === 'T1059.004');
    expect(shell?.metadata).toContainEqual({
      name: 'attributed via',
      value: 'threat "Operation Tin Roof" (tag "T1059.004 - Unix Shell")',
    });
  });

  it('is deterministic', () => {
    const first = JSON.stringify(toNavigatorLayer(everyVerdict(), { attackVersion: '15.1' }));
    expect(JSON.stringify(toNavigatorLayer(everyVerdict(), { attackVersion: '15.1' }))).toBe(first);
  });
});
