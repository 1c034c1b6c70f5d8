import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('vigil rules and rule-alerts', () => {
  let dir: string;
  let db: string;
  const env = { ...process.env };
  delete env.VIGIL_DB;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-rules-cli-'));
    db = join(dir, 'vigil.db');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('adds, lists, shows and removes a rule without printing a webhook path', async () => {
    const added = await runCli(
      [
        ...['rules', 'add', '--name', 'new agents', '--query', 'FIND threatstack_agent'],
        ...['--query', "FIND cve WITH severity = 'high'", '--when', 'query1.total >= 5'],
        ...['--action', 'webhook:https://hooks.slack.com/services/T0/B0/secret-token', '--action', 'log'],
        ...['--every', '90m', '--db', db],
      ],
      { env },
    );
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toMatch(/^Added rule new agents \(.+\)\.\n$/);

    const listed = await runCli(['rules', 'list', '--json', '--db', db], { env });
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        name: 'new agents',
        queries: [
          { label: 'query0', text: 'FIND threatstack_agent' },
          { label: 'query1', text: "FIND cve WITH severity = 'high'" },
        ],
        when: 'query1.total >= 5',
        actions: ['webhook:https://hooks.slack.com/…', 'log'],
        every: '90m',
        enabled: true,
      }),
    ]);

    const shown = await runCli(['rules', 'show', 'NEW AGENTS', '--db', db], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('when query1.total >= 5');
    expect(shown.stdout).toContain('last evaluated: never; open alert: none');
    expect(shown.stdout + listed.stdout).not.toContain('secret-token');

    expect(await runCli(['rules', 'remove', 'new agents', '--db', db], { env })).toMatchObject({ code: 0 });
    expect((await runCli(['rules', 'list', '--db', db], { env })).stdout).toContain('No rules yet');
  });

  it('refuses a bad condition with exit 2 and the column, and unknown alerts with NOT_FOUND', async () => {
    const bad = await runCli(
      [
        'rules',
        'add',
        '--name',
        'r',
        '--query',
        'FIND cve',
        '--when',
        'query0.total >> 1',
        '--action',
        'log',
        '--db',
        db,
      ],
      { env },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "error INPUT_INVALID: Condition 'query0.total >> 1' is not valid at column 15",
    );

    const missing = await runCli(['rule-alerts', 'dismiss', 'nope', '--json', '--db', db], { env });
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const alerts = await runCli(['rule-alerts', 'list', '--status', 'active', '--db', db], { env });
    expect(alerts).toMatchObject({ code: 0, stdout: 'No rule alerts.\n' });
  });
});
