/**
 * The validation window model (DESIGN "Validation window model", from the Mandiant Security
 * Validation documentation). Pure: every time is an epoch-millisecond number or a Date in Vigil's
 * clock unless a name says `vendor`.
 *
 * Clock skew: Vigil never measures the vendor's clock for windows. The integration's event time
 * adjustment `E` is the user's statement of the skew — "our time = vendor time + E" — so an
 * event the vendor stamps 11:58:00 while Vigil's clock reads 12:00:00 needs `E = +120 s`, and
 * every window `[a, b]` is requested from the vendor as `[a − E, b − E]`. (The Threat Stack
 * client's Hawk clock correction only keeps requests authentic; it does not move windows.)
 */

/** The integration settings that shape the windows, in milliseconds. */
export interface WindowSettings {
  /** `Q`: how far before and after the action the polls look. */
  queryTimeMs: number;
  /** `I`: how far each poll slides the window. */
  queryIntervalMs: number;
  /** `D`: how long every poll waits after its window's end would be reached. */
  delayMs: number;
  /** `E`: our time = vendor time + E. */
  eventTimeAdjustmentMs: number;
}

/** One poll of an action's schedule: the window searched (ours and as sent to the vendor) and when. */
export interface PollWindow {
  /** `k`, 0 … ⌊Q / I⌋. */
  index: number;
  /** `T − Q + k·I`. */
  from: Date;
  /** `T + k·I`. */
  until: Date;
  /** `T + k·I + D`: the poll must not run before this. */
  runAt: Date;
  /** `from − E`. */
  vendorFrom: Date;
  /** `until − E`. */
  vendorUntil: Date;
}

/** Threat Stack's settings as the integration stores them (C3), in their own units. */
export interface ThreatStackWindowFields {
  queryTimeMinutes: number;
  delayTimeMinutes: number;
  queryIntervalSeconds: number;
  eventTimeAdjustmentSeconds: number;
}

/** Converts the integration's fields (minutes and seconds) into window settings. */
export function windowSettingsFrom(fields: ThreatStackWindowFields): WindowSettings {
  return {
    queryTimeMs: fields.queryTimeMinutes * 60_000,
    queryIntervalMs: fields.queryIntervalSeconds * 1000,
    delayMs: fields.delayTimeMinutes * 60_000,
    eventTimeAdjustmentMs: fields.eventTimeAdjustmentSeconds * 1000,
  };
}

/** `⌊Q / I⌋ + 1`: the number of polls of every action's schedule. */
export function pollCount(settings: WindowSettings): number {
  if (!(settings.queryIntervalMs > 0)) throw new RangeError('the query interval must be positive');
  if (!(settings.queryTimeMs >= 0)) throw new RangeError('the query time must not be negative');
  return Math.floor(settings.queryTimeMs / settings.queryIntervalMs) + 1;
}

/** Poll `k` of the schedule of an action that started at `startMs`. */
export function pollWindow(startMs: number, settings: WindowSettings, index: number): PollWindow {
  const from = startMs - settings.queryTimeMs + index * settings.queryIntervalMs;
  const until = startMs + index * settings.queryIntervalMs;
  return {
    index,
    from: new Date(from),
    until: new Date(until),
    runAt: new Date(until + settings.delayMs),
    vendorFrom: new Date(from - settings.eventTimeAdjustmentMs),
    vendorUntil: new Date(until - settings.eventTimeAdjustmentMs),
  };
}

/** Every poll of the schedule of an action that started at `startMs`, in order. */
export function pollSchedule(startMs: number, settings: WindowSettings): PollWindow[] {
  return Array.from({ length: pollCount(settings) }, (_, k) => pollWindow(startMs, settings, k));
}

/**
 * The whole span the schedule covers in our time, `[T − Q, T + Q']` where `T + Q'` is the last
 * window's end (`Q' = ⌊Q / I⌋·I`, so `Q` itself when `I` divides it): evidence outside it is never
 * searched, so correlation ignores it.
 */
export function searchedSpan(startMs: number, settings: WindowSettings): { fromMs: number; untilMs: number } {
  const last = pollWindow(startMs, settings, pollCount(settings) - 1);
  return { fromMs: startMs - settings.queryTimeMs, untilMs: last.until.getTime() };
}

/** Converts a vendor timestamp to our time (`+ E`); NaN for an unparsable one. */
export function toOurTime(vendorTime: string, settings: WindowSettings): number {
  return Date.parse(vendorTime) + settings.eventTimeAdjustmentMs;
}

export type NextPoll =
  | { kind: 'due'; poll: PollWindow }
  | { kind: 'waiting'; poll: PollWindow; dueInMs: number }
  | { kind: 'complete' };

/**
 * The next poll of a schedule, derived only from persisted progress (the indexes of the polls
 * already done) and the clock, so a restarted process resumes exactly where the last one stopped:
 * the lowest index not done is next; it is `due` once its `runAt` has passed, else `waiting`.
 * Indexes outside the schedule are ignored. `complete` when every poll is done.
 */
export function nextPoll(
  startMs: number,
  settings: WindowSettings,
  done: Iterable<number>,
  nowMs: number,
): NextPoll {
  const finished = new Set(done);
  const count = pollCount(settings);
  for (let k = 0; k < count; k++) {
    if (finished.has(k)) continue;
    const poll = pollWindow(startMs, settings, k);
    const dueInMs = poll.runAt.getTime() - nowMs;
    return dueInMs <= 0 ? { kind: 'due', poll } : { kind: 'waiting', poll, dueInMs };
  }
  return { kind: 'complete' };
}
