import { describe, expect, it } from 'vitest';
import { encodePathSegment, pathWithQuery } from './path.ts';

describe('pathWithQuery', () => {
  it('keeps the parameter order and leaves unreserved characters alone', () => {
    expect(
      pathWithQuery('/v2/agents', [
        ['status', 'online'],
        ['token', 'MTEwOQ.r0-My_Uye1~'],
      ]),
    ).toBe('/v2/agents?status=online&token=MTEwOQ.r0-My_Uye1~');
    expect(
      pathWithQuery('/v2/alerts', [
        ['until', '2026-11-25T12:00:00.000Z'],
        ['from', 'x'],
      ]),
    ).toBe('/v2/alerts?until=2026-11-25T12%3A00%3A00.000Z&from=x');
  });

  it('percent-encodes everything a URL library might otherwise rewrite', () => {
    expect(pathWithQuery('/p', [['q', "a b&c=d/é!'()*"]])).toBe('/p?q=a%20b%26c%3Dd%2F%C3%A9%21%27%28%29%2A');
    expect(pathWithQuery('/p')).toBe('/p');
    expect(encodePathSegment('CVE-2018-19932')).toBe('CVE-2018-19932');
    expect(encodePathSegment('../x?y')).toBe('..%2Fx%3Fy');
  });
});

describe('encodePathSegment', () => {
  it('refuses a lone surrogate with a coded error instead of a URIError', () => {
    expect(() => encodePathSegment('alert-\ud800')).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', message: expect.stringContaining('lone surrogate') }),
    );
    expect(encodePathSegment('\ud83d\ude00')).toBe('%F0%9F%98%80');
  });
});
