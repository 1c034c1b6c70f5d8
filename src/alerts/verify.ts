import { agentHasAlert, alertKey, toAlertEntity } from '../connectors/threatstack/converters.ts';
import type { TsAlert, TsAlertEvent } from '../connectors/threatstack/types.ts';
import { type ErrorCode, toVigilError, VigilError } from '../errors.ts';
import type { JsonValue, StoredEntity } from '../graph/types.ts';
import type { AlertIntake, GraphReader } from '../store/types.ts';

/** What verification needs of a Threat Stack client (`ThreatStackClient` provides it). */
export interface AlertLookup {
  /** GET /v2/alerts/{id}; PROVIDER_NOT_FOUND when the API does not know the alert. */
  getAlert(id: string): Promise<TsAlert>;
  /** GET /v2/alerts/{id}/events; empty when there are none. */
  listAlertEvents(alertId: string): Promise<TsAlertEvent[]>;
}

export interface VerifyWebhookAlertInput {
  client: AlertLookup;
  store: AlertIntake & Pick<GraphReader, 'getEntity'>;
  integrationId: string;
  /** The vendor alert id. */
  alertId: string;
  now?: () => number;
}

export type VerificationOutcome =
  | { status: 'verified'; events: number }
  | { status: 'unverified'; reason: string };

/** Vendor failures that pass: the job runs again later. */
const transientCodes: ReadonlySet<ErrorCode> = new Set([
  'PROVIDER_RATE_LIMITED',
  'PROVIDER_API_ERROR',
  'PROVIDER_NETWORK_ERROR',
]);

/**
 * The webhook enrichment job (C12): re-fetches a stored alert through the authenticated REST API
 * (`/v2/alerts/{id}` and its events), because webhook calls are unsigned. A known alert is
 * rewritten from the REST data as the sync's converter shapes it, with `verified: true`,
 * `verification: 'verified'`, its events and, when it names an agent, `threatstack_agent HAS
 * threatstack_alert`. An alert the API does not know (404) is kept, flagged `verification:
 * 'unverified'` with `verificationReason`. A transient vendor failure (rate limit, 5xx, network)
 * throws ALERT_VERIFICATION_DEFERRED (`details.retryable`): the job runtime retries it later.
 * Other failures (credentials, permissions) are thrown as they are and leave the alert pending.
 * NOT_FOUND when the integration holds no such alert.
 */
export async function verifyWebhookAlert(input: VerifyWebhookAlertInput): Promise<VerificationOutcome> {
  const { client, store, integrationId, alertId } = input;
  const at = new Date((input.now ?? Date.now)()).toISOString();
  const stored = await store.getEntity(alertKey(alertId));
  if (stored === undefined || stored.integrationId !== integrationId) {
    throw new VigilError(
      'NOT_FOUND',
      `Integration ${integrationId} holds no Threat Stack alert ${alertId}.`,
      {
        hint: 'Only alerts received by its webhook (or synced) can be verified.',
      },
    );
  }
  let fetched: { alert: TsAlert; events: TsAlertEvent[] };
  try {
    fetched = { alert: await client.getAlert(alertId), events: await client.listAlertEvents(alertId) };
  } catch (error) {
    const coded = toVigilError(error);
    if (coded.code === 'PROVIDER_NOT_FOUND') {
      const reason = `Threat Stack's API does not know alert ${alertId} (404)`;
      await store.recordAlertVerification(
        integrationId,
        { entity: unverified(stored, reason), relationships: [] },
        at,
      );
      return { status: 'unverified', reason };
    }
    if (transientCodes.has(coded.code)) throw deferred(alertId, coded);
    throw coded;
  }
  const { alert, events } = fetched;
  const entity = toAlertEntity(alert);
  entity.properties = {
    ...entity.properties,
    ...(stored.properties.serverOrRegion === undefined
      ? {}
      : { serverOrRegion: stored.properties.serverOrRegion }),
    verified: true,
    verification: 'verified',
    source: stored.properties.source ?? 'webhook',
    eventCount: events.length,
  };
  const relationships = alert.agentId ? [agentHasAlert(alert.agentId, alert.id)] : [];
  await store.recordAlertVerification(
    integrationId,
    { entity, relationships, events: events as JsonValue[] },
    at,
  );
  return { status: 'verified', events: events.length };
}

function unverified(stored: StoredEntity, reason: string) {
  return {
    _key: stored._key,
    _type: stored._type,
    _class: stored._class,
    displayName: stored.displayName,
    properties: {
      ...stored.properties,
      verified: false,
      verification: 'unverified',
      verificationReason: reason,
    },
    ...(stored.rawData === undefined ? {} : { rawData: stored.rawData }),
  };
}

function deferred(alertId: string, cause: VigilError): VigilError {
  const retryAfterMs = cause.details.retryAfterMs;
  return new VigilError(
    'ALERT_VERIFICATION_DEFERRED',
    `Verifying Threat Stack alert ${alertId} met a transient failure (${cause.code}: ${cause.message}).`,
    {
      hint: 'The verification job runs again later; the alert stays stored, flagged pending.',
      cause,
      details: {
        retryable: true,
        causeCode: cause.code,
        ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
      },
    },
  );
}
