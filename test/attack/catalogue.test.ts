import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  type AttackCatalogue,
  bundledCataloguePath,
  catalogueFrom,
  extractTechniqueIds,
  importedCataloguePath,
  loadAttackCatalogue,
  resolveTechniqueTag,
  techniquesNamed,
} from '../../src/attack/catalogue.ts';
import { VigilError } from '../../src/errors.ts';

/** Throws unless `run` throws a VigilError; returns it for assertions. */
function caught(run: () => unknown): VigilError {
  try {
    run();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

const small = {
  source: 'test',
  version: '1.0',
  techniques: [
    { id: 'T1566', name: 'Phishing', tactics: ['initial-access'] },
    { id: 'T1566.002', name: 'Spearphishing Link', tactics: ['initial-access'] },
    { id: 'T1598', name: 'Phishing for Information', tactics: ['reconnaissance'] },
    { id: 'T1598.003', name: 'Spearphishing Link', tactics: ['reconnaissance'] },
    { id: 'T1055', name: 'Process Injection', tactics: ['privilege-escalation', 'defense-evasion'] },
    { id: 'T1055.005', name: 'Thread Local Storage', tactics: ['privilege-escalation', 'defense-evasion'] },
  ],
};

describe('catalogueFrom', () => {
  const catalogue = catalogueFrom(small);

  it('finds techniques by id, case-insensitively, with parents and full names', () => {
    expect(catalogue.size).toBe(6);
    expect(catalogue.get('t1055.005')).toEqual({
      id: 'T1055.005',
      name: 'Thread Local Storage',
      fullName: 'Process Injection: Thread Local Storage',
      tactics: ['privilege-escalation', 'defense-evasion'],
      parentId: 'T1055',
    });
    expect(catalogue.get('T1566')).toMatchObject({ fullName: 'Phishing', parentId: null });
    expect(catalogue.get('T9999')).toBeUndefined();
  });

  it('lists every technique sorted by id, and hands out frozen techniques', () => {
    const all = catalogue.all();
    expect(all.map((technique) => technique.id)).toEqual([
      'T1055',
      'T1055.005',
      'T1566',
      'T1566.002',
      'T1598',
      'T1598.003',
    ]);
    all.pop();
    expect(catalogue.all()).toHaveLength(6);
    expect(Object.isFrozen(all[0])).toBe(true);
    expect(Object.isFrozen(all[0]?.tactics)).toBe(true);
  });

  it('finds by full name or unique bare name, ignoring case and spacing, never guessing', () => {
    expect(catalogue.findByName('phishing')?.id).toBe('T1566');
    expect(catalogue.findByName('  Process Injection:Thread   Local Storage ')?.id).toBe('T1055.005');
    expect(catalogue.findByName('thread local storage')?.id).toBe('T1055.005');
    expect(catalogue.findByName('Phishing for Information: Spearphishing Link')?.id).toBe('T1598.003');
    expect(catalogue.findByName('Spearphishing Link')).toBeUndefined();
    expect(catalogue.findByName('Finance')).toBeUndefined();
  });

  it('lists every technique sharing a name', () => {
    expect(techniquesNamed('spearphishing link', catalogue).map((t) => t.id)).toEqual([
      'T1566.002',
      'T1598.003',
    ]);
    expect(techniquesNamed('Phishing: Spearphishing Link', catalogue).map((t) => t.id)).toEqual([
      'T1566.002',
    ]);
  });

  it.each([
    [
      { ...small, techniques: [...small.techniques, { id: 'T1566', name: 'Again', tactics: ['impact'] }] },
      'duplicate id T1566',
    ],
    [
      { ...small, techniques: [{ id: 'T1059.001', name: 'PowerShell', tactics: ['execution'] }] },
      'has no parent T1059',
    ],
    [{ ...small, techniques: [{ id: 'T59', name: 'Short', tactics: ['execution'] }] }, 'techniques.0.id'],
    [
      { ...small, techniques: [{ id: 'T1059', name: 'X', tactics: ['Execution'] }] },
      'techniques.0.tactics.0',
    ],
    [{ ...small, techniques: [] }, 'techniques'],
    [{ techniques: small.techniques }, 'source'],
    ['not an object', 'Not an ATT&CK catalogue'],
  ])('rejects invalid data with INPUT_INVALID (%#)', (data, fragment) => {
    const error = caught(() => catalogueFrom(data));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toContain(fragment);
  });
});

describe('extractTechniqueIds', () => {
  it('finds ids in order, upper-cased and de-duplicated', () => {
    expect(extractTechniqueIds('t1059.001 then T1003, again T1059.001 and (T1566.002)')).toEqual([
      'T1059.001',
      'T1003',
      'T1566.002',
    ]);
  });

  it('ignores ids glued to other words or digits', () => {
    expect(extractTechniqueIds('AT1566 T15660 T123 xT1003 1T1003')).toEqual([]);
    expect(extractTechniqueIds('')).toEqual([]);
  });
});

describe('resolveTechniqueTag on the bundled catalogue', () => {
  const catalogue: AttackCatalogue = loadAttackCatalogue({ path: bundledCataloguePath });

  it.each([
    ['T1566 - Phishing', 'T1566', 'id'],
    ['T1055.005 - Process Injection: Thread Local Storage', 'T1055.005', 'id'],
    ['T1499.004 - Endpoint Denial of Service: Application or System Exploitation', 'T1499.004', 'id'],
    ['T1566 - Phishing - INI - ENT - ATT&CK', 'T1566', 'id'],
    ['T1059 - Command and Scripting Interpreter - EXE - ENT - ATT&CK', 'T1059', 'id'],
    ['t1071.001 - web protocols - c&c - ent - att&ck', 'T1071.001', 'id'],
    ['Phishing', 'T1566', 'name'],
    ['phishing', 'T1566', 'name'],
    ['Process Injection: Thread Local Storage', 'T1055.005', 'name'],
    ['Thread Local Storage', 'T1055.005', 'name'],
    ['PowerShell', 'T1059.001', 'name'],
    ['LSASS Memory', 'T1003.001', 'name'],
    ['Phishing - INI - ENT - ATT&CK', 'T1566', 'name'],
    ['Web Protocols - C&C - ENT - ATT&CK', 'T1071.001', 'name'],
    ['Phishing: Spearphishing Link', 'T1566.002', 'name'],
  ] as const)('resolves %j to %s via %s', (tag, id, via) => {
    expect(resolveTechniqueTag(tag, catalogue)).toEqual({ id, via });
  });

  it.each(['Finance', 'APT28', 'Spearphishing Link', 'Domains', 'Steganography', 'Phishing - Finance', ''])(
    'gives null for %j, which names no single technique',
    (tag) => {
      expect(resolveTechniqueTag(tag, catalogue)).toBeNull();
    },
  );

  it('prefers an id the catalogue knows, yet keeps an id from a newer ATT&CK release', () => {
    expect(resolveTechniqueTag('T1666 and T1566', catalogue)).toEqual({ id: 'T1566', via: 'id' });
    expect(resolveTechniqueTag('T1666 - Modify Cloud Resource Hierarchy', catalogue)).toEqual({
      id: 'T1666',
      via: 'id',
    });
  });
});

describe('loadAttackCatalogue', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-attack-'));
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the bundled catalogue when nothing was imported', () => {
    vi.stubEnv('VIGIL_HOME', join(dir, 'empty-home'));
    vi.stubEnv('VIGIL_ATTACK_CATALOGUE', '');
    const catalogue = loadAttackCatalogue();
    expect(catalogue.version).toBe('15.1');
    expect(catalogue.get('T1566.002')?.fullName).toBe('Phishing: Spearphishing Link');
    expect(loadAttackCatalogue()).toBe(catalogue);
  });

  it('prefers $VIGIL_HOME/attack-catalogue.json, and VIGIL_ATTACK_CATALOGUE over that', () => {
    const home = join(dir, 'home');
    writeCatalogue(join(home, 'attack-catalogue.json'), 'home');
    writeCatalogue(join(dir, 'explicit.json'), 'explicit');
    vi.stubEnv('VIGIL_HOME', home);
    vi.stubEnv('VIGIL_ATTACK_CATALOGUE', '');
    expect(importedCataloguePath()).toBe(join(home, 'attack-catalogue.json'));
    expect(loadAttackCatalogue().version).toBe('home');
    vi.stubEnv('VIGIL_ATTACK_CATALOGUE', join(dir, 'explicit.json'));
    expect(loadAttackCatalogue().version).toBe('explicit');
  });

  it('defaults VIGIL_HOME to .vigil', () => {
    expect(importedCataloguePath({})).toBe(join('.vigil', 'attack-catalogue.json'));
    expect(importedCataloguePath({ VIGIL_HOME: '', VIGIL_ATTACK_CATALOGUE: '' })).toBe(
      join('.vigil', 'attack-catalogue.json'),
    );
  });

  it('caches per path, and reads a rewritten file again', () => {
    const path = join(dir, 'cached.json');
    writeCatalogue(path, 'first');
    const first = loadAttackCatalogue({ path });
    expect(loadAttackCatalogue({ path })).toBe(first);
    writeCatalogue(path, 'second-and-longer');
    utimesSync(path, new Date(2030, 0, 1), new Date(2030, 0, 1));
    expect(loadAttackCatalogue({ path }).version).toBe('second-and-longer');
  });

  it('names the path of a corrupt catalogue in a CONFIG_INVALID error', () => {
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{"source": ');
    const parseError = caught(() => loadAttackCatalogue({ path: notJson }));
    expect(parseError.code).toBe('CONFIG_INVALID');
    expect(parseError.message).toContain(notJson);
    expect(parseError.message).toContain('not readable JSON');

    const wrongShape = join(dir, 'wrong.json');
    vi.stubEnv('VIGIL_ATTACK_CATALOGUE', wrongShape);
    writeFileSync(wrongShape, JSON.stringify({ source: 's', version: 'v', techniques: [{ id: 'X1' }] }));
    const shapeError = caught(() => loadAttackCatalogue());
    expect(shapeError.code).toBe('CONFIG_INVALID');
    expect(shapeError.message).toContain(wrongShape);
    expect(shapeError.message).toContain('techniques.0.id');
    expect(shapeError.hint).toContain('vigil attack import');
  });

  it('refuses an explicit path with nothing there, or a directory', () => {
    expect(caught(() => loadAttackCatalogue({ path: join(dir, 'missing.json') })).code).toBe('NOT_FOUND');
    expect(caught(() => loadAttackCatalogue({ path: dir })).code).toBe('CONFIG_INVALID');
  });

  function writeCatalogue(path: string, version: string): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ ...small, version }));
  }
});
