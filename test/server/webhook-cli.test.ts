import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/app/settings.ts';
import { withVigil } from '../../src/app/vigil.ts';
import { runInProcess } from '../helpers/in-process-cli.ts';

/** `vigil integrations webhook NAME`: the URL to paste into Threat Stack, its secret nowhere else. */
describe('vigil integrations webhook', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'vigil-webhook-'));
    env = { VIGIL_HOME: home, VIGIL_SECRET_KEY: randomBytes(32).toString('base64') };
    await withVigil(parseSettings({ env }), async (vigil) => {
      await vigil.integrations.add(
        {
          kind: 'threatstack',
          name: 'ts-prod',
          fields: { userId: 'u1', orgId: 'org-1', orgName: 'Org One', host: 'api.threatstack.com' },
          apiKey: 'ts-key-never-shown',
        },
        { firstSync: false },
      );
    });
  });

  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const webhook = (...args: string[]) => runInProcess(['integrations', 'webhook', 'ts-prod', ...args], env);
  const urlPattern = /^https:\/\/vigil\.example\.com\/webhooks\/threatstack\/[^/]+\/[A-Za-z0-9_-]{43}$/;

  it('prints the same HTTPS URL each time, from --public-url or VIGIL_PUBLIC_URL, without a warning', async () => {
    const first = await webhook('--public-url', 'https://vigil.example.com', '--json');
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const shown = JSON.parse(first.stdout) as { url: string; https: boolean; rotated: boolean };
    expect(shown).toMatchObject({ integration: 'ts-prod', https: true, rotated: false });
    expect(shown.url).toMatch(urlPattern);
    env.VIGIL_PUBLIC_URL = 'https://vigil.example.com/';
    const again = await webhook();
    expect(again.stdout).toBe(
      `Paste this URL into Threat Stack (Settings > Integrations > Webhook API):\n${shown.url}\n`,
    );
  });

  it('--rotate replaces the secret and says the old URL stopped working', async () => {
    const before = JSON.parse((await webhook('--public-url', 'https://vigil.example.com', '--json')).stdout);
    const rotated = await webhook('--public-url', 'https://vigil.example.com', '--rotate', '--json');
    expect(rotated.stderr).toContain('the old URL stopped working');
    const after = JSON.parse(rotated.stdout) as { url: string; rotated: boolean };
    expect(after.rotated).toBe(true);
    expect(after.url).toMatch(urlPattern);
    expect(after.url).not.toBe(before.url);
    const secret = after.url.split('/').at(-1) ?? '';
    expect(rotated.stderr).not.toContain(secret);
  });

  it('warns on stderr when the URL is not HTTPS, and refuses without a public URL or for an unknown integration', async () => {
    const plain = await webhook('--public-url', 'http://10.0.0.5:8080');
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('not HTTPS; Threat Stack posts only to HTTPS URLs');
    const missing = await webhook();
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('--public-url');
    const unknown = await runInProcess(
      ['integrations', 'webhook', 'nope', '--public-url', 'https://vigil.example.com'],
      env,
    );
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('nope');
    const bad = await webhook('--public-url', 'ftp://vigil.example.com');
    expect(bad.stderr).toContain('not an http(s) URL');
  });
});
