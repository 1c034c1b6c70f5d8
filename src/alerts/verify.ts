import { agentHasAlert, alertKey, toAlertEntity } from '../connectors/threatstack/converters.ts';
import type { TsAlert, TsAlertEvent } from '../connectors/threatstack/types.ts';
import { type ErrorCode, toVigilError, VigilError } from '../errors.ts';
import type { Entity, JsonValue, StoredEntity } from '../graph/types.ts';
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

/** How the alerts of one `verifyWebhookAlerts` call ended (`settled` includes those gone). */
export type VerificationTally = Record<VerificationOutcome['status'], number>;

export type VerificationOutcome =
  | { status: 'verified'; events: number }
  | { status: 'unverified'; reason: string }
  /** Verified or unverified already (a replay named it again), or synced: the API was not asked. */
  | { status: 'settled' };

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
 * An alert no longer `verification: 'pending'` (verified or unverified already, or synced) is
 * `settled` without asking the API. NOT_FOUND when the integration holds no such alert.
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
  if (stored.properties.verification !== 'pending') return { status: 'settled' };
  const fetched = await fetchAlert(client, alertId);
  if (fetched === undefined) {
    const reason = `Threat Stack's API does not know alert ${alertId} (404)`;
    await store.recordAlertVerification(
      integrationId,
      { entity: unverified(stored, reason), relationships: [] },
      at,
    );
    return { status: 'unverified', reason };
  }
  const { alert, events } = fetched;
  await store.recordAlertVerification(
    integrationId,
    {
      entity: verified(alert, stored, events.length),
      relationships: alert.agentId ? [agentHasAlert(alert.agentId, alert.id)] : [],
      events: events as JsonValue[],
    },
    at,
  );
  return { status: 'verified', events: events.length };
}

export interface VerifyWebhookAlertsInput extends Omit<VerifyWebhookAlertInput, 'alertId'> {
  alertIds: readonly string[];
  /** Checked before each alert: once aborted, its reason is thrown (a lost lease). */
  signal?: AbortSignal;
}

/**
 * Verifies the stored webhook alerts `alertIds` of one integration in order with one client (the
 * webhook-verify job, one per intake batch), each as `verifyWebhookAlert` does; one the
 * integration no longer holds counts as `settled`. The first failure is thrown as
 * `verifyWebhookAlert` throws it; the alerts verified before it stay verified, so a retry asks the
 * API only for the rest.
 */
export async function verifyWebhookAlerts(input: VerifyWebhookAlertsInput): Promise<VerificationTally> {
  const tally: VerificationTally = { verified: 0, unverified: 0, settled: 0 };
  for (const alertId of input.alertIds) {
    input.signal?.throwIfAborted();
    const outcome = await verifyWebhookAlert({ ...input, alertId }).catch((error: unknown) => {
      if (error instanceof VigilError && error.code === 'NOT_FOUND') return { status: 'settled' as const };
      throw error;
    });
    tally[outcome.status] += 1;
  }
  return tally;
}

/** The alert and its events from the REST API; undefined when it does not know the alert (404). */
async function fetchAlert(
  client: AlertLookup,
  alertId: string,
): Promise<{ alert: TsAlert; events: TsAlertEvent[] } | undefined> {
  try {
    return { alert: await client.getAlert(alertId), events: await client.listAlertEvents(alertId) };
  } catch (error) {
    const coded = toVigilError(error);
    if (coded.code === 'PROVIDER_NOT_FOUND') return undefined;
    throw transientCodes.has(coded.code) ? deferred(alertId, coded) : coded;
  }
}

/** The REST alert as the sync's converter shapes it, flagged verified, keeping what only the webhook knew. */
function verified(alert: TsAlert, stored: StoredEntity, eventCount: number): Entity {
  const entity = toAlertEntity(alert);
  const { serverOrRegion, source } = stored.properties;
  return {
    ...entity,
    properties: {
      ...entity.properties,
      ...(serverOrRegion === undefined ? {} : { serverOrRegion }),
      verified: true,
      verification: 'verified',
      source: source ?? 'webhook',
      eventCount,
    },
  };
}

function unverified(stored: StoredEntity, reason: string): Entity {
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
