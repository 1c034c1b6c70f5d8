import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningThreatConnectSimulator,
  startThreatConnectSimulator,
} from '../../src/simulators/threatconnect/server.ts';
import {
  type RunningThreatStackSimulator,
  startThreatStackSimulator,
} from '../../src/simulators/threatstack/server.ts';
import { type CliResult, repoRoot } from '../helpers/cli.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';

/** What `--json` prints for an integration. */
interface View {
  id: string;
  name: string;
  kind: string;
  apiKey: string | null;
  config: Record<string, unknown>;
  lastRun?: { id: string; status: string } | null;
}

interface Report {
  runId: string;
  integrationId: string;
  status: string;
  types: Array<{
    type: string;
    kind: string;
    total: number;
    created: number;
    updated: number;
    deleted: number;
  }>;
  requests: Record<string, number>;
}

const proxyPassword = 'proxy-pa55word-never-shown';

/**
 * The commands' flags, output and exit codes, run in this process (`runInProcess`), or as real
 * processes where they read stdin. What the commands do is tested through the services in
 * test/integrations/services.test.ts.
 */
describe('vigil integrations and vigil runs against the simulators (command line)', () => {
  let ts: RunningThreatStackSimulator;
  let tc: RunningThreatConnectSimulator;
  let dir: string;
  let db: string;
  let keyFile: string;
  let tcKeyFile: string;
  /** Keeps a connection open so SQLite keeps the WAL file for the raw-key check. */
  let holder: Database.Database;
  const outputs: string[] = [];

  /**
   * Runs `vigil` with a clean environment (no vendor keys) and records its output: in this process,
   * or as a real process when it reads stdin.
   */
  async function vigil(args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    for (const name of ['VIGIL_DB', 'VIGIL_SECRET_KEY', 'VIGIL_HOME', 'TS_API_KEY', 'TC_API_KEY']) {
      if (options.env?.[name] === undefined) delete env[name];
    }
    env.VIGIL_HOME = join(dir, 'home');
    const result =
      options.input === undefined
        ? await runInProcess([...args, '--db', db], env)
        : await spawned([...args, '--db', db], env, options.input);
    outputs.push(result.stdout, result.stderr);
    return result;
  }

  function spawned(args: readonly string[], env: NodeJS.ProcessEnv, input: string) {
    return new Promise<CliResult>((resolve, reject) => {
      const child = spawn(process.execPath, [join(repoRoot, 'bin', 'vigil.js'), ...args], {
        cwd: dir,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.stdin.end(input);
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** Flags of a Threat Stack integration of the primary organization, or of `org` (one integration per organization). */
  const tsFlags = (
    org: { id: string; name: string } = { id: ts.credentials.orgId, name: ts.credentials.orgName },
  ) => {
    const url = new URL(ts.url);
    return [
      '--host',
      url.hostname,
      '--port',
      url.port,
      '--protocol',
      'http',
      '--user-id',
      ts.credentials.userId,
      '--org-id',
      org.id,
      '--org-name',
      org.name,
      '--requests-per-minute',
      '0',
    ];
  };
  const json = <T>(result: CliResult): T => JSON.parse(result.stdout) as T;

  beforeAll(async () => {
    ts = await startThreatStackSimulator({
      agents: 60,
      cves: 15,
      findingsPerAgent: 2,
      alerts: 20,
      rateLimit: 0,
    });
    tc = await startThreatConnectSimulator({ owners: 2, adversaries: 3, threatsPerAdversary: 2 });
    dir = await mkdtemp(join(tmpdir(), 'vigil-integrations-cli-'));
    db = join(dir, 'vigil.db');
    keyFile = join(dir, 'ts-key.txt');
    tcKeyFile = join(dir, 'tc-key.txt');
    await writeFile(keyFile, `${ts.credentials.apiKey}\n`, { mode: 0o600 });
    await writeFile(tcKeyFile, tc.credentials.apiKey, { mode: 0o600 });
    holder = new Database(db);
    holder.pragma('journal_mode = WAL');
    // A connection that has read the database holds the WAL open until it closes.
    holder.prepare('SELECT count(*) FROM sqlite_master').get();
  });

  afterAll(async () => {
    holder?.close();
    await ts?.close();
    await tc?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('adds a Threat Stack integration with --api-key-stdin and runs its first sync at once', async () => {
    const result = await vigil(
      ['integrations', 'add', 'threatstack', '--name', 'ts-stdin', ...tsFlags(), '--api-key-stdin'],
      {
        input: `${ts.credentials.apiKey}\n`,
      },
    );
    expect(result.stderr).toMatch(/\[5\/5\] Alerts \(last 7 days\): success/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Added threatstack integration ts-stdin \(id [0-9a-f-]{36}\); first sync:/,
    );
    expect(result.stdout).toMatch(/Threat Stack sync of ts-stdin: success in /);
    expect(result.stdout).toMatch(/requests \d+ · retries \d+/);
    expect(statSync(join(dir, 'vigil.key')).mode & 0o777).toBe(0o600);
  });

  it('adds with --api-key-file and --no-sync (JSON: masked key, defaults), then syncs it by name', async () => {
    const added = await vigil([
      'integrations',
      'add',
      'threatstack',
      '--name',
      'ts-file',
      ...tsFlags(ts.simulation.directory.secondary),
      '--api-key-file',
      keyFile,
      '--no-sync',
      '--json',
    ]);
    expect(added.code).toBe(0);
    const { integration, sync } = json<{ integration: View; sync: Report | null }>(added);
    expect(sync).toBeNull();
    expect(integration.apiKey).toBe('[set]');

    const synced = await vigil(['integrations', 'sync', 'ts-file', '--json']);
    expect(synced.code).toBe(0);
    const report = json<Report>(synced);
    expect(report.status).toBe('success');
    expect(report.integrationId).toBe(integration.id);

    const human = await vigil(['integrations', 'sync', 'ts-file']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Threat Stack sync of ts-file: success in /);
    expect(human.stdout).toMatch(/type\s+kind\s+total\s+created\s+updated\s+deleted/);
    expect(human.stderr).toMatch(/\[5\/5\] Alerts/);
  });

  it('lists the runs of an integration and shows one with its steps and per-type changes', async () => {
    type Listed = { id: string; integration: string; status: string; changes: { created: number } };
    const [first] = json<Listed[]>(await vigil(['runs', 'list', '--integration', 'ts-stdin', '--json']));
    expect(first?.integration).toBe('ts-stdin');

    const human = await vigil(['runs', 'show', first?.id ?? '']);
    expect(human.stdout).toMatch(new RegExp(`^Run ${first?.id} of ts-stdin: success`));
    expect(human.stdout).toMatch(/Agents and protected hosts\s+success\s+60/);
    expect(human.stdout).toMatch(/threatstack_agent\s+entity\s+60\s+0\s+0/);

    const all = await vigil(['runs', 'list']);
    expect(all.stdout.match(/ts-(stdin|file)\s+success/g)).toHaveLength(3);
    expect((await vigil(['runs', 'show', 'no-such-run'])).stderr).toMatch(/^error NOT_FOUND: /);
  });

  it('lists and shows integrations with the key masked', async () => {
    const table = await vigil(['integrations', 'list']);
    expect(table.stdout).toMatch(/^name\s+kind\s+endpoint\s+proxy\s+every\s+api key\s+last sync/);
    expect(table.stdout).toMatch(
      /ts-stdin\s+threatstack\s+http:\/\/127\.0\.0\.1:\d+\s+1h\s+\[set\]\s+success/,
    );
    const show = await vigil(['integrations', 'show', 'ts-stdin']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/apiKey\s+\[set\]/);
    expect(show.stdout).toMatch(/queryTimeMinutes\s+5\n/);
  });

  it('rejects bad values naming the fields and keeps the old config', async () => {
    const bad = await vigil(['integrations', 'update', 'ts-file', '--port', '70000', '--query-time', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error CONFIG_INVALID: .*port:.*queryTimeMinutes:/);
    const notNumber = await vigil(['integrations', 'update', 'ts-file', '--delay-time', 'soon']);
    expect(notNumber.stderr).toMatch(/^error INPUT_INVALID: --delay-time must be a whole number/);
    const badDuration = await vigil([
      'integrations',
      'update',
      'ts-file',
      '--sync-interval',
      'weekly',
      '--json',
    ]);
    expect(json<{ error: { code: string } }>(badDuration).error.code).toBe('INPUT_INVALID');
  });

  it('updates only the settings given; the proxy password is masked, and --no-proxy clears it', async () => {
    const before = json<View>(await vigil(['integrations', 'show', 'ts-file', '--json']));
    const good = await vigil([
      'integrations',
      'update',
      'ts-file',
      '--query-time',
      '10',
      '--event-time-adjustment=-30',
      '--no-discover-devices',
      '--sync-interval',
      '30m',
      '--proxy',
      `http://bob:${proxyPassword}@127.0.0.1:3128`,
      '--json',
    ]);
    expect(good.code).toBe(0);
    expect(json<View>(good).config).toEqual({
      ...before.config,
      queryTimeMinutes: 10,
      eventTimeAdjustmentSeconds: -30,
      discoverDevices: false,
      syncIntervalSeconds: 1800,
      proxy: 'http://bob:***@127.0.0.1:3128',
    });
    const shown = await vigil(['integrations', 'show', 'ts-file']);
    expect(shown.stdout).toMatch(/proxy\s+http:\/\/bob:\*\*\*@127\.0\.0\.1:3128/);
    const cleared = await vigil(
      ['integrations', 'update', 'ts-file', '--no-proxy', '--api-key-stdin', '--json'],
      {
        input: ts.credentials.apiKey,
      },
    );
    expect(json<View>(cleared).config.proxy).toBeNull();
    expect((await vigil(['integrations', 'update', 'ts-file'])).stderr).toMatch(
      /^error INPUT_INVALID: Nothing to update/,
    );
  });

  it('tests connectivity: OK exits 0, a wrong key AUTH_FAILED exits 1', async () => {
    const ok = await vigil(['integrations', 'test', 'ts-stdin']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK: \d+ checks passed\n {2}✓ /);
    expect(ok.stdout).not.toContain('passed every check —');

    const wrong = await vigil(
      [
        'integrations',
        'add',
        'threatstack',
        '--name',
        'ts-wrong',
        ...tsFlags({ id: 'org-of-nobody', name: 'Nobody' }),
        '--no-sync',
      ],
      {
        env: { TS_API_KEY: 'wrong-key-0123456789abcdefghijklmnopqrstuv' },
      },
    );
    expect(wrong.code).toBe(0);
    const failed = await vigil(['integrations', 'test', 'ts-wrong', '--json']);
    expect(failed.code).toBe(1);
    expect(json<{ code: string }>(failed).code).toBe('AUTH_FAILED');
    const told = await vigil(['integrations', 'test', 'ts-wrong']);
    expect(told.code).toBe(1);
    expect(told.stdout).toBe('');
    expect(told.stderr).toMatch(/^error AUTH_FAILED: .*\n {2}✓ /);
  });

  it('adds a ThreatConnect integration and its first sync succeeds', async () => {
    const url = new URL(tc.url);
    const result = await vigil([
      'integrations',
      'add',
      'threatconnect',
      '--name',
      'tc',
      '--host',
      url.hostname,
      '--port',
      url.port,
      '--protocol',
      'http',
      '--api-root',
      tc.apiRoot,
      '--access-id',
      tc.credentials.accessId,
      '--api-key-file',
      tcKeyFile,
      '--json',
    ]);
    expect(result.code).toBe(0);
    const { integration, sync } = json<{ integration: View; sync: Report }>(result);
    expect(integration.config).toMatchObject({
      kind: 'threatconnect',
      syncIntervalSeconds: 86_400,
      apiRoot: tc.apiRoot,
    });
    expect(sync.status).toBe('success');
    expect(sync.integrationId).toBe(integration.id);
    expect(sync.types.find((t) => t.type === 'threatconnect_adversary')?.total).toBeGreaterThan(0);
  });

  it('refuses a missing key, a taken name and an unknown kind; removes an integration', async () => {
    const noKey = await vigil(['integrations', 'add', 'threatstack', '--name', 'ts-nokey', ...tsFlags()]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^error CONFIG_INVALID: No API key was given for ts-nokey/);
    const taken = await vigil([
      'integrations',
      'add',
      'threatstack',
      '--name',
      'TS-FILE',
      ...tsFlags({ id: 'org-of-nobody-else', name: 'Nobody Else' }),
      '--api-key-file',
      keyFile,
    ]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/^error INPUT_INVALID: An integration named 'TS-FILE' already exists/);
    expect((await vigil(['integrations', 'add', 'splunk', '--name', 'x'])).stderr).toMatch(
      /^error USAGE_INVALID: /,
    );

    const removed = await vigil(['integrations', 'remove', 'ts-wrong']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/^Removed threatstack integration ts-wrong/);
    const gone = await vigil(['integrations', 'show', 'ts-wrong', '--json']);
    expect(gone.code).toBe(1);
    expect(json<{ error: { code: string } }>(gone).error.code).toBe('NOT_FOUND');
  });

  it('never lets a raw secret reach the database file, its WAL or any output', () => {
    const files = [db, `${db}-wal`, `${db}-shm`].filter((file) => existsSync(file));
    expect(files).toContain(`${db}-wal`);
    // The files do hold the registry in clear (so a leak would be found), only never a secret.
    const stored = Buffer.concat(files.map((file) => readFileSync(file)));
    expect(stored.includes(Buffer.from(ts.credentials.userId))).toBe(true);
    expect(stored.includes(Buffer.from(tc.credentials.accessId))).toBe(true);
    const secrets = [ts.credentials.apiKey, tc.credentials.apiKey, proxyPassword];
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const secret of secrets)
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
    }
    const everything = outputs.join('\n');
    expect(outputs.length).toBeGreaterThan(40);
    for (const secret of secrets) expect(everything.includes(secret), `${secret} in CLI output`).toBe(false);
  });
});
