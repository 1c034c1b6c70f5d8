/** Body timestamps: ISO-8601 UTC with milliseconds and `Z`, e.g. `2019-05-26T15:54:28.452Z`. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

const lenientIso =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses the lenient `from`/`until` forms of decision D6: `yyyy-mm-dd`, `yyyy-mm-ddThh`,
 * `yyyy-mm-ddThh:mm`, `yyyy-mm-ddThh:mm:ss`, optional fractional seconds, optional `Z` or
 * offset; no zone means UTC. Returns epoch milliseconds, or null when the value is not one of these.
 */
export function parseLenientIso(value: string): number | null {
  const m = lenientIso.exec(value);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(time);
  if (
    check.getUTCDate() !== Number(d) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  )
    return null;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return time;
}
