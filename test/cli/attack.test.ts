import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueFrom } from '../../src/attack/catalogue.ts';
import { repoRoot, runCli } from '../helpers/cli.ts';

const fixture = join(repoRoot, 'test', 'fixtures', 'attack', 'enterprise-attack-mini.json');

/** The environment of a `vigil` run with its own VIGIL_HOME and no inherited catalogue location. */
function envWith(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...overrides };
  if (overrides.VIGIL_ATTACK_CATALOGUE === undefined) delete env.VIGIL_ATTACK_CATALOGUE;
  return env;
}

/** Flags, output and exit codes; what import and show do is tested in process in src/app/attack.test.ts. */
describe('vigil attack import / show (real processes)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-attack-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows bundled techniques until a bundle is imported, then only the imported ones', async () => {
    const home = join(dir, 'home', 'nested');
    const env = envWith({ VIGIL_HOME: home });

    const before = await runCli(['attack', 'show', 'LSASS Memory', '--json'], { env });
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({
      id: 'T1003.001',
      fullName: 'OS Credential Dumping: LSASS Memory',
      tactics: ['credential-access'],
      parent: { id: 'T1003', name: 'OS Credential Dumping' },
      catalogue: { source: 'MITRE ATT&CK Enterprise', version: '15.1' },
    });

    const imported = await runCli(['attack', 'import', fixture], { env });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const written = join(home, 'attack-catalogue.json');
    expect(imported.stdout).toBe(
      'Imported MITRE ATT&CK Enterprise 9.9: 2 techniques, 3 sub-techniques.\n' +
        'Skipped 2 revoked, 1 deprecated and 3 other attack patterns.\n' +
        `Written to ${written}\n`,
    );
    const catalogue = catalogueFrom(JSON.parse(await readFile(written, 'utf8')));
    expect(catalogue.all().map((technique) => technique.id)).toEqual([
      'T1055',
      'T1055.005',
      'T1566',
      'T1566.001',
      'T1566.002',
    ]);

    const shown = await runCli(['attack', 'show', 'T1566'], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(
      [
        'T1566  Phishing',
        '  tactics:         initial-access',
        '  parent:          none',
        '  sub-techniques:',
        '    T1566.001  Spearphishing Attachment',
        '    T1566.002  Spearphishing Link',
        '  catalogue:       MITRE ATT&CK Enterprise 9.9',
        '  threat actors:   none synced',
        '',
      ].join('\n'),
    );

    const gone = await runCli(['attack', 'show', 'T1003.001'], { env });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(
      /^error NOT_FOUND: No ATT&CK technique matches 'T1003\.001'\. \(The catalogue is MITRE ATT&CK Enterprise 9\.9;/,
    );
  });

  it('writes to VIGIL_ATTACK_CATALOGUE or --output, and prints a JSON summary', async () => {
    const target = join(dir, 'env-target.json');
    const env = envWith({ VIGIL_HOME: join(dir, 'unused-home'), VIGIL_ATTACK_CATALOGUE: target });
    const viaEnv = await runCli(['attack', 'import', fixture, '--json'], { env });
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toEqual({
      source: 'MITRE ATT&CK Enterprise',
      version: '9.9',
      techniques: 2,
      subTechniques: 3,
      skipped: { revoked: 2, deprecated: 1, other: 3 },
      output: target,
    });
    await expect(stat(join(dir, 'unused-home'))).rejects.toThrow();

    const output = join(dir, 'chosen', 'catalogue.json');
    const viaFlag = await runCli(['attack', 'import', fixture, '--output', output, '--json'], { env });
    expect(viaFlag.code).toBe(0);
    expect(JSON.parse(viaFlag.stdout).output).toBe(output);
    expect((await stat(output)).isFile()).toBe(true);
  });

  it('refuses a missing file with INPUT_INVALID, exit 2, as JSON with --json', async () => {
    const env = envWith({ VIGIL_HOME: join(dir, 'bad-input-home') });
    const missing = join(dir, 'missing.json');
    const result = await runCli(['attack', 'import', missing, '--json'], { env });
    expect(result.code).toBe(2);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toContain(missing);
    expect(error.message).toContain('Cannot read');
  });

  it('reports FILE_WRITE_FAILED when the output cannot be written', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const result = await runCli(['attack', 'import', fixture, '--output', join(blocker, 'catalogue.json')], {
      env: envWith({ VIGIL_HOME: join(dir, 'write-home') }),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error FILE_WRITE_FAILED: Cannot write .*a-file\/catalogue\.json/);
  });
});
