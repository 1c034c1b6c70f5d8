import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vigil } from '../helpers/vigil-process.ts';

/** `vigil serve` as a process: its URL on stdout once ready, the API and the jobs until SIGTERM. */
describe('vigil serve (spawned)', () => {
  let home: string;
  let savedHome: string | undefined;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'vigil-serve-cli-'));
    savedHome = process.env.VIGIL_HOME;
    process.env.VIGIL_HOME = home;
  });

  afterEach(async () => {
    if (savedHome === undefined) delete process.env.VIGIL_HOME;
    else process.env.VIGIL_HOME = savedHome;
    await rm(home, { recursive: true, force: true });
  });

  it('prints {"url":…} with --json once listening on a free port, answers, and stops on SIGTERM', async () => {
    const serve = new Vigil(['serve', '--port', '0', '--json', '--tick', '3600']);
    try {
      const line = JSON.parse(await serve.firstLine()) as { url: string };
      expect(line.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${line.url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect((await fetch(`${line.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${line.url}/api/v1/integrations`)).status).toBe(401);
    } finally {
      const exit = await serve.stop('SIGTERM');
      expect(exit.code).toBe(0);
      expect(exit.stdout.trim().split('\n')).toHaveLength(1);
    }
  });

  it('refuses plain HTTP on a non-loopback address without --insecure-http', async () => {
    const exit = await new Vigil(['serve', '--host', '0.0.0.0', '--port', '0']).done();
    expect(exit.code).not.toBe(0);
    expect(exit.stdout).toBe('');
    expect(exit.stderr).toContain('Refusing plain HTTP on 0.0.0.0');
  });
});
