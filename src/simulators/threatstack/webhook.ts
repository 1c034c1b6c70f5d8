import type { StoredAlert } from './data/alerts.ts';
import type { Organization } from './identity.ts';

/** The alert summary a Threat Stack webhook carries (spec §5). */
export interface WebhookSummary {
  id: string;
  title: string;
  created_at: number;
  severity: number;
  organization_id: string;
  organization_Name: string;
  server_or_region: string;
  source: 'Host' | 'CloudTrail';
}

export function toWebhookSummary(alert: StoredAlert, org: Organization): WebhookSummary {
  return {
    id: alert.id,
    title: alert.title,
    created_at: alert.createdAt,
    severity: alert.severity,
    organization_id: org.id,
    organization_Name: org.name,
    server_or_region: alert.serverOrRegion,
    source: alert.dataSource === 'cloudtrail' ? 'CloudTrail' : 'Host',
  };
}

export interface WebhookAttempt {
  attempt: number;
  status?: number;
  error?: string;
}

export interface WebhookDelivery {
  url: string;
  alertId: string;
  delivered: boolean;
  attempts: WebhookAttempt[];
}

export interface DeliveryOptions {
  /** Per-attempt timeout (D11: 10 s). */
  timeoutMs: number;
  /** Retries after the first attempt (D11: 3). */
  retries: number;
  /** First backoff; doubles each retry (1 s, 2 s, 4 s). */
  backoffMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultDeliveryOptions: DeliveryOptions = {
  timeoutMs: 10_000,
  retries: 3,
  backoffMs: 1000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Delivers one alert summary as decision D11 fixes it: POST `{"alerts":[summary]}` with
 * `Content-Type: application/json`, no signature, 10 s timeout per attempt, and up to 3
 * retries with exponential backoff on a non-2xx answer, a timeout or a network error.
 */
export async function deliverWebhook(
  url: string,
  summary: WebhookSummary,
  options: DeliveryOptions = defaultDeliveryOptions,
): Promise<WebhookDelivery> {
  const body = JSON.stringify({ alerts: [summary] });
  const attempts: WebhookAttempt[] = [];
  for (let attempt = 1; attempt <= options.retries + 1; attempt++) {
    if (attempt > 1) await options.sleep(options.backoffMs * 2 ** (attempt - 2));
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      attempts.push({ attempt, status: response.status });
      if (response.ok) return { url, alertId: summary.id, delivered: true, attempts };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      attempts.push({ attempt, error: name === 'TimeoutError' ? 'timeout' : describeNetworkError(error) });
    }
  }
  return { url, alertId: summary.id, delivered: false, attempts };
}

function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Sends each new alert of the detection engine to a configured URL once the alert becomes
 * visible on the simulator clock, and keeps a log of every delivery.
 */
export class WebhookDispatcher {
  private target: string | null = null;
  private readonly pending: Array<{ alert: StoredAlert; org: Organization }> = [];
  private readonly log: WebhookDelivery[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: DeliveryOptions = defaultDeliveryOptions) {}

  get url(): string | null {
    return this.target;
  }

  setTarget(url: string | null): void {
    this.target = url;
  }

  get deliveries(): readonly WebhookDelivery[] {
    return this.log;
  }

  /** Queues an alert for automatic delivery (only while a target is set). */
  enqueue(alert: StoredAlert, org: Organization): void {
    if (this.target !== null) this.pending.push({ alert, org });
  }

  /** Delivers now, waiting for the outcome (the admin API's explicit "emit"). */
  async deliverNow(url: string, alert: StoredAlert, org: Organization): Promise<WebhookDelivery> {
    const delivery = await deliverWebhook(url, toWebhookSummary(alert, org), this.options);
    this.log.push(delivery);
    return delivery;
  }

  /** Starts delivery of every queued alert whose time has come. */
  pump(nowMs: number): void {
    const target = this.target;
    if (target === null) return;
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const item = this.pending[i];
      if (!item || item.alert.createdAt > nowMs) continue;
      this.pending.splice(i, 1);
      const delivery = this.deliverNow(target, item.alert, item.org).finally(() =>
        this.inFlight.delete(delivery),
      );
      this.inFlight.add(delivery);
    }
  }

  /** Resolves when every delivery started so far has finished (for tests and shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}
