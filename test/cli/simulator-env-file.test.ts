import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, repoRoot } from '../helpers/cli.ts';
import { Vigil } from '../helpers/vigil-process.ts';

/** The README's recipe: load the env file in a shell, then `vigil sync <vendor> --json`. */
function syncWithEnvFile(vendor: string, envFile: string, home: string): Promise<CliResult> {
  const script = `set -a; . "$ENV_FILE"; set +a; exec "$NODE" bin/vigil.js sync ${vendor} --json`;
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ENV_FILE: envFile,
      NODE: process.execPath,
      VIGIL_HOME: home,
    };
    const child = spawn('sh', ['-c', script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const small: Record<string, string[]> = {
  threatstack: [
    '--agents',
    '20',
    '--cves',
    '10',
    '--findings-per-agent',
    '2',
    '--alerts',
    '5',
    '--rate-limit',
    '0',
  ],
  threatconnect: ['--owners', '1', '--adversaries', '2', '--threats-per-adversary', '1'],
};

describe('simulate --write-env: the vendor variables for a sync, without jq', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-env-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['threatstack', 'threatconnect'])(
    '%s: a 0600 env file a shell loads, and the sync succeeds',
    async (vendor) => {
      const envFile = join(dir, `${vendor}.env`);
      const simulator = new Vigil([
        'simulate',
        vendor,
        '--port',
        '0',
        ...(small[vendor] ?? []),
        '--write-env',
        envFile,
      ]);
      try {
        await simulator.firstLine();
        expect((await stat(envFile)).mode & 0o777).toBe(0o600);
        const result = await syncWithEnvFile(vendor, envFile, join(dir, `${vendor}-home`));
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect((JSON.parse(result.stdout) as { status: string }).status).toBe('success');
      } finally {
        await simulator.stop('SIGTERM');
      }
    },
  );
});
