import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledCataloguePath, loadAttackCatalogue } from '../../src/attack/catalogue.ts';
import { VigilError } from '../../src/errors.ts';
import { importExecutionLog } from '../../src/validation/importers/index.ts';

const catalogue = loadAttackCatalogue({ path: bundledCataloguePath });
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/validation/${name}`, import.meta.url), 'utf8');

function importError(text: string, source = 'log'): VigilError {
  try {
    importExecutionLog(text, source, catalogue);
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected the import to fail');
}

describe("Invoke-AtomicRedTeam's CSV execution log", () => {
  const csv = fixture('atomic-execution-log.csv');

  it('maps technique, host, IP, process id, start time and exit status', () => {
    const { format, actions, skipped } = importExecutionLog(csv, 'art.csv', catalogue);
    expect(format).toBe('atomic-csv');
    expect(skipped).toEqual([]);
    expect(actions.map(({ id: _id, ...rest }) => rest)).toEqual([
      {
        technique: 'T1059.004',
        target: { hostname: 'web-01', ips: ['10.0.0.5'], ports: [] },
        processId: 4242,
        startedAt: '2026-11-25T12:00:00Z',
        outcome: 'ran',
        source: 'import',
      },
      {
        technique: 'T1105',
        target: { hostname: 'web-01', ips: ['10.0.0.5'], ports: [] },
        processId: 4310,
        startedAt: '2026-11-25T12:00:30Z',
        outcome: 'failed',
        source: 'import',
      },
      {
        technique: 'T1003.008',
        target: { hostname: 'db-02', ips: ['10.0.0.9'], ports: [] },
        processId: 5120,
        startedAt: '2026-11-25T12:01:00Z',
        outcome: 'ran',
        source: 'import',
      },
    ]);
  });

  it('gives the same ids on every import of the same file, distinct per row', () => {
    const first = importExecutionLog(csv, 'art.csv', catalogue).actions.map((a) => a.id);
    expect(importExecutionLog(csv, 'art.csv', catalogue).actions.map((a) => a.id)).toEqual(first);
    expect(new Set(first).size).toBe(3);
    expect(first[0]).toMatch(/^atomic-csv:[0-9a-f]{20}$/);
  });

  it.each([
    [
      (t: string) => t.replace('"T1105"', '"T9999"'),
      'art.csv, line 3, Technique: T9999 is not in the ATT&CK catalogue',
    ],
    [(t: string) => t.replace('"4310"', '""'), 'art.csv, line 3, ProcessId: "" is not a process id'],
    [
      (t: string) => t.replace('"2026-11-25T12:01:00Z"', '"25/11/2026"'),
      'art.csv, line 4, Execution Time (UTC): must be an ISO-8601',
    ],
    [(t: string) => t.replace('"db-02"', '""'), 'art.csv, line 4, Hostname: missing'],
    [
      (t: string) => t.replace(',"0"\r\n"2026-11-25T12:00:30Z"', '\r\n"2026-11-25T12:00:30Z"'),
      'art.csv, line 2: 10 fields where the header has 11.',
    ],
    [(t: string) => t.replace('"Hostname"', '"Host"'), 'art.csv: the header has no "Hostname" column.'],
    [(t: string) => `${t}"2026-11-25T12:02:00Z","oops`, 'art.csv, line 5: a quoted field is not closed.'],
  ])('rejects a bad file naming the line and field (%#)', (change, message) => {
    const error = importError(change(csv), 'art.csv');
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message.startsWith(message)).toBe(true);
  });
});

