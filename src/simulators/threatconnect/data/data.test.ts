import { describe, expect, it } from 'vitest';
import { Dataset } from './dataset.ts';
import { FIRST_GROUP_ID, generateData, generateOwners } from './generate.ts';
import { attackTechniques, techniqueById } from './techniques.ts';
import { ordinaryTags } from './vocabulary.ts';

const TECHNIQUE_ID = /\bT\d{4}(?:\.\d{3})?\b/;

describe('the ATT&CK vocabulary', () => {
  it('holds 60–100 techniques with unique, well-formed ids and names', () => {
    expect(attackTechniques.length).toBeGreaterThanOrEqual(60);
    expect(attackTechniques.length).toBeLessThanOrEqual(100);
    expect(new Set(attackTechniques.map((t) => t.id)).size).toBe(attackTechniques.length);
    expect(new Set(attackTechniques.map((t) => t.name)).size).toBe(attackTechniques.length);
    for (const { id, name } of attackTechniques) {
      expect(id).toMatch(/^T\d{4}(\.\d{3})?$/);
      // ' - ' separates the parts of the display and legacy styles, so a name must not contain it.
      expect(name).not.toContain(' - ');
      expect(TECHNIQUE_ID.test(name)).toBe(false);
    }
  });

  it('names sub-techniques `<Parent>: <Sub>`, with the parent’s own name when the parent is listed', () => {
    for (const { id, name } of attackTechniques) {
      const parentId = id.split('.')[0] ?? '';
      if (id === parentId) {
        expect(name).not.toContain(':');
        continue;
      }
      expect(name).toMatch(/^[^:]+: [^:]+$/);
      const parent = attackTechniques.find((t) => t.id === parentId);
      if (parent) expect(name.startsWith(`${parent.name}: `)).toBe(true);
    }
  });

  it('looks techniques up by id and throws for one it does not know', () => {
    expect(techniqueById('T1566')).toEqual({ id: 'T1566', name: 'Phishing', tactic: 'INI' });
    expect(() => techniqueById('T9999')).toThrow(/T9999/);
  });
});

describe('the generated dataset', () => {
  it('hands out owners as Organization, Community, Source, … then one inaccessible Community', () => {
    const owners = generateOwners(1, 6);
    expect(owners.map((o) => o.type)).toEqual([
      'Organization',
      'Community',
      'Source',
      'Community',
      'Source',
      'Community',
      'Community',
    ]);
    expect(owners[1]?.name).toBe('Common Community');
    expect(owners.map((o) => o.accessible)).toEqual([true, true, true, true, true, true, false]);
    expect(new Set(owners.map((o) => o.name)).size).toBe(owners.length);
    const many = generateOwners(1, 100);
    expect(new Set(many.map((o) => o.name)).size).toBe(101);
  });

  it("starts the group ids at the spec's example adversary 12345, in the default Organization", () => {
    for (const seed of [1, 2, 99]) {
      const { owners, groups } = generateData(seed, { owners: 2, adversaries: 3, threatsPerAdversary: 1 });
      expect(groups[0]).toMatchObject({ id: FIRST_GROUP_ID, kind: 'Adversary', owner: owners[0] });
      const ids = groups.map((g) => g.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('puts a technique id in a threat name only when the threat carries that ATT&CK tag', () => {
    const { groups } = generateData(5, { owners: 3, adversaries: 40, threatsPerAdversary: 3 });
    const named = groups.filter((g) => g.kind === 'Threat' && TECHNIQUE_ID.test(g.name));
    expect(named.length).toBeGreaterThan(0);
    for (const threat of named) expect(threat.techniques).toContain(threat.name.match(TECHNIQUE_ID)?.[0]);
    for (const tag of ordinaryTags) expect(TECHNIQUE_ID.test(tag)).toBe(false);
  });

  it('gives every adversary unique names within its owner and at least one ATT&CK tag', () => {
    const dataset = new Dataset(9, { owners: 2, adversaries: 300, threatsPerAdversary: 0 });
    for (const owner of dataset.owners) {
      const adversaries = dataset.groupsOf(owner, 'Adversary');
      expect(new Set(adversaries.map((a) => a.name)).size).toBe(300);
      for (const adversary of adversaries) expect(adversary.techniques.length).toBeGreaterThan(0);
    }
  });
});
