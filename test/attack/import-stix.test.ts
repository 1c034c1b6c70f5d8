import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogueFrom } from '../../src/attack/catalogue.ts';
import { importStixBundle } from '../../src/attack/import-stix.ts';
import { formatCatalogueData } from '../../src/attack/schema.ts';
import { VigilError } from '../../src/errors.ts';

const fixturePath = new URL('../fixtures/attack/enterprise-attack-mini.json', import.meta.url);

/** A fresh copy of the hand-made miniature of MITRE's enterprise-attack.json. */
function fixture(): { type: string; objects: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(fixturePath, 'utf8'));
}

function caught(run: () => unknown): VigilError {
  try {
    run();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

/** An active Enterprise attack-pattern with the given id, as MITRE writes them. */
function pattern(id: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'attack-pattern',
    id: `attack-pattern--${id}`,
    name,
    external_references: [{ source_name: 'mitre-attack', external_id: id }],
    kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'execution' }],
    ...extra,
  };
}

describe('importStixBundle on the fixture', () => {
  const result = importStixBundle(fixture());

  it('keeps the active Enterprise techniques, sorted by id, with tactics in matrix order', () => {
    expect(result.data.techniques).toEqual([
      { id: 'T1055', name: 'Process Injection', tactics: ['privilege-escalation', 'defense-evasion'] },
      { id: 'T1055.005', name: 'Thread Local Storage', tactics: ['privilege-escalation', 'defense-evasion'] },
      { id: 'T1566', name: 'Phishing', tactics: ['initial-access'] },
      { id: 'T1566.001', name: 'Spearphishing Attachment', tactics: ['initial-access'] },
      { id: 'T1566.002', name: 'Spearphishing Link', tactics: ['initial-access'] },
    ]);
  });

  it('counts what it skipped: revoked (also when deprecated too), deprecated, and other', () => {
    // other: the Mobile pattern, the one without a mitre-attack id, the sub-technique without its parent.
    expect(result.skipped).toEqual({ revoked: 2, deprecated: 1, other: 3 });
  });

  it('takes the version from the x-mitre-collection object and labels the source', () => {
    expect(result.data.version).toBe('9.9');
    expect(result.data.source).toBe('MITRE ATT&CK Enterprise');
    expect(result.data.notice).toContain('The MITRE Corporation');
  });

  it('produces data that loads as a catalogue with Parent: Sub names', () => {
    const catalogue = catalogueFrom(result.data);
    expect(catalogue.get('T1055.005')?.fullName).toBe('Process Injection: Thread Local Storage');
    expect(catalogue.get('T1566.002')?.parentId).toBe('T1566');
    expect(catalogueFrom(JSON.parse(formatCatalogueData(result.data))).all()).toEqual(catalogue.all());
  });
});

describe('importStixBundle on edge cases', () => {
  it('reads the mitre-attack reference wherever it is and upper-cases its id', () => {
    const { data } = importStixBundle({
      type: 'bundle',
      objects: [
        pattern('T1059', 'Command and Scripting Interpreter', {
          external_references: [
            { source_name: 'capec', external_id: 'CAPEC-1' },
            { source_name: 'Some Report', url: 'https://example.com' },
            { source_name: 'mitre-attack', external_id: 't1059' },
          ],
        }),
      ],
    });
    expect(data.techniques.map((technique) => technique.id)).toEqual(['T1059']);
    expect(data.version).toBe('unknown');
  });

  it('makes a sub-technique of a dotted id, and rejects a flagged one without a dot', () => {
    const { data, skipped } = importStixBundle({
      type: 'bundle',
      objects: [
        pattern('T1059', 'Command and Scripting Interpreter'),
        pattern('T1059.001', 'PowerShell'),
        pattern('T1106', 'Native API', { x_mitre_is_subtechnique: true }),
      ],
    });
    expect(data.techniques.map((technique) => technique.id)).toEqual(['T1059', 'T1059.001']);
    expect(skipped.other).toBe(1);
  });

  it('keeps one entry per id and drops malformed patterns', () => {
    const { data, skipped } = importStixBundle({
      type: 'bundle',
      objects: [
        pattern('T1059', 'Command and Scripting Interpreter'),
        pattern('T1059', 'Duplicate'),
        pattern('T1106', ''),
        pattern('T1203', 'Exploitation for Client Execution', { kill_chain_phases: 'execution' }),
        pattern('T1204', 'User Execution', {
          kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'Not A Phase!' }],
        }),
        'not an object',
        null,
      ],
    });
    expect(data.techniques).toEqual([
      { id: 'T1059', name: 'Command and Scripting Interpreter', tactics: ['execution'] },
    ]);
    expect(skipped).toEqual({ revoked: 0, deprecated: 0, other: 4 });
  });

  it.each([
    [null],
    [[]],
    ['bundle'],
    [{ type: 'bundle' }],
    [{ type: 'indicator', objects: [] }],
    [{ type: 'bundle', objects: {} }],
  ])('refuses %j, which is not a STIX bundle, with INPUT_INVALID', (json) => {
    const error = caught(() => importStixBundle(json));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toContain('Not a STIX 2.1 bundle');
  });

  it('refuses a bundle with no active Enterprise technique, such as the Mobile one', () => {
    const mobileOnly = fixture();
    mobileOnly.objects = mobileOnly.objects.filter(
      (object) => object.type !== 'attack-pattern' || JSON.stringify(object).includes('mitre-mobile-attack'),
    );
    const error = caught(() => importStixBundle(mobileOnly));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toContain('no active ATT&CK Enterprise technique');
    expect(error.message).toContain('1 other');
  });
});
