import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledCataloguePath, catalogueFrom } from '../../src/attack/catalogue.ts';
import { enterpriseTactics } from '../../src/attack/tactics.ts';

interface StoredTechnique {
  id: string;
  name: string;
  tactics: string[];
}

/** The data file as written in the repository, read without the catalogue code under test. */
const stored = JSON.parse(readFileSync(bundledCataloguePath, 'utf8')) as {
  source: string;
  version: string;
  notice: string;
  techniques: StoredTechnique[];
};
const byId = new Map(stored.techniques.map((technique) => [technique.id, technique]));

describe('the bundled ATT&CK Enterprise data file', () => {
  it('names its source, version and the MITRE terms of use', () => {
    expect(stored.source).toBe('MITRE ATT&CK Enterprise');
    expect(stored.version).toBe('15.1');
    expect(stored.notice).toContain('© The MITRE Corporation');
    expect(stored.notice).toContain('ATT&CK Terms of Use');
  });

  it('holds exactly the 202 techniques and 435 sub-techniques MITRE published for v15.1', () => {
    const subTechniques = stored.techniques.filter((technique) => technique.id.includes('.'));
    expect(stored.techniques.length - subTechniques.length).toBe(202);
    expect(subTechniques).toHaveLength(435);
  });

  it('has well-formed, unique ids sorted in order', () => {
    const ids = stored.techniques.map((technique) => technique.id);
    expect(ids.filter((id) => !/^T\d{4}(?:\.\d{3})?$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());
  });

  it("gives every sub-technique a parent in the file, and no name a 'Parent: Sub' prefix", () => {
    const orphans = stored.techniques.filter(
      (t) => t.id.includes('.') && !byId.has(t.id.split('.')[0] ?? ''),
    );
    expect(orphans).toEqual([]);
    expect(stored.techniques.filter((technique) => technique.name.includes(': '))).toEqual([]);
    expect(stored.techniques.filter((technique) => technique.name.trim() !== technique.name)).toEqual([]);
  });

  it('uses only the 14 Enterprise tactics, each technique at least one, in matrix order', () => {
    for (const technique of stored.techniques) {
      expect(technique.tactics.length, technique.id).toBeGreaterThan(0);
      const positions = technique.tactics.map((tactic) =>
        enterpriseTactics.indexOf(tactic as (typeof enterpriseTactics)[number]),
      );
      expect(
        positions.every((position) => position >= 0),
        technique.id,
      ).toBe(true);
      expect(positions, technique.id).toEqual([...new Set(positions)].sort((a, b) => a - b));
    }
    const used = new Set(stored.techniques.flatMap((technique) => technique.tactics));
    expect([...used].sort()).toEqual([...enterpriseTactics].sort());
  });

  it.each([
    ['T1059.001', 'PowerShell', ['execution']],
    ['T1003.001', 'LSASS Memory', ['credential-access']],
    ['T1566.002', 'Spearphishing Link', ['initial-access']],
    ['T1055.005', 'Thread Local Storage', ['privilege-escalation', 'defense-evasion']],
    ['T1078', 'Valid Accounts', ['initial-access', 'persistence', 'privilege-escalation', 'defense-evasion']],
    ['T1484', 'Domain or Tenant Policy Modification', ['privilege-escalation', 'defense-evasion']],
    ['T1554', 'Compromise Host Software Binary', ['persistence']],
    ['T1665', 'Hide Infrastructure', ['command-and-control']],
    ['T1657', 'Financial Theft', ['impact']],
  ])('has %s %s with tactics %j', (id, name, tactics) => {
    expect(byId.get(id)).toEqual({ id, name, tactics });
  });

  it('leaves out revoked and deprecated entries and later additions', () => {
    for (const absent of ['T1547.011', 'T1053.001', 'T1086', 'T1064', 'T1546.017', 'T1558.005', 'T1666']) {
      expect(byId.has(absent), absent).toBe(false);
    }
  });

  it('loads as a catalogue through the validating constructor', () => {
    const catalogue = catalogueFrom(stored);
    expect(catalogue.size).toBe(637);
    expect(catalogue.version).toBe('15.1');
  });
});
