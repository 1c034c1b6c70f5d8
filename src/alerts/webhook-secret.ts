import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { VigilError } from '../errors.ts';
import type { SecretCipher } from '../integrations/secrets.ts';
import type { IntegrationRecords, WebhookSecrets } from '../store/types.ts';

/**
 * The per-integration secret of the Threat Stack webhook URL
 * (`/webhooks/threatstack/<integration id>/<secret>`). Threat Stack signs nothing (spec D11), so
 * the secret path is the credential. It is random (32 bytes, base64url), stored sealed with the
 * integration secrets cipher bound to the integration (so `vigil integrations webhook NAME` can
 * print the full URL again), compared in constant time, and rotatable: the old URL stops working
 * at once in the process that rotated, and within `webhookSecretRecheckMs` in every other process
 * (several `vigil serve` on one PostgreSQL), while the new one works everywhere at once.
 */
export interface WebhookSecretService {
  /** The integration's secret, created (and stored) on first use. NOT_FOUND for an unknown or non-Threat Stack integration. */
  secretOf(integrationId: string): Promise<{ secret: string; createdAt: string }>;
  /** Replaces the integration's secret with a new one and returns it. */
  rotate(integrationId: string): Promise<{ secret: string; createdAt: string }>;
  /**
   * True when `candidate` is the current secret of an existing Threat Stack integration whose id is
   * exactly `integrationId`; compared in constant time. False when it has no secret yet. A secret
   * read from the store is trusted for `webhookSecretRecheckMs` without reading it again; any other
   * candidate (a miss, a mismatch) is checked against the store.
   */
  verifySecret(integrationId: string, candidate: string): Promise<boolean>;
}

export interface WebhookSecretDeps {
  store: IntegrationRecords & WebhookSecrets;
  cipher: SecretCipher;
  now?: () => number;
  /** Source of random bytes (tests may fix it). */
  randomBytes?: (size: number) => Buffer;
}

const SECRET_BYTES = 32;

/**
 * How long a secret read from the store is trusted without reading it again (ms): the bound on how
 * long an integration's old secret still works in this process after another process rotated it or
 * removed the integration. A delivery with any other secret reads the store at once.
 */
export const webhookSecretRecheckMs = 1000;

