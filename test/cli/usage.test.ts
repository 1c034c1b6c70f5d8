import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/in-process-cli.ts';

const env: NodeJS.ProcessEnv = { VIGIL_HOME: mkdtempSync(join(tmpdir(), 'vigil-usage-')) };
const vigil = (...args: string[]) => runInProcess(args, env);

describe('usage and help as a new user meets them', () => {
  it('bare `vigil` and `vigil help` print the usage with the commands, exit 0', async () => {
    for (const args of [[], ['help']]) {
      const result = await vigil(...args);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^Usage: vigil \[options\] \[command\]/);
      expect(result.stdout).toMatch(/\n {2}integrations\b/);
    }
  });

  it('a bare group prints its usage on stderr and exits 2', async () => {
    for (const group of ['sync', 'integrations', 'graph']) {
      const result = await vigil(group);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Usage: vigil ${group} [options] [command]`);
      expect(result.stderr).not.toContain('outputHelp');
    }
  });

  it('`vigil help integrations add` prints the help of add, not of the group', async () => {
    const result = await vigil('help', 'integrations', 'add');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: vigil integrations add \[options\] <kind>/);
  });

  it('an unknown command, asked for help or run, is a usage error listing the commands', async () => {
    for (const args of [['help', 'nonexistent'], ['nonexistent']]) {
      const result = await vigil(...args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^error USAGE_INVALID: unknown command 'nonexistent' \(Commands: sync, graph, /,
      );
    }
    const nested = await vigil('help', 'integrations', 'nope');
    expect(nested.stderr).toMatch(/unknown command 'integrations nope' \(Commands: add, /);
  });

  it('`attack show` with a name two techniques share lists both, exit 2', async () => {
    const result = await vigil('attack', 'show', 'Spearphishing Attachment');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error INPUT_INVALID: 2 ATT&CK techniques are named 'Spearphishing Attachment'. " +
        '(Name one by id or full name: T1566.001 Phishing: Spearphishing Attachment; ' +
        'T1598.002 Phishing for Information: Spearphishing Attachment.)\n',
    );
    const help = await vigil('help', 'attack', 'show');
    expect(help.stdout).toContain('(LSASS Memory)');
  });

  it('speaks in flags: a missing setting names its flag, a bad simulator level is a usage error', async () => {
    const keyFile = join(env.VIGIL_HOME ?? '', 'key');
    writeFileSync(keyFile, 'key0123456789abcdefghij0123456789abcdef\n', { mode: 0o600 });
    const add = await vigil(
      'integrations',
      'add',
      'threatstack',
      '--name',
      'x',
      '--no-sync',
      '--api-key-file',
      keyFile,
    );
    expect(add.code).toBe(2);
    expect(add.stderr).toMatch(
      /^error CONFIG_INVALID: --user-id is required \(the user id of an application key\); --org-id is required /,
    );
    expect(add.stderr).not.toMatch(/userId|Invalid input/);
    for (const vendor of ['threatstack', 'threatconnect']) {
      const simulator = await vigil('simulate', vendor, '--log-level', 'loud');
      expect(simulator.code).toBe(2);
      expect(simulator.stderr).toMatch(/^error USAGE_INVALID: --log-level must be one of fatal, /);
    }
  });
});
