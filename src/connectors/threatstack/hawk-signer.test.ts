import Hawk from 'hawk';
import { describe, expect, it } from 'vitest';
import {
  newNonce,
  parseHawkAttributes,
  responseAuthenticationProblem,
  signHawkRequest,
  verifiedServerTime,
} from './hawk-signer.ts';

const credentials = { id: '563b7bf374c815ce60e67e50', key: 'werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn' };
const orgId = '5537c4284e9684df7e000014';
const base = {
  credentials,
  ext: orgId,
  host: 'api.threatstack.com',
  port: 443,
  timestampSec: 1572704161,
  nonce: '110909d3',
};

describe('signHawkRequest (frozen vectors)', () => {
  it('signs a GET over the exact path and query, with ext = organization id and no hash', () => {
    const { header, artifacts } = signHawkRequest({
      ...base,
      method: 'GET',
      resource: '/v2/agents?status=online&token=abc',
    });
    expect(header).toBe(
      'Hawk id="563b7bf374c815ce60e67e50", ts="1572704161", nonce="110909d3", ext="5537c4284e9684df7e000014", ' +
        'mac="mRqOCp1KBD07J/bvbD90qZ1ioJgpTz4JC02pTvqQIyY="',
    );
    expect(artifacts).toMatchObject({
      resource: '/v2/agents?status=online&token=abc',
      port: 443,
      ts: '1572704161',
    });
  });

  it('adds the payload hash of the exact body on a POST', () => {
    const { header } = signHawkRequest({
      ...base,
      method: 'POST',
      resource: '/v2/alerts/dismiss',
      payload: { body: '{"ids":["a"],"dismissReason":"MAINTENANCE"}', contentType: 'application/json' },
    });
    expect(header).toBe(
      'Hawk id="563b7bf374c815ce60e67e50", ts="1572704161", nonce="110909d3", ' +
        'hash="l+n3SH4sxA9ZbLTpLoEDdp3HQ8NR07Aazw9ISy/Kivw=", ext="5537c4284e9684df7e000014", ' +
        'mac="6vAFz4VWzHXl7JdHnp7QYW78fj03vA+czPwRa8+A+Ok="',
    );
  });

  it('agrees with the hawk reference client for a plain URL', () => {
    const url = 'https://api.threatstack.com/v2/alerts?status=active&from=2026-11-25T12%3A00%3A00.000Z';
    const reference = Hawk.client.header(url, 'GET', {
      credentials: { ...credentials, algorithm: 'sha256' },
      ext: orgId,
      timestamp: base.timestampSec,
      nonce: base.nonce,
    });
    const ours = signHawkRequest({
      ...base,
      method: 'GET',
      resource: url.slice('https://api.threatstack.com'.length),
    });
    expect(ours.header).toBe(reference.header);
  });

  it('signs the resource byte for byte, without normalising it', () => {
    const sorted = signHawkRequest({ ...base, method: 'GET', resource: '/v2/alerts?from=x&status=active' });
    const sent = signHawkRequest({ ...base, method: 'GET', resource: '/v2/alerts?status=active&from=x' });
    expect(sorted.header).not.toBe(sent.header);
  });
});

describe('response authentication', () => {
  const { artifacts } = signHawkRequest({ ...base, method: 'GET', resource: '/help/hawk/self-test' });
  const body = '{"authenticated":true}';
  const serverHeader = Hawk.server.header({ ...credentials, algorithm: 'sha256', user: 'u' }, artifacts, {
    payload: body,
    contentType: 'application/json',
  });
  const headers = { 'content-type': 'application/json', 'server-authorization': serverHeader };

  it('accepts an authentic response', () => {
    expect(responseAuthenticationProblem(headers, body, credentials, artifacts)).toBeNull();
  });

  it('rejects a changed body, a bad mac and a missing header', () => {
    expect(responseAuthenticationProblem(headers, '{"authenticated":false}', credentials, artifacts)).toBe(
      'Bad response payload mac',
    );
    const tampered = {
      ...headers,
      'server-authorization': serverHeader.replace(/mac="[^"]+"/, 'mac="AAAA"'),
    };
    expect(responseAuthenticationProblem(tampered, body, credentials, artifacts)).toBe('Bad response mac');
    expect(
      responseAuthenticationProblem({ 'content-type': 'application/json' }, body, credentials, artifacts),
    ).toBe('Missing Server-Authorization header');
  });
});

describe('stale-timestamp challenge', () => {
  const tsm = Hawk.crypto.calculateTsMac('1700000060', { ...credentials, algorithm: 'sha256' });

  it('parses attributes by name, in any order', () => {
    expect(parseHawkAttributes(`Hawk error="Stale timestamp", tsm="${tsm}", ts="1700000060"`)).toEqual({
      error: 'Stale timestamp',
      tsm,
      ts: '1700000060',
    });
    expect(parseHawkAttributes('Basic realm="x"')).toEqual({});
  });

  it('returns the server time only when tsm verifies under our key', () => {
    expect(tsm).toBe('4bUfMC5rgzE3tBubiMUKGBKpFCOfHSI8mT3vxgx8BzE=');
    const header = `Hawk ts="1700000060", tsm="${tsm}", error="Stale timestamp"`;
    expect(verifiedServerTime(header, credentials)).toBe(1_700_000_060_000);
    expect(verifiedServerTime(header, { ...credentials, key: 'another key' })).toBeUndefined();
    expect(verifiedServerTime('Hawk error="Bad mac"', credentials)).toBeUndefined();
    expect(verifiedServerTime(undefined, credentials)).toBeUndefined();
  });
});

describe('newNonce', () => {
  it('gives 8 URL-safe characters, different each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, newNonce));
    expect(nonces.size).toBe(50);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });
});
