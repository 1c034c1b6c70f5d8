import { z } from 'zod';
import type { Driver } from '../driver.ts';
import { rowSchema } from '../rows.ts';

const secretRowSchema = rowSchema(() => z.object({ sealed_secret: z.string(), created_at: z.string() }));

/** The sealed webhook secret of an integration and when it was made, or undefined. */
export async function getWebhookSecret(
  driver: Driver,
  integrationId: string,
): Promise<{ sealed: string; createdAt: string } | undefined> {
  const [row] = await driver.all(
    'SELECT sealed_secret, created_at FROM webhook_secrets WHERE integration_id = ?',
    [integrationId],
  );
  if (row === undefined) return undefined;
  const parsed = secretRowSchema.parse(row);
  return { sealed: parsed.sealed_secret, createdAt: parsed.created_at };
}

/**
 * The sealed webhook secret of the Threat Stack integration whose id is exactly `integrationId`,
 * or undefined when there is no such integration or it has no secret: one read by primary keys,
 * what every webhook delivery pays to be authenticated.
 */
export async function getThreatStackWebhookSecret(
  driver: Driver,
  integrationId: string,
): Promise<{ sealed: string; createdAt: string } | undefined> {
  const [row] = await driver.all(
    `SELECT w.sealed_secret, w.created_at FROM webhook_secrets w
     JOIN integrations i ON i.id = w.integration_id
     WHERE w.integration_id = ? AND i.kind = 'threatstack'`,
    [integrationId],
  );
  if (row === undefined) return undefined;
  const parsed = secretRowSchema.parse(row);
  return { sealed: parsed.sealed_secret, createdAt: parsed.created_at };
}

/**
 * Stores an integration's sealed webhook secret. `create` stores it only when the integration has
 * none (two processes creating at once keep the first); `replace` overwrites (rotation). Returns
 * whether this secret was stored.
 */
export async function putWebhookSecret(
  driver: Driver,
  integrationId: string,
  sealed: string,
  createdAt: string,
  mode: 'create' | 'replace',
): Promise<boolean> {
  const onConflict =
    mode === 'create'
      ? 'DO NOTHING'
      : 'DO UPDATE SET sealed_secret = excluded.sealed_secret, created_at = excluded.created_at';
  const stored = await driver.run(
    `INSERT INTO webhook_secrets (integration_id, sealed_secret, created_at) VALUES (?, ?, ?)
     ON CONFLICT (integration_id) ${onConflict}`,
    [integrationId, sealed, createdAt],
  );
  return stored > 0;
}
