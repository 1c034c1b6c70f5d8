import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFileName } from '../../src/connectors/threatstack/agents-export.ts';
import {
  type RunningThreatStackSimulator,
  startThreatStackSimulator,
} from '../../src/simulators/threatstack/server.ts';
import { runCli, threatStackEnv } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';

/** The environment with the simulator's endpoint but none of the vendor's credentials. */
function endpointOnly(sim: RunningThreatStackSimulator, home: string): NodeJS.ProcessEnv {
  const env = threatStackEnv(sim, { VIGIL_HOME: home });
  for (const name of ['TS_USER_ID', 'TS_API_KEY', 'TS_ORGANIZATION_ID', 'TS_ORGANIZATION_NAME'])
    delete env[name];
  return env;
}

/** A threatstack.cfg as the vendor's scripts read it, the organization in [STAGING]. */
function scriptsConfig(sim: RunningThreatStackSimulator): string {
  const { userId, apiKey, orgId, orgName } = sim.credentials;
  return [
    '[USER_INFO]',
    `TS_USER_ID = "${userId}"`,
    `TS_API_KEY = "${apiKey}"`,
    '',
    '[DEFAULT]',
    'TS_ORGANIZATION_ID = not-this-one',
    `TS_ORGANIZATION_NAME = "${orgName}"`,
    '',
    '# the organization of these tests',
    '[STAGING]',
    `TS_ORGANIZATION_ID = '${orgId}'`,
    '',
  ].join('\n');
}

