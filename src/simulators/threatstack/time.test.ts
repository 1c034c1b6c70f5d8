import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime, parseLenientIso } from './time.ts';

describe('parseLenientIso (D6)', () => {
  it.each([
    ['yyyy-mm-dd', '2017-08-01', Date.UTC(2017, 7, 1)],
    ['yyyy-mm-ddThh', '2017-08-01T13', Date.UTC(2017, 7, 1, 13)],
    ['yyyy-mm-ddThh:mm', '2017-08-01T13:45', Date.UTC(2017, 7, 1, 13, 45)],
    ['yyyy-mm-ddThh:mm:ss', '2017-08-01T13:45:30', Date.UTC(2017, 7, 1, 13, 45, 30)],
    ['milliseconds', '2017-08-01T13:45:30.123', Date.UTC(2017, 7, 1, 13, 45, 30, 123)],
    ['one fractional digit', '2017-08-01T13:45:30.5', Date.UTC(2017, 7, 1, 13, 45, 30, 500)],
    ['microseconds (Python isoformat)', '2017-08-01T13:45:30.123456', Date.UTC(2017, 7, 1, 13, 45, 30, 123)],
    ['nanoseconds', '2017-08-01T13:45:30.123456789', Date.UTC(2017, 7, 1, 13, 45, 30, 123)],
    ['Z on a date-time', '2017-08-01T13:45:30Z', Date.UTC(2017, 7, 1, 13, 45, 30)],
    ['Z with milliseconds', '2019-05-26T15:54:28.452Z', Date.UTC(2019, 4, 26, 15, 54, 28, 452)],
    ['Z on an hour', '2017-08-01T13Z', Date.UTC(2017, 7, 1, 13)],
    ['a positive offset', '2017-08-01T13:45:30+02:00', Date.UTC(2017, 7, 1, 11, 45, 30)],
    ['a negative offset', '2017-08-01T13:45:30-05:30', Date.UTC(2017, 7, 1, 19, 15, 30)],
    ['an offset without colon', '2017-08-01T13:45+0200', Date.UTC(2017, 7, 1, 11, 45)],
    ['an offset crossing midnight', '2017-08-01T01:00:00+02:00', Date.UTC(2017, 6, 31, 23)],
    ['a leap day', '2024-02-29', Date.UTC(2024, 1, 29)],
    ['the last instant of a day', '2023-12-31T23:59:59.999Z', Date.UTC(2023, 11, 31, 23, 59, 59, 999)],
    ['the epoch', '1970-01-01T00:00:00.000Z', 0],
  ])('accepts %s: %s', (_form, value, expected) => {
    expect(parseLenientIso(value)).toBe(expected);
  });

  it('reads a value without zone as UTC', () => {
    expect(parseLenientIso('2017-08-01T13:45:30')).toBe(parseLenientIso('2017-08-01T13:45:30Z'));
    expect(parseLenientIso('2017-08-01')).toBe(parseLenientIso('2017-08-01T00:00:00.000Z'));
  });

  it.each([
    ['February 30', '2023-02-30'],
    ['February 29 in a common year', '2023-02-29'],
    ['April 31', '2023-04-31'],
    ['month 13', '2023-13-01'],
    ['month 0', '2023-00-10'],
    ['day 0', '2023-01-00'],
    ['hour 24', '2023-01-01T24:00'],
    ['hour 24 on the last day of a month', '2023-01-31T24:00:00Z'],
    ['minute 60', '2023-01-01T10:60'],
    ['second 60', '2023-01-01T10:59:60'],
    ['garbage', 'yesterday'],
    ['an empty string', ''],
    ['epoch milliseconds', '1690000000000'],
    ['a slash date', '2023/01/01'],
    ['a one-digit month', '2023-1-01'],
    ['a space instead of T', '2023-01-01 10:00'],
    ['a trailing dot', '2023-01-01T10:00:00.'],
    ['minutes without seconds but with a fraction', '2023-01-01T10:00.5'],
    ['text after the value', '2023-01-01Tnoon'],
    ['a lower-case zone letter', '2023-01-01T10:00:00z'],
  ])('rejects %s: %j', (_name, value) => {
    expect(parseLenientIso(value)).toBeNull();
  });

  it('parses back every body timestamp it formats (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        expect(parseLenientIso(isoTime(ms))).toBe(ms);
      }),
    );
  });
});

describe('isoTime', () => {
  it('formats epoch milliseconds as ISO-8601 UTC with milliseconds and Z', () => {
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoTime(Date.UTC(2019, 4, 26, 15, 54, 28, 452))).toBe('2019-05-26T15:54:28.452Z');
    expect(isoTime(Date.UTC(2026, 10, 25, 12))).toBe('2026-11-25T12:00:00.000Z');
  });

  it('always has the same shape', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (ms) => {
        expect(isoTime(ms)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      }),
    );
  });
});
