import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueFrom } from '../attack/catalogue.ts';
import { VigilError } from '../errors.ts';
import { findTechnique, importAttackCatalogue } from './attack.ts';
import { parseSettings } from './settings.ts';
import { attackCatalogueOf } from './vigil.ts';

const fixture = fileURLToPath(
  new URL('../../test/fixtures/attack/enterprise-attack-mini.json', import.meta.url),
);

async function failure(work: Promise<unknown> | (() => unknown)): Promise<VigilError> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

describe('ATT&CK import and lookup (what `vigil attack` calls)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-attack-app-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the bundled catalogue until one is imported into the home, then only the imported one', async () => {
    const settings = parseSettings({ env: { VIGIL_HOME: join(dir, 'home', 'nested') } });
    expect(findTechnique('LSASS Memory', attackCatalogueOf(settings)).id).toBe('T1003.001');
    const result = await importAttackCatalogue(fixture, settings.attackCatalogueFile);
    expect(result.data).toMatchObject({ source: 'MITRE ATT&CK Enterprise', version: '9.9' });
    expect(result.skipped).toEqual({ revoked: 2, deprecated: 1, other: 3 });
    const written = catalogueFrom(JSON.parse(await readFile(settings.attackCatalogueFile, 'utf8')));
    expect(written.all().map((technique) => technique.id)).toEqual([
      'T1055',
      'T1055.005',
      'T1566',
      'T1566.001',
      'T1566.002',
    ]);
    const imported = attackCatalogueOf(settings);
    expect(findTechnique('process injection: thread local storage', imported)).toMatchObject({
      id: 'T1055.005',
      parentId: 'T1055',
      tactics: ['privilege-escalation', 'defense-evasion'],
    });
    const gone = await failure(() => findTechnique('T1003.001', imported));
    expect([gone.code, gone.message]).toEqual(['NOT_FOUND', "No ATT&CK technique matches 'T1003.001'."]);
    expect(gone.hint).toMatch(/^The catalogue is MITRE ATT&CK Enterprise 9\.9;/);
  });

  it('VIGIL_ATTACK_CATALOGUE names the catalogue file instead of the home', async () => {
    const target = join(dir, 'env-target.json');
    const settings = parseSettings({
      env: { VIGIL_HOME: join(dir, 'unused-home'), VIGIL_ATTACK_CATALOGUE: target },
    });
    expect(settings.attackCatalogueFile).toBe(target);
    await importAttackCatalogue(fixture, settings.attackCatalogueFile);
    expect((await stat(target)).isFile()).toBe(true);
    await expect(stat(join(dir, 'unused-home'))).rejects.toThrow();
  });

  it('refuses a file that is missing, not JSON or not a STIX bundle with INPUT_INVALID naming it', async () => {
    const notJson = join(dir, 'not-json.json');
    await writeFile(notJson, '{"type": "bundle", ');
    const notBundle = join(dir, 'not-bundle.json');
    await writeFile(notBundle, JSON.stringify({ source: 'x', techniques: [] }));
    const output = join(dir, 'bad-input-home', 'attack-catalogue.json');
    for (const [file, message] of [
      [join(dir, 'missing.json'), 'Cannot read'],
      [notJson, 'is not JSON'],
      [notBundle, 'Not a STIX 2.1 bundle'],
    ] as const) {
      const error = await failure(importAttackCatalogue(file, output));
      expect(error.code).toBe('INPUT_INVALID');
      expect(error.message).toContain(file);
      expect(error.message).toContain(message);
    }
    await expect(stat(join(dir, 'bad-input-home'))).rejects.toThrow();
  });

  it('reports FILE_WRITE_FAILED when the output cannot be written', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const error = await failure(importAttackCatalogue(fixture, join(blocker, 'catalogue.json')));
    expect(error.code).toBe('FILE_WRITE_FAILED');
    expect(error.message).toMatch(/^Cannot write .*a-file\/catalogue\.json/);
  });

  it('lists the candidates when a bare name is ambiguous', async () => {
    const settings = parseSettings({ env: { VIGIL_HOME: join(dir, 'ambiguous-home') } });
    const error = await failure(() => findTechnique('Spearphishing Link', attackCatalogueOf(settings)));
    expect(error.toJSON()).toEqual({
      code: 'INPUT_INVALID',
      message: "2 ATT&CK techniques are named 'Spearphishing Link'.",
      hint:
        'Name one by id or full name: T1566.002 Phishing: Spearphishing Link; ' +
        'T1598.003 Phishing for Information: Spearphishing Link.',
    });
  });
});