describe('ATTiRe JSON execution log', () => {
  const attire = fixture('atomic-attire.json');

  it('maps one action per step, with the command, times and a timeout as failed', () => {
    const { format, actions } = importExecutionLog(attire, 'attire.json', catalogue);
    expect(format).toBe('atomic-attire');
    expect(actions).toHaveLength(2);
    expect(actions[0]).toMatchObject({
      technique: 'T1059.004',
      target: { hostname: 'web-01', ips: ['10.0.0.5'] },
      commandLine: expect.stringContaining('sh /tmp/art.sh'),
      processId: 4242,
      startedAt: '2026-11-25T12:00:00.000Z',
      endedAt: '2026-11-25T12:00:02.000Z',
      outcome: 'ran',
    });
    expect(actions[1]).toMatchObject({
      technique: 'T1105',
      startedAt: '2026-11-25T12:00:30.000Z',
      outcome: 'failed',
    });
  });

  it('names the procedure, step and field of a bad record', () => {
    const log = JSON.parse(attire);
    log.procedures[1].steps[0]['time-start'] = 'soon';
    expect(importError(JSON.stringify(log), 'attire.json').message).toMatch(
      /^attire\.json, procedures\[1\]\.steps\[0\], time-start: must be an ISO-8601/,
    );
    log.procedures[1].steps = 'none';
    expect(importError(JSON.stringify(log), 'attire.json').message).toBe(
      'attire.json, procedures[1], steps: must be an array',
    );
    delete log['execution-data'].target;
    log.procedures.pop();
    expect(importError(JSON.stringify(log), 'attire.json').message).toBe(
      'attire.json, procedures[0].steps[0], execution-data.target.host: missing',
    );
  });
});

describe('Caldera operation event logs and reports', () => {
  it('maps completed links of an event log and skips the ones that never completed', () => {
    const { format, actions, skipped } = importExecutionLog(
      fixture('caldera-event-logs.json'),
      'ops.json',
      catalogue,
    );
    expect(format).toBe('caldera-event-logs');
    expect(
      actions.map((a) => [
        a.technique,
        a.target.hostname,
        a.commandLine,
        a.processId,
        a.startedAt,
        a.endedAt,
        a.outcome,
      ]),
    ).toEqual([
      ['T1033', 'web-01', 'whoami', 7001, '2026-11-25T12:00:03Z', '2026-11-25T12:00:04Z', 'ran'],
      [
        'T1003.008',
        'web-01',
        'cat /etc/shadow',
        7002,
        '2026-11-25T12:00:10Z',
        '2026-11-25T12:00:15Z',
        'failed',
      ],
    ]);
    expect(skipped).toEqual([{ where: '[2]', reason: 'link status -3: the link did not complete' }]);
  });

  it('maps a report, taking the host and its IPs from host_group', () => {
    const { format, actions, skipped } = importExecutionLog(
      fixture('caldera-report.json'),
      'report.json',
      catalogue,
    );
    expect(format).toBe('caldera-report');
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      technique: 'T1033',
      target: { hostname: 'web-01', ips: ['10.0.0.5', 'fe80::1'] },
      commandLine: 'whoami',
      startedAt: '2026-11-25T12:00:00Z',
      outcome: 'ran',
    });
    expect(skipped).toEqual([
      { where: 'steps.vxmxqb.steps[1]', reason: 'link status -1: the link did not complete' },
    ]);
  });

  it('a link with neither command nor pid cannot be tied to events', () => {
    const logs = JSON.parse(fixture('caldera-event-logs.json'));
    logs[0].command = '';
    logs[0].plaintext_command = null;
    logs[0].pid = null;
    expect(importError(JSON.stringify(logs), 'ops.json').message).toMatch(
      /^ops\.json, \[0\], command \/ pid: give a command line, a marker or a process id/,
    );
  });

  it('names the link and field of a bad record', () => {
    const logs = JSON.parse(fixture('caldera-event-logs.json'));
    logs[1].attack_metadata.technique_id = null;
    expect(importError(JSON.stringify(logs), 'ops.json').message).toBe(
      'ops.json, [1], attack_metadata.technique_id: missing',
    );
    logs[0].status = 'done';
    expect(importError(JSON.stringify(logs), 'ops.json').message).toBe(
      'ops.json, [0], status: "done" is not a link status',
    );
  });
});

describe('format recognition and limits', () => {
  it.each([
    ['{"hello": 1}', 'log: not an execution log Vigil can read.'],
    ['42', 'log: not an execution log Vigil can read.'],
    ['name,value\n', 'log: not an execution log Vigil can read.'],
    ['{"procedures": [', 'log: not valid JSON'],
  ])('rejects %j', (text, message) => {
    expect(importError(text).message.startsWith(message)).toBe(true);
  });

  it('refuses a log with more actions than one validation holds', () => {
    const [header, row] = fixture('atomic-execution-log.csv').split('\r\n');
    const text = [header, ...Array.from({ length: 101 }, () => row)].join('\r\n');
    expect(importError(text).code).toBe('VALIDATION_TOO_LARGE');
  });
});