/** Issue 10 item 12: where `agents export` writes, what it says, and where its settings come from. */
describe('vigil agents export: output and sources', () => {
  let sim: RunningThreatStackSimulator;
  let dir: string;
  let cfg: string;
  beforeAll(async () => {
    sim = await startThreatStackSimulator({ agents: 7, offlineRatio: 0, rateLimit: 0 });
    dir = await mkdtemp(join(tmpdir(), 'vigil-export-sources-'));
    cfg = join(dir, 'threatstack.cfg');
    await writeFile(cfg, scriptsConfig(sim), { mode: 0o600 });
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the path it wrote after the vendor script’s lines', async () => {
    const file = join(dir, 'named.csv');
    const result = await runInProcess(['agents', 'export', '-o', file], threatStackEnv(sim));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Returned 7 agents.\n7 agents written to file.\nWrote 7 agents to ${file}\n`);
    expect(result.stderr).toBe('');
  });

  it('-o - writes the data to stdout and the progress lines to stderr', async () => {
    const result = await runInProcess(
      ['agents', 'export', '-o', '-', '--format', 'json'],
      threatStackEnv(sim),
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveLength(7);
    expect(result.stderr).toBe('Returned 7 agents.\n7 agents written to file.\nWrote 7 agents to stdout.\n');
    expect(await readdir(dir)).not.toContain('-');
  });

  it('--status all exports the offline agents when no agent is online', async () => {
    const offline = await startThreatStackSimulator({ agents: 5, offlineRatio: 1, rateLimit: 0 });
    try {
      const result = await runInProcess(
        ['agents', 'export', '--status', 'all', '-o', '-'],
        threatStackEnv(offline),
      );
      expect(result.code).toBe(0);
      const rows = result.stdout.split('\r\n').filter((line) => line !== '');
      expect(rows).toHaveLength(1 + 5);
      expect(rows.slice(1).every((row) => row.split(',')[2] === 'offline')).toBe(true);
    } finally {
      await offline.close();
    }
  });

  it('names the default file with the ASCII letters and digits of the organization name', async () => {
    const cwd = await mkdtemp(join(dir, 'unicode-'));
    const result = await runCli(['agents', 'export'], {
      env: threatStackEnv(sim, { TS_ORGANIZATION_NAME: 'Café Ünïcode' }),
      cwd,
    });
    expect(result.code).toBe(0);
    const expected = exportFileName('Cafncode', new Date(), 'csv');
    expect(expected).toMatch(/^agents-Cafncode-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(await readdir(cwd)).toEqual([expected]);
    expect(result.stdout).toContain(`Wrote 7 agents to ${expected}\n`);
  });

  it('--config threatstack.cfg --section STAGING reads the vendor scripts’ file, key never shown', async () => {
    const out = join(dir, 'from-cfg.csv');
    const env = endpointOnly(sim, join(dir, 'home-cfg'));
    const result = await runInProcess(
      ['agents', 'export', '--config', cfg, '--section', 'STAGING', '-o', out],
      env,
    );
    expect(result.code).toBe(0);
    expect((await readFile(out, 'utf8')).split('\r\n').filter((line) => line !== '')).toHaveLength(8);
    expect(result.stdout + result.stderr).not.toContain(sim.credentials.apiKey);

    const wrongSection = await runInProcess(['agents', 'export', '--config', cfg, '-o', out], env);
    expect(wrongSection.code).not.toBe(0);
    expect(wrongSection.stderr).not.toContain(sim.credentials.apiKey);
  });

  it('warns when threatstack.cfg is readable by group or others', async () => {
    const open = join(dir, 'open.cfg');
    await writeFile(open, scriptsConfig(sim));
    await chmod(open, 0o644);
    const result = await runInProcess(
      ['agents', 'export', '--config', open, '--section', 'STAGING', '-o', join(dir, 'open.csv')],
      endpointOnly(sim, join(dir, 'home-open')),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `warning: ${open} holds an API key and is readable by others (mode 644); run chmod 600 ${open}.\n`,
    );
  });

  it('refuses two sources of settings, and --section without --config', async () => {
    const env = endpointOnly(sim, join(dir, 'home-flags'));
    const both = await runInProcess(['agents', 'export', '--integration', 'x', '--config', cfg], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^error INPUT_INVALID: Give --integration or --config, not both\./);
    const section = await runInProcess(['agents', 'export', '--section', 'STAGING'], env);
    expect(section.code).toBe(2);
    expect(section.stderr).toMatch(/^error INPUT_INVALID: --section goes with --config/);
    const sync = await runInProcess(['sync', 'threatstack', '--section', 'STAGING'], env);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toMatch(/^error INPUT_INVALID: --section goes with --config/);
  });

  it('names the line of a malformed threatstack.cfg', async () => {
    const bad = join(dir, 'bad.cfg');
    await writeFile(bad, '[USER_INFO]\nTS_USER_ID\n', { mode: 0o600 });
    const result = await runInProcess(['agents', 'export', '--config', bad], endpointOnly(sim, dir));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error INPUT_INVALID: ${bad} line 2 is not`));
  });

  it('integrations add --from-config stores the key sealed; export --integration and sync --config use it', async () => {
    const home = join(dir, 'home-integration');
    const db = join(home, 'vigil.db');
    const env = endpointOnly(sim, home);
    const url = new URL(sim.url);
    const added = await runInProcess(
      [
        'integrations',
        'add',
        'threatstack',
        '--name',
        'staging',
        '--from-config',
        cfg,
        '--section',
        'STAGING',
        '--host',
        url.hostname,
        '--port',
        url.port,
        '--protocol',
        'http',
        '--no-sync',
        '--db',
        db,
      ],
      env,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    for (const name of await readdir(home)) {
      expect(await readFile(join(home, name))).not.toContain(Buffer.from(sim.credentials.apiKey));
    }

    const out = join(dir, 'from-integration.csv');
    const exported = await runInProcess(
      ['agents', 'export', '--integration', 'staging', '--db', db, '-o', out],
      env,
    );
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toContain(`Wrote 7 agents to ${out}\n`);

    const synced = await runInProcess(
      [
        'sync',
        'threatstack',
        '--config',
        cfg,
        '--section',
        'STAGING',
        '--db',
        join(home, 'sync.db'),
        '--json',
      ],
      env,
    );
    expect(synced.code).toBe(0);
    expect((JSON.parse(synced.stdout) as { status: string }).status).toBe('success');
    expect(synced.stdout).not.toContain(sim.credentials.apiKey);
  });
});
