import { describe, expect, it } from 'vitest';
import { parseOrigin } from './origin.ts';

describe('parseOrigin', () => {
  it('takes protocol://host[:port] apart, with the default port filled in', () => {
    expect(parseOrigin('https://api.example.com')).toEqual({
      ok: true,
      value: { origin: 'https://api.example.com', hostname: 'api.example.com', port: 443 },
    });
    expect(parseOrigin('http://127.0.0.1:8080/')).toEqual({
      ok: true,
      value: { origin: 'http://127.0.0.1:8080', hostname: '127.0.0.1', port: 8080 },
    });
    expect(parseOrigin('https://api.example.com:443')).toMatchObject({
      ok: true,
      value: { origin: 'https://api.example.com', port: 443 },
    });
  });

  it.each([
    ['not a url', 'is not a URL'],
    ['ftp://api.example.com', 'http or https'],
    ['https://api.example.com/api', 'no credentials, path'],
    ['https://api.example.com?x=1', 'no credentials, path'],
    ['https://user:hunter2@api.example.com', 'no credentials, path'],
  ])('refuses %s without repeating it', (baseUrl, problem) => {
    const result = parseOrigin(baseUrl);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toContain(problem);
      expect(result.problem).not.toContain('hunter2');
    }
  });
});
