import { describe, expect, it } from 'vitest';
import { responseError } from './provider-errors.ts';
import { clientSecrets, redactSecrets } from './redaction.ts';
import type { HttpResponse } from './transport.ts';

const key = 'kQ3v9ZpL2xW8mN4tR7yB1cD6fH0jS5uE';
const b64 = Buffer.from(key).toString('base64');

describe('redactSecrets: a secret echoed in any encoding (issue 9 item 14)', () => {
  it.each([
    ['raw', `key ${key} is wrong`],
    ['percent-encoded', `key ${encodeURIComponent(`${key}/+=`)} is wrong`],
    ['base64', `Authorization: Basic ${b64}`],
    ['base64 without padding', `token=${b64.replace(/=+$/, '')}`],
    ['base64url', `t=${Buffer.from(key).toString('base64url')}`],
    [
      'base64 of the key with a prefix (another alignment)',
      `b=${Buffer.from(`u:${key}`).toString('base64')}`,
    ],
    ['hex', `hex ${Buffer.from(key).toString('hex')}`],
    ['split in two strings', `first half ${key.slice(0, 16)}; second half ${key.slice(16)}`],
    ['cut short', `key ${key.slice(0, 12)}…`],
  ])('%s', (_, text) => {
    const redacted = redactSecrets(text, [key]);
    expect(redacted).toContain('[redacted]');
    for (let start = 0; start + 8 <= key.length; start += 4)
      expect(redacted).not.toContain(key.slice(start, start + 8));
    expect(redacted).not.toContain(b64.slice(4, 20));
  });

  it('keeps text that holds no secret, and ignores secrets too short to look for', () => {
    expect(redactSecrets('Invalid organization id 5e8f', [key])).toBe('Invalid organization id 5e8f');
    expect(redactSecrets('a abc b', ['abc'])).toBe('a abc b');
    expect(redactSecrets('a abcd b', ['abcd'])).toBe('a [redacted] b');
  });

  it('blanks the proxy password as well as the API key', () => {
    const secrets = clientSecrets(key, 'http://bob:p%40ss-w0rd-long@proxy.example:3128');
    expect(redactSecrets('proxy said p@ss-w0rd-long and p%40ss-w0rd-long', secrets)).toBe(
      'proxy said [redacted] and [redacted]',
    );
    expect(clientSecrets(key, undefined)).toEqual([key]);
  });

  it('a vendor error body echoing the key base64-encoded never reaches the message', () => {
    const text = JSON.stringify({ errors: [`bad credentials ${b64}`, `raw ${key.slice(0, 10)}`] });
    const response: HttpResponse = {
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(text),
      text,
      lengthVerified: true,
    };
    const error = responseError(
      response,
      { service: 'Threat Stack', method: 'GET', path: '/v2/agents', secrets: [key] },
      1,
    );
    expect(error.message).toBe(
      'Threat Stack GET /v2/agents failed: 401 Unauthorized (bad credentials [redacted]; raw [redacted]).',
    );
  });
});