/** The sealing context: binds a sealed secret to its integration and to this use. */
const sealingContext = (integrationId: string) => `webhook:${integrationId}`;

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function webhookSecretService(deps: WebhookSecretDeps): WebhookSecretService {
  const now = deps.now ?? Date.now;
  const random = deps.randomBytes ?? randomBytes;
  const { store, cipher } = deps;

  const threatStackIntegration = async (integrationId: string) => {
    const record = await store.findIntegration(integrationId);
    return record !== undefined && record.id === integrationId && record.kind === 'threatstack';
  };
  const requireIntegration = async (integrationId: string) => {
    if (!(await threatStackIntegration(integrationId))) {
      throw new VigilError('NOT_FOUND', `There is no Threat Stack integration with id ${integrationId}.`, {
        hint: 'Webhooks exist for Threat Stack integrations only; see `vigil integrations list`.',
      });
    }
  };
  const storeNew = async (integrationId: string, mode: 'create' | 'replace') => {
    const secret = random(SECRET_BYTES).toString('base64url');
    const createdAt = new Date(now()).toISOString();
    const stored = await store.putWebhookSecret(
      integrationId,
      cipher.seal(secret, sealingContext(integrationId)),
      createdAt,
      mode,
    );
    return stored ? { secret, createdAt } : undefined;
  };
  const current = async (integrationId: string) => {
    const row = await store.getWebhookSecret(integrationId);
    if (row === undefined) return undefined;
    return { secret: cipher.open(row.sealed, sealingContext(integrationId)), createdAt: row.createdAt };
  };

  /**
   * Per integration, the digest of its secret as last read from the store (sealed as `sealed`, so
   * that a delivery costs no decryption while it is unchanged) and when it was read (`readAt`).
   */
  const known = new Map<string, { sealed: string; digest: Buffer; readAt: number }>();
  /** Reads in flight, per integration: deliveries arriving together share one read. */
  const reading = new Map<string, Promise<Buffer | undefined>>();
  /** The digest of the integration's current secret, read from the store; undefined when it has none. */
  const readDigest = (integrationId: string): Promise<Buffer | undefined> => {
    let read = reading.get(integrationId);
    if (read === undefined) {
      const started: Promise<Buffer | undefined> = readStoredDigest(integrationId).finally(() => {
        if (reading.get(integrationId) === started) reading.delete(integrationId);
      });
      read = started;
      reading.set(integrationId, read);
    }
    return read;
  };
  /** Rotations in this process: a read begun before one is not remembered. */
  let rotations = 0;
  const readStoredDigest = async (integrationId: string): Promise<Buffer | undefined> => {
    const rotationsBefore = rotations;
    const row = await store.getThreatStackWebhookSecret(integrationId);
    if (row === undefined) {
      known.delete(integrationId);
      return undefined;
    }
    const cached = known.get(integrationId);
    const fresh = {
      sealed: row.sealed,
      digest:
        cached?.sealed === row.sealed
          ? cached.digest
          : digest(cipher.open(row.sealed, sealingContext(integrationId))),
      readAt: now(),
    };
    if (rotations === rotationsBefore) known.set(integrationId, fresh);
    return fresh.digest;
  };

  return {
    async secretOf(integrationId) {
      await requireIntegration(integrationId);
      const existing = (await current(integrationId)) ?? (await storeNew(integrationId, 'create'));
      // A concurrent creator may have won between the read and the insert: theirs is the secret.
      const secret = existing ?? (await current(integrationId));
      if (secret === undefined)
        throw new VigilError('INTERNAL_ERROR', 'The webhook secret vanished while created.');
      return secret;
    },
    async rotate(integrationId) {
      await requireIntegration(integrationId);
      const rotated = await storeNew(integrationId, 'replace');
      rotations += 1;
      known.delete(integrationId);
      reading.delete(integrationId);
      if (rotated === undefined)
        throw new VigilError('INTERNAL_ERROR', 'The webhook secret was not replaced.');
      return rotated;
    },
    async verifySecret(integrationId, candidate) {
      // Digests have equal lengths, so the comparisons leak neither the secret nor its length.
      const offered = digest(candidate);
      const cached = known.get(integrationId);
      const age = cached === undefined ? Number.POSITIVE_INFINITY : now() - cached.readAt;
      if (
        cached !== undefined &&
        age >= 0 &&
        age < webhookSecretRecheckMs &&
        timingSafeEqual(offered, cached.digest)
      )
        return true;
      const current = await readDigest(integrationId);
      return current !== undefined && timingSafeEqual(offered, current);
    },
  };
}

/**
 * The URL to paste into Threat Stack (Settings > Integrations > Webhook API), from the server's
 * public base URL; `https` is false when it is not HTTPS (Threat Stack posts only to HTTPS URLs,
 * so the caller should warn). INPUT_INVALID when the base URL is not an http(s) URL.
 */
export function webhookUrl(
  publicUrl: string,
  integrationId: string,
  secret: string,
): { url: string; https: boolean } {
  const base = URL.canParse(publicUrl) ? new URL(publicUrl) : undefined;
  if (base === undefined || (base.protocol !== 'https:' && base.protocol !== 'http:')) {
    throw new VigilError('INPUT_INVALID', `The public URL "${publicUrl}" is not an http(s) URL.`, {
      hint: 'Give the base URL Threat Stack reaches this server at, e.g. --public-url https://vigil.example.com',
    });
  }
  const path = `webhooks/threatstack/${encodeURIComponent(integrationId)}/${encodeURIComponent(secret)}`;
  const root = base.href.endsWith('/') ? base.href : `${base.href}/`;
  return { url: `${root}${path}`, https: base.protocol === 'https:' };
}
