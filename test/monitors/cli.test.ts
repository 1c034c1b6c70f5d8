import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/app/settings.ts';
import { withVigil } from '../../src/app/vigil.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';

/** `vigil monitors add|list|show|remove` in process, on a temporary home (no vendor needed). */
describe('vigil monitors', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  const vigil = (...args: string[]) => runInProcess(['monitors', ...args], env);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'vigil-monitors-cli-'));
    env = { VIGIL_HOME: home, VIGIL_SECRET_KEY: randomBytes(32).toString('base64') };
    await withVigil(parseSettings({ env }), (app) =>
      app.integrations.add(
        {
          kind: 'threatstack',
          name: 'ts',
          apiKey: 'key',
          fields: {
            host: 'ts.invalid',
            userId: 'u',
            orgId: 'o',
            orgName: 'Org',
            queryTimeMinutes: 5,
            delayTimeMinutes: 10,
          },
        },
        { firstSync: false },
      ),
    );
  });

  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('adds (warning when it runs more often than a run can finish), lists, shows and removes', async () => {
    const added = await vigil(
      'add',
      '--name',
      'quick',
      '--techniques',
      'T1059.004',
      'T1105',
      '--integration',
      'ts',
      '--host',
      'web-01',
      '--every',
      '10m',
      '--expect',
      'detected',
      '--action',
      'webhook:https://hooks.example.com/T0/B0/secret-token',
      '--json',
    );
    expect(added.code).toBe(0);
    expect(added.stderr).toContain('warning: monitor quick: Runs every 10m');
    expect(added.stdout).not.toContain('secret-token');
    expect(JSON.parse(added.stdout)).toMatchObject({
      name: 'quick',
      techniques: ['T1059.004', 'T1105'],
      every: '10m',
      actions: ['webhook:https://hooks.example.com/…'],
    });
    const list = await vigil('list');
    expect(list.stdout).toMatch(/quick\s+ts\s+2\s+web-01\s+10m\s+detected\s+never/);
    const shown = await vigil('show', 'quick');
    expect(shown.stdout).toContain('No runs yet.');
    expect(shown.stdout).toContain('No drift.');
    const removed = await vigil('remove', 'QUICK');
    expect([removed.code, removed.stdout]).toEqual([0, 'Removed monitor quick.\n']);
    expect((await vigil('show', 'quick')).code).toBe(1);
  });

  it('refuses both --actor and --techniques, and an unknown --expect', async () => {
    const both = await vigil(
      'add',
      '--name',
      'x',
      '--actor',
      'APT1',
      '--techniques',
      'T1105',
      '--integration',
      'ts',
      '--host',
      'h',
      '--every',
      '1d',
      '--expect',
      'detected',
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either an actor or techniques');
    const expectation = await vigil(
      'add',
      '--name',
      'x',
      '--techniques',
      'T1105',
      '--integration',
      'ts',
      '--host',
      'h',
      '--every',
      '1d',
      '--expect',
      'sometimes',
    );
    expect(expectation.code).toBe(2);
  });
});
