import { describe, expect, it } from 'vitest';
import {
  buildActorCoverage,
  rankActorsByShareMissed,
  rollUpCoverage,
  summarizeActorCoverage,
} from '../../src/coverage/model.ts';
import { copperLynx, everyVerdict, latest, twelveAlertedEightMissed } from './scenario.ts';

describe('buildActorCoverage', () => {
  it('joins techniques with their latest verdict; the rest are untested', () => {
    const coverage = buildActorCoverage(
      copperLynx.actor,
      copperLynx.techniques,
      new Map([['T1059.004', latest('T1059.004', 'alerted')]]),
    );
    expect(coverage.techniques).toHaveLength(20);
    const shell = coverage.techniques.find((t) => t.id === 'T1059.004');
    expect(shell).toMatchObject({
      verdict: 'alerted',
      validationId: 'val-7',
      evidence: 'https://vigil.example/alerts/T1059.004',
    });
    expect(coverage.techniques.filter((t) => t.verdict === 'untested')).toHaveLength(19);
    expect(coverage.techniques.find((t) => t.id === 'T1190')).not.toHaveProperty('testedAt');
  });

  it('sorts by technique id and puts tactics in matrix order', () => {
    const coverage = buildActorCoverage(
      copperLynx.actor,
      [
        {
          id: 'T1548.001',
          name: 'Setuid and Setgid',
          tactics: ['defense-evasion', 'privilege-escalation'],
          sources: [],
        },
        { id: 'T1055', name: 'Process Injection', tactics: ['privilege-escalation'], sources: [] },
      ],
      new Map(),
    );
    expect(coverage.techniques.map((t) => t.id)).toEqual(['T1055', 'T1548.001']);
    expect(coverage.techniques[1]?.tactics).toEqual(['privilege-escalation', 'defense-evasion']);
  });
});

describe('rollUpCoverage', () => {
  it('counts 12 alerted and 8 missed for the proof scenario', () => {
    const totals = rollUpCoverage(twelveAlertedEightMissed());
    expect(totals.techniques).toBe(20);
    expect(totals.byVerdict).toEqual({ prevented: 0, alerted: 12, detected: 0, missed: 8, untested: 0 });
  });

  it('counts a technique once in each of its tactics, in matrix order', () => {
    const totals = rollUpCoverage(twelveAlertedEightMissed());
    expect(totals.byTactic.map((t) => t.tactic)).toEqual([
      'reconnaissance',
      'initial-access',
      'execution',
      'persistence',
      'privilege-escalation',
      'defense-evasion',
      'credential-access',
      'discovery',
      'lateral-movement',
      'collection',
      'command-and-control',
      'exfiltration',
      'impact',
    ]);
    const persistence = totals.byTactic.find((t) => t.tactic === 'persistence');
    // T1133, T1053.003, T1098.004, T1136.001: all in the alerted first twelve
    expect(persistence).toEqual({
      tactic: 'persistence',
      techniques: 4,
      byVerdict: { prevented: 0, alerted: 4, detected: 0, missed: 0, untested: 0 },
    });
    const credentialAccess = totals.byTactic.find((t) => t.tactic === 'credential-access');
    expect(credentialAccess?.byVerdict).toMatchObject({ alerted: 1, missed: 1 });
  });

  it('puts techniques with no known tactic under a null tactic, last', () => {
    const coverage = buildActorCoverage(
      copperLynx.actor,
      [
        { id: 'T9999', name: null, tactics: [], sources: [] },
        { id: 'T1005', name: 'Data from Local System', tactics: ['collection'], sources: [] },
      ],
      new Map(),
    );
    expect(rollUpCoverage(coverage).byTactic.map((t) => t.tactic)).toEqual(['collection', null]);
  });
});

describe('summarizeActorCoverage and rankActorsByShareMissed', () => {
  it('summarizes an actor: detected counts prevented, alerted and detected', () => {
    expect(summarizeActorCoverage(everyVerdict())).toEqual({
      actor: copperLynx.actor,
      techniques: 20,
      tested: 16,
      detected: 12,
      missed: 4,
      missedShare: 0.2,
    });
  });

  it('ranks the worst covered actor first, then by untested, then by name', () => {
    const line = (name: string, techniques: number, tested: number, missed: number) => ({
      actor: { key: `k:${name}`, name, id: null },
      techniques,
      tested,
      detected: tested - missed,
      missed,
      missedShare: techniques === 0 ? 0 : missed / techniques,
    });
    const ranked = rankActorsByShareMissed([
      line('Barely tested', 20, 1, 1),
      line('Mostly missed', 10, 10, 8),
      line('Beta', 10, 5, 0),
      line('Alpha', 10, 5, 0),
      line('Never tested', 10, 0, 0),
      line('Empty', 0, 0, 0),
    ]);
    expect(ranked.map((l) => l.actor.name)).toEqual([
      'Mostly missed',
      'Barely tested',
      'Never tested',
      'Alpha',
      'Beta',
      'Empty',
    ]);
  });
});
