import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { VigilError } from '../errors.ts';
import type { SecretCipher } from '../integrations/secrets.ts';
import type { IntegrationRecords, WebhookSecrets } from '../store/types.ts';

/**
 * The per-integration secret of the Threat Stack webhook URL
 * (`/webhooks/threatstack/<integration id>/<secret>`). Threat Stack signs nothing (spec D11), so
 * the secret path is the credential. It is random (32 bytes, base64url), stored sealed with the
 * integration secrets cipher bound to the integration (so `vigil integrations webhook NAME` can
 * print the full URL again), compared in constant time, and rotatable (the old URL stops working
 * at once).
 */
export interface WebhookSecretService {
  /** The integration's secret, created (and stored) on first use. NOT_FOUND for an unknown or non-Threat Stack integration. */
  secretOf(integrationId: string): Promise<{ secret: string; createdAt: string }>;
  /** Replaces the integration's secret with a new one and returns it. */
  rotate(integrationId: string): Promise<{ secret: string; createdAt: string }>;
  /**
   * True when `candidate` is the current secret of an existing Threat Stack integration whose id is
   * exactly `integrationId`; compared in constant time. False when it has no secret yet.
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
   * The digest of the secret sealed as `sealed`, remembered per integration while its sealed value
   * is unchanged, so that a delivery costs no decryption (a rotation changes the sealed value).
   */
  const opened = new Map<string, { sealed: string; digest: Buffer }>();
  const storedDigest = (integrationId: string, sealed: string): Buffer => {
    const known = opened.get(integrationId);
    if (known?.sealed === sealed) return known.digest;
    const fresh = { sealed, digest: digest(cipher.open(sealed, sealingContext(integrationId))) };
    opened.set(integrationId, fresh);
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
      if (rotated === undefined)
        throw new VigilError('INTERNAL_ERROR', 'The webhook secret was not replaced.');
      return rotated;
    },
    async verifySecret(integrationId, candidate) {
      // One read (every delivery pays it), every time, so that a rotation or a removal takes
      // effect at once, in every process.
      const row = await store.getThreatStackWebhookSecret(integrationId);
      if (row === undefined) return false;
      // Digests have equal lengths, so the comparison leaks neither the secret nor its length.
      return timingSafeEqual(digest(candidate), storedDigest(integrationId, row.sealed));
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
