import { z } from 'zod';
import type { Driver } from '../driver.ts';
import { rowSchema } from '../rows.ts';
import type { SecretKeyState } from '../types.ts';

const FINGERPRINT = 'secret_key_fingerprint';
const valueRow = rowSchema(() => z.object({ value: z.string() }));

async function storedFingerprint(driver: Driver): Promise<string | undefined> {
  const [row] = await driver.all('SELECT value FROM database_settings WHERE name = ?', [FINGERPRINT]);
  return row === undefined ? undefined : valueRow.parse(row).value;
}

/**
 * The fingerprint of the key the database's secrets are sealed with (if recorded), and whether it
 * holds any sealed secret (an integration's, or a webhook secret).
 */
export async function secretKeyState(driver: Driver): Promise<SecretKeyState> {
  const fingerprint = await storedFingerprint(driver);
  const [row] = await driver.all(
    `SELECT CASE WHEN EXISTS (SELECT 1 FROM integrations WHERE CAST(secrets AS TEXT) <> '{}')
       OR EXISTS (SELECT 1 FROM webhook_secrets) THEN 1 ELSE 0 END AS holds`,
    [],
  );
  const holdsSecrets = Number(z.object({ holds: z.coerce.number() }).parse(row).holds) === 1;
  return { ...(fingerprint === undefined ? {} : { fingerprint }), holdsSecrets };
}

/** Records `fingerprint` unless one is recorded already; returns the one recorded (the first wins). */
export async function recordSecretKeyFingerprint(driver: Driver, fingerprint: string): Promise<string> {
  await driver.run(
    'INSERT INTO database_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
    [FINGERPRINT, fingerprint],
  );
  return (await storedFingerprint(driver)) ?? fingerprint;
}
