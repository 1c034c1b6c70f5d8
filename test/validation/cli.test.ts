import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/app/settings.ts';
import { withVigil } from '../../src/app/vigil.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';

/**
 * `vigil validate record|import|list|show` in process, on a temporary home. Recording and importing
 * reach no vendor (the polls run later, in a job runtime), so the integration points nowhere.
 */
describe('vigil validate', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  const vigil = (...args: string[]) => runInProcess(['validate', ...args], env);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'vigil-validate-cli-'));
    env = { VIGIL_HOME: home, VIGIL_SECRET_KEY: randomBytes(32).toString('base64') };
    await withVigil(parseSettings({ env }), (app) =>
      app.integrations.add(
        {
          kind: 'threatstack',
          name: 'ts',
          apiKey: 'key',
          fields: { host: 'ts.invalid', userId: 'u', orgId: 'o', orgName: 'Org', queryTimeMinutes: 5 },
        },
        { firstSync: false },
      ),
    );
  });

  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('records an action, then lists and shows the validation with its schedule', async () => {
    const recorded = await vigil(
      'record',
      '--integration',
      'ts',
      '--technique',
      'T1059.004',
      '--host',
      'web-01',
      '--command',
      'bash -c id',
      '--at',
      '2026-11-25T12:00:00Z',
      '--outcome',
      'blocked',
      '--json',
    );
    expect(recorded.code).toBe(0);
    const created = JSON.parse(recorded.stdout) as { id: string; actions: number; firstPollAt: string };
    // Q = 5 min, I = 30 s, D = 0: the first poll is due at the action's start.
    expect(created).toMatchObject({ actions: 1, firstPollAt: '2026-11-25T12:00:00.000Z' });
    const list = await vigil('list');
    expect(list.stdout).toContain(created.id);
    expect(list.stdout).toMatch(/running\s+0\/1/);
    const shown = await vigil('show', created.id, '--json');
    const report = JSON.parse(shown.stdout) as { actions: Array<Record<string, unknown>> };
    expect(report.actions[0]).toMatchObject({
      action: {
        technique: 'T1059.004',
        outcome: 'blocked',
        source: 'manual',
        target: { hostname: 'web-01' },
      },
      progress: { pollsDone: 0, polls: 11, nextPollAt: '2026-11-25T12:00:00.000Z', windowsSearched: [] },
      verdict: null,
    });
    const text = await vigil('show', created.id);
    expect(text.stdout).toMatch(/T1059\.004\s+web-01\s+blocked\s+0\/11/);
    expect(text.stdout).toContain('pending');
  });

  it('imports an Invoke-AtomicRedTeam CSV log', async () => {
    const file = join(home, 'atomic.csv');
    await writeFile(
      file,
      [
        'Execution Time (UTC),Execution Time (Local),Technique,Test Number,Test Name,Hostname,IP Address,Username,GUID,ProcessId,ExitCode',
        '2026-11-25T12:00:00Z,2026-11-25T12:00:00Z,T1033,1,System Owner/User Discovery,web-01,10.0.0.5,root,0f2c2c1e-0000-4000-8000-000000000001,4242,0',
      ].join('\n'),
    );
    const imported = await vigil('import', '--integration', 'ts', file, '--json');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ actions: 1, name: 'atomic.csv' });
  });

  it('refuses a technique outside the ATT&CK catalogue and an unknown validation, naming them', async () => {
    const bad = await vigil(
      'record',
      '--integration',
      'ts',
      '--technique',
      'T9999',
      '--host',
      'h',
      '--command',
      'c',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/INPUT_INVALID: action\.technique: T9999 is not in the ATT&CK catalogue/);
    const missing = await vigil('show', 'nope');
    expect(missing.stderr).toMatch(/NOT_FOUND: No validation nope/);
  });
});
