import type { EvidencePool } from './evidence.ts';
import type { AlertEventRecord, AlertRecord } from './evidence-records.ts';
import type { PollWindow } from './window.ts';

/**
 * What one poll needs from Threat Stack (`ThreatStackClient` satisfies it): the alerts of one
 * status created inside a vendor window, a page at a time, and the events behind one alert.
 */
export interface AlertSource {
  iterateAlerts(filter: {
    status: 'active' | 'dismissed';
    from: Date;
    until: Date;
  }): AsyncIterable<AlertRecord[]>;
  listAlertEvents(alertId: string): Promise<AlertEventRecord[]>;
}

export interface PollResult {
  index: number;
  /** Alerts the window returned, repeats from earlier windows included. */
  alertsReturned: number;
  /** Ids of the alerts new to the pool, whose events this poll fetched. */
  newAlertIds: string[];
}

export interface PollOptions {
  /**
   * Alerts left out of the pool (their events never fetched): a poll for one action passes
   * `alert => alertElsewhere(action, alert)`, since the window lists every host's alerts and only
   * the action's host's alerts can be its evidence — so its pool stays the size of its host's.
   */
  ignore?: (alert: AlertRecord) => boolean;
}

/**
 * Runs one poll: `GET /v2/alerts` for both statuses (an alert dismissed since it was raised is
 * still evidence) over the poll's vendor window, every page followed, then the events of each
 * alert the pool had not seen — so overlapping windows cost one alert list each and no repeated
 * event fetches. Adds everything to `pool`; the caller records the poll as done only once this
 * resolves, so a poll interrupted midway is simply run again (the pool ignores what it has).
 */
export async function runPoll(
  source: AlertSource,
  pool: EvidencePool,
  poll: PollWindow,
  options: PollOptions = {},
): Promise<PollResult> {
  let alertsReturned = 0;
  const newAlertIds: string[] = [];
  for (const status of ['active', 'dismissed'] as const) {
    for await (const page of source.iterateAlerts({
      status,
      from: poll.vendorFrom,
      until: poll.vendorUntil,
    })) {
      alertsReturned += page.length;
      const kept = options.ignore === undefined ? page : page.filter((alert) => !options.ignore?.(alert));
      for (const alert of pool.addAlerts(kept)) {
        pool.addAlertEvents(alert.id, await source.listAlertEvents(alert.id));
        newAlertIds.push(alert.id);
      }
    }
  }
  return { index: poll.index, alertsReturned, newAlertIds };
}
