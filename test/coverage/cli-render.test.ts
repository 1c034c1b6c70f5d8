import { describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../src/attack/catalogue.ts';
import { renderActorCoverage, renderCoverageSummary } from '../../src/cli/coverage.ts';
import { rankActorsByShareMissed, rollUpCoverage, summarizeActorCoverage } from '../../src/coverage/model.ts';
import { parseValidationPlan, planActorTechniques, planEvaluations } from '../../src/coverage/plan.ts';
import { VigilError } from '../../src/errors.ts';
import { alertedIds, copperLynx, copperLynxWith } from './scenario.ts';

const catalogue = loadAttackCatalogue();

describe('vigil coverage, as text', () => {
  it('lists every technique with its verdict, when and which validation; never tested as such; totals per tactic', () => {
    const coverage = copperLynxWith({ [alertedIds[0]!]: 'alerted', [alertedIds[1]!]: 'missed' });
    const text = renderActorCoverage({ coverage, totals: rollUpCoverage(coverage) });
    expect(text.split('\n')[0]).toContain(
      '20 techniques; 0 prevented, 1 alerted, 0 detected, 1 missed, 18 untested',
    );
    const row = (id: string) => text.split('\n').find((line) => line.startsWith(id)) ?? '';
    expect(row(alertedIds[0]!)).toMatch(
      /alerted\s+2026-11-30T10:00:00\.000Z\s+val-7\s+https:\/\/vigil\.example/,
    );
    expect(row(alertedIds[2]!)).toContain('never tested');
    expect(text).toContain('Per tactic');
    expect(text).toMatch(/\ntactic\s+techniques\s+prevented\s+alerted\s+detected\s+missed\s+untested/);
  });

  it('ranks actors by share missed, one line each', () => {
    const worse = copperLynxWith({ [alertedIds[0]!]: 'missed', [alertedIds[1]!]: 'missed' });
    const better = {
      ...copperLynxWith({ [alertedIds[0]!]: 'alerted' }),
      actor: { key: 'k2', name: 'Amber Fox', id: 2 },
    };
    const lines = rankActorsByShareMissed([better, worse].map(summarizeActorCoverage));
    const text = renderCoverageSummary(lines);
    const [, , first, second] = text.split('\n');
    expect(first).toContain(copperLynx.actor.name);
    expect(first).toMatch(/20\s+2\s+0\s+2\s+10%$/);
    expect(second).toContain('Amber Fox');
    expect(renderCoverageSummary([])).toMatch(/No threat actors/);
  });
});

describe('action plans of an actor', () => {
  const actor = { key: 'tc:adversary:1', name: 'Copper Lynx', id: 1 };

  it('plans every technique on every host, in evaluations of at most 100 actions', () => {
    const hosts = Array.from({ length: 6 }, (_, i) => `web-${i + 1}`);
    const plan = planActorTechniques(actor, copperLynx.techniques, hosts, catalogue);
    expect(plan.actions).toHaveLength(120);
    expect(plan.evaluations).toBe(2);
    const chunks = planEvaluations(parseValidationPlan(JSON.stringify(plan), 'plan.json'));
    expect(chunks.map((chunk) => chunk.length)).toEqual([100, 20]);
    expect(chunks[0]?.[0]).toEqual({ technique: plan.techniques[0], host: 'web-1' });
  });

  it('leaves the host open without --host, skips ids the catalogue lacks, and checks a plan file', () => {
    const plan = planActorTechniques(
      actor,
      [...copperLynx.techniques, { id: 'T9999', name: null, tactics: [], sources: [] }],
      [],
      catalogue,
    );
    expect(plan.actions.every((action) => action.host === null)).toBe(true);
    expect(plan.skipped).toEqual([
      { technique: 'T9999', reason: expect.stringContaining('not in the ATT&CK catalogue') },
    ]);
    expect(() => planEvaluations(plan)).toThrow(/names no host/);
    expect(planEvaluations(plan, 'db-1')[0]?.every((a) => a.host === 'db-1')).toBe(true);
    const broken = { ...plan, evaluations: 3 };
    expect(() => parseValidationPlan(JSON.stringify(broken), 'p.json')).toThrow(VigilError);
    expect(() => parseValidationPlan('{', 'p.json')).toThrow(/not JSON/);
    expect(() => planActorTechniques(actor, copperLynx.techniques, ['a', 'a'], catalogue)).toThrow(
      /each host once/,
    );
  });
});
