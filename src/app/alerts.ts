import {
  type AlertToVerify,
  type IntakeBatching,
  type WebhookIntakePort,
  webhookIntake,
} from '../alerts/intake.ts';
import { type AlertLookup, type VerificationTally, verifyWebhookAlerts } from '../alerts/verify.ts';
import { type WebhookSecretService, webhookSecretService, webhookUrl } from '../alerts/webhook-secret.ts';
import type { ClientDeps } from '../connectors/descriptor.ts';
import { connectorOf } from '../connectors/index.ts';
import { alertKey } from '../connectors/threatstack/converters.ts';
import { VigilError } from '../errors.ts';
import type { JsonValue, StoredEntity } from '../graph/types.ts';
import { graphEntities } from '../graph/vocabulary.ts';
import type { SecretCipher } from '../integrations/secrets.ts';
import type { IntakeTransaction } from '../store/types.ts';
import type { AppContext } from './context.ts';

/** How a list of Threat Stack alerts is narrowed. */
export interface AlertFilter {
  /** `open` (not dismissed) or `dismissed`. */
  status?: 'open' | 'dismissed' | undefined;
  severity?: 1 | 2 | 3 | undefined;
  /** Only alerts created at or after this instant (ms since the epoch). */
  sinceMs?: number | undefined;
  limit: number;
}

/** One alert with the events its verification fetched (null when none were fetched yet). */
export interface AlertDetail {
  alert: StoredEntity;
  events: JsonValue[] | null;
  eventsFetchedAt: string | null;
}

const alertType = graphEntities.threatstackAlert.type;
/** Webhook batches written at once on PostgreSQL (of the store's 10 pool connections). */
const intakeBatchesInFlight = 4;
/** Alerts are read a page at a time when filtering. */
const scanPage = 1000;

const createdOf = (alert: StoredEntity) => {
  const created = alert.properties.createdOn;
  return typeof created === 'number' ? created : 0;
};

function matches(alert: StoredEntity, filter: AlertFilter): boolean {
  const { dismissed, severity } = alert.properties;
  if (filter.status !== undefined && (dismissed === true) !== (filter.status === 'dismissed')) return false;
  if (filter.severity !== undefined && severity !== filter.severity) return false;
  return filter.sinceMs === undefined || createdOf(alert) >= filter.sinceMs;
}

/**
 * Threat Stack alerts as the graph holds them (synced and webhook-received alike), newest first.
 * The store lists entities by display name, so the filter reads every alert a page at a time:
 * fine for the thousands an organization keeps; a store-side filter is the next step at scale.
 */
export async function listThreatStackAlerts(ctx: AppContext, filter: AlertFilter): Promise<StoredEntity[]> {
  const found: StoredEntity[] = [];
  for (let offset = 0; ; offset += scanPage) {
    const page = await ctx.store.listEntities({ type: alertType, limit: scanPage, offset });
    found.push(...page.filter((alert) => matches(alert, filter)));
    if (page.length < scanPage) break;
  }
  return found.sort((a, b) => createdOf(b) - createdOf(a)).slice(0, filter.limit);
}

/** One alert by its vendor id, with its events; NOT_FOUND when the graph holds no such alert. */
export async function showThreatStackAlert(ctx: AppContext, alertId: string): Promise<AlertDetail> {
  const alert = await ctx.store.getEntity(alertKey(alertId));
  if (alert === undefined || alert._type !== alertType) {
    throw new VigilError('NOT_FOUND', `No Threat Stack alert has the id ${alertId}.`, {
      hint: 'List alerts with GET /api/v1/alerts.',
    });
  }
  const events = await ctx.store.getAlertEvents(alert._key);
  return { alert, events: events?.events ?? null, eventsFetchedAt: events?.fetchedAt ?? null };
}

function isAlertLookup(client: object): client is AlertLookup {
  return 'getAlert' in client && 'listAlertEvents' in client;
}

/** The URL to paste into Threat Stack, and whether it is HTTPS (Threat Stack posts only to HTTPS). */
export interface WebhookTarget {
  integration: string;
  url: string;
  https: boolean;
  createdAt: string;
  rotated: boolean;
}

/**
 * Threat Stack webhooks of the registered integrations: their URLs (`vigil integrations webhook`),
 * the intake the HTTP route stores deliveries through, and the verification of stored alerts
 * with the integration's own client (the webhook-verify job, one per intake batch).
 */
export class WebhookService {
  readonly secrets: WebhookSecretService;

  constructor(
    private readonly ctx: AppContext,
    cipher: SecretCipher,
  ) {
    this.secrets = webhookSecretService({ store: ctx.store, cipher, now: () => ctx.now().getTime() });
  }

  /** The webhook URL of an integration (by name or id) from `publicUrl`; `rotate` replaces its secret first. */
  async target(
    reference: string,
    publicUrl: string,
    options: { rotate?: boolean } = {},
  ): Promise<WebhookTarget> {
    const integration = await this.ctx.registry.get(reference);
    const rotate = options.rotate === true;
    const { secret, createdAt } = rotate
      ? await this.secrets.rotate(integration.id)
      : await this.secrets.secretOf(integration.id);
    const { url, https } = webhookUrl(publicUrl, integration.id, secret);
    return { integration: integration.name, url, https, createdAt, rotated: rotate };
  }

  /**
   * The durable intake (C12), batching concurrent deliveries into one commit; `verifyLater`
   * schedules the verification of the alerts it names. Close it on shutdown. On PostgreSQL,
   * `intakeBatchesInFlight` batches are written at once (a commit there waits on the server's WAL
   * flush, with pool connections free); on SQLite one (its writes are serialised anyway).
   */
  intake(
    verifyLater?: (alerts: readonly AlertToVerify[], tx: IntakeTransaction) => Promise<void>,
    batching?: IntakeBatching,
  ): WebhookIntakePort {
    return webhookIntake({
      store: this.ctx.store,
      secrets: this.secrets,
      now: () => this.ctx.now().getTime(),
      ...(verifyLater === undefined ? {} : { verifyLater }),
      batching: {
        maxConcurrentBatches: this.ctx.store.dialect === 'postgres' ? intakeBatchesInFlight : 1,
        ...batching,
      },
    });
  }

  /**
   * Verifies stored webhook alerts of one integration through the REST API with one client of the
   * integration's own configuration and key (see `verifyWebhookAlerts`: those no longer pending are
   * settled without a call); NOT_FOUND when the integration is gone.
   */
  async verify(
    integrationId: string,
    alertIds: readonly string[],
    options: { signal?: AbortSignal; clientDeps?: ClientDeps } = {},
  ): Promise<VerificationTally> {
    const { integration, config, apiKey } = await this.ctx.registry.resolve(integrationId);
    const client = connectorOf(integration.kind).createClient(
      config,
      { apiKey: apiKey ?? '' },
      options.clientDeps ?? {},
    );
    try {
      if (!isAlertLookup(client)) {
        throw new VigilError('NOT_FOUND', `${integration.name} is not a Threat Stack integration.`);
      }
      return await verifyWebhookAlerts({
        client,
        store: this.ctx.store,
        integrationId: integration.id,
        alertIds,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        now: () => this.ctx.now().getTime(),
      });
    } finally {
      await client.close();
    }
  }
}
