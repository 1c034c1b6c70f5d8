import type { AlertEventRecord, AlertRecord } from './evidence-records.ts';

/** An alert with the events Threat Stack lists behind it (`GET /v2/alerts/{id}/events`). */
export interface ObservedAlert {
  alert: AlertRecord;
  events: AlertEventRecord[];
}

/** Everything the polls of a validation have seen, each vendor object once. */
export interface Observations {
  readonly alerts: readonly ObservedAlert[];
  /** Events that reached Vigil without being fetched behind an alert (their `alertId` may still name one). */
  readonly events: readonly AlertEventRecord[];
}

/**
 * The de-duplicating collector of what overlapping poll windows return: an alert or event is kept
 * once by its vendor id, the first copy winning (a later copy of the same id — the alert found
 * again by the next window, or dismissed since — adds nothing to the evidence). `addAlerts`
 * returns only the alerts it had not seen, which are the ones whose events still need fetching.
 * Restart-safe by construction: rebuild a pool from persisted evidence with the same calls.
 */
export class EvidencePool implements Observations {
  private readonly alertsById = new Map<string, ObservedAlert>();
  private readonly eventIds = new Set<string>();
  private readonly standalone: AlertEventRecord[] = [];

  /** A pool holding what a snapshot (e.g. persisted evidence read back) holds. */
  static from(snapshot: Observations): EvidencePool {
    const pool = new EvidencePool();
    for (const { alert, events } of snapshot.alerts) {
      pool.addAlerts([alert]);
      pool.addAlertEvents(alert.id, events);
    }
    pool.addEvents(snapshot.events);
    return pool;
  }

  /** A plain, JSON-ready copy of the pool's contents. */
  snapshot(): { alerts: ObservedAlert[]; events: AlertEventRecord[] } {
    return {
      alerts: [...this.alertsById.values()].map(({ alert, events }) => ({ alert, events: [...events] })),
      events: [...this.standalone],
    };
  }

  get alerts(): readonly ObservedAlert[] {
    return [...this.alertsById.values()];
  }

  get events(): readonly AlertEventRecord[] {
    return [...this.standalone];
  }

  /** Adds the alerts of one poll; returns the ones new to the pool, in the order given. */
  addAlerts(alerts: Iterable<AlertRecord>): AlertRecord[] {
    const fresh: AlertRecord[] = [];
    for (const alert of alerts) {
      if (this.alertsById.has(alert.id)) continue;
      this.alertsById.set(alert.id, { alert, events: [] });
      fresh.push(alert);
    }
    return fresh;
  }

  /** Attaches the events listed behind an alert already added (events seen before are skipped). */
  addAlertEvents(alertId: string, events: Iterable<AlertEventRecord>): void {
    const observed = this.alertsById.get(alertId);
    if (observed === undefined) throw new RangeError(`alert ${alertId} was not added to the pool`);
    for (const event of events) {
      if (this.eventIds.has(event.id)) continue;
      this.eventIds.add(event.id);
      observed.events.push(event);
    }
  }

  /** Adds events that came without an alert (an event source, or a webhook's raw events). */
  addEvents(events: Iterable<AlertEventRecord>): void {
    for (const event of events) {
      if (this.eventIds.has(event.id)) continue;
      this.eventIds.add(event.id);
      this.standalone.push(event);
    }
  }
}
