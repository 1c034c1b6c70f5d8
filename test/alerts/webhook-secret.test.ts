import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookSecretRecheckMs, webhookSecretService, webhookUrl } from '../../src/alerts/webhook-secret.ts';
import { VigilError } from '../../src/errors.ts';
import { openSealedSecret, type SecretCipher, sealSecret } from '../../src/integrations/secrets.ts';
import { storeBackends, type TestStore } from '../../src/store/testing.ts';
import type { GraphStore } from '../../src/store/types.ts';

const key = Buffer.alloc(32, 7);
const cipher: SecretCipher = {
  seal: (plaintext, context) => sealSecret(key, plaintext, context),
  open: (sealed, context) => {
    const plaintext = openSealedSecret(key, sealed, context);
    if (plaintext === undefined) throw new VigilError('CONFIG_INVALID', 'does not decrypt');
    return plaintext;
  },
};

const integration = (id: string, kind: string) => ({
  id,
  name: `name-${id}`,
  kind,
  config: {},
  secrets: {},
  createdAt: '2026-11-25T12:00:00.000Z',
  updatedAt: '2026-11-25T12:00:00.000Z',
});

const sqlite = storeBackends.filter((backend) => backend.name === 'sqlite');

describe.each(sqlite)('webhook secrets on $name', (backend) => {
  let opened: TestStore;
  let store: GraphStore;
  let counter = 0;
  const service = () =>
    webhookSecretService({
      store,
      cipher,
      now: () => Date.UTC(2026, 10, 25, 12, 0, 0),
      randomBytes: (size) => Buffer.alloc(size, ++counter),
    });

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    await store.insertIntegration(integration('ts1', 'threatstack'));
    await store.insertIntegration(integration('tc1', 'threatconnect'));
  });

  afterEach(async () => {
    await opened.dispose();
  });

  it('creates a secret on first use, keeps it sealed, and shows the same one again', async () => {
    const secrets = service();
    const first = await secrets.secretOf('ts1');
    expect(first.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await secrets.secretOf('ts1')).toEqual(first);
    const row = await store.getWebhookSecret('ts1');
    expect(row?.sealed).not.toContain(first.secret);
    expect(cipher.open(row?.sealed ?? '', 'webhook:ts1')).toBe(first.secret);
  });

  it('accepts only the current secret of an existing Threat Stack integration, by exact id', async () => {
    const secrets = service();
    const { secret } = await secrets.secretOf('ts1');
    expect(await secrets.verifySecret('ts1', secret)).toBe(true);
    expect(await secrets.verifySecret('ts1', `${secret}x`)).toBe(false);
    expect(await secrets.verifySecret('ts1', '')).toBe(false);
    expect(await secrets.verifySecret('name-ts1', secret)).toBe(false);
    expect(await secrets.verifySecret('unknown', secret)).toBe(false);
    expect(await secrets.verifySecret('tc1', secret)).toBe(false);
  });

  it('rotation replaces the secret: the old URL stops working at once', async () => {
    const secrets = service();
    const old = await secrets.secretOf('ts1');
    const rotated = await secrets.rotate('ts1');
    expect(rotated.secret).not.toBe(old.secret);
    expect(await secrets.verifySecret('ts1', old.secret)).toBe(false);
    expect(await secrets.verifySecret('ts1', rotated.secret)).toBe(true);
    expect(await secrets.secretOf('ts1')).toEqual(rotated);
  });

  it('trusts a secret it read for webhookSecretRecheckMs: a rotation elsewhere takes effect within it', async () => {
    let clock = Date.UTC(2026, 10, 25, 12, 0, 0);
    const inProcess = (name: string) =>
      webhookSecretService({
        store,
        cipher,
        now: () => clock,
        randomBytes: (size) => Buffer.alloc(size, name.length + ++counter),
      });
    const receiver = inProcess('receiver');
    const other = inProcess('other process');
    const old = await receiver.secretOf('ts1');
    expect(await receiver.verifySecret('ts1', old.secret)).toBe(true);
    const rotated = await other.rotate('ts1');
    // The new secret works at once: a mismatch reads the store.
    expect(await receiver.verifySecret('ts1', rotated.secret)).toBe(true);
    clock += webhookSecretRecheckMs;
    expect(await receiver.verifySecret('ts1', old.secret)).toBe(false);
    // An old secret still trusted when the other process rotates…
    const again = await other.rotate('ts1');
    clock += webhookSecretRecheckMs - 1;
    expect(await receiver.verifySecret('ts1', rotated.secret)).toBe(true);
    // …is refused once the bound has passed, and a removed integration's too.
    clock += 1;
    expect(await receiver.verifySecret('ts1', rotated.secret)).toBe(false);
    expect(await receiver.verifySecret('ts1', again.secret)).toBe(true);
    await store.deleteIntegration('ts1');
    clock += webhookSecretRecheckMs;
    expect(await receiver.verifySecret('ts1', again.secret)).toBe(false);
  });

  it('refuses integrations that are not Threat Stack ones', async () => {
    await expect(service().secretOf('tc1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service().rotate('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('webhookUrl', () => {
  it('joins the public base URL, the integration id and the secret', () => {
    expect(webhookUrl('https://vigil.example.com', 'ts1', 'abc')).toEqual({
      url: 'https://vigil.example.com/webhooks/threatstack/ts1/abc',
      https: true,
    });
    expect(webhookUrl('http://10.0.0.5:8080/vigil/', 'ts 1', 'a_b-c')).toEqual({
      url: 'http://10.0.0.5:8080/vigil/webhooks/threatstack/ts%201/a_b-c',
      https: false,
    });
  });

  it.each(['ftp://example.com', 'not a url', ''])('refuses %j as a public URL', (publicUrl) => {
    expect(() => webhookUrl(publicUrl, 'ts1', 'abc')).toThrow(/is not an http\(s\) URL/);
  });
});
