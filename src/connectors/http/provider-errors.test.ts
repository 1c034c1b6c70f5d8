import { describe, expect, it } from 'vitest';
import {
  invalidResponse,
  networkError,
  redactSecrets,
  responseError,
  vendorErrorText,
} from './provider-errors.ts';
import { type HttpResponse, TransportError } from './transport.ts';

function response(status: number, text: string, contentType = 'application/json'): HttpResponse {
  return {
    status,
    headers: { 'content-type': contentType },
    body: Buffer.from(text),
    text,
    lengthVerified: true,
  };
}

const context = {
  service: 'Threat Stack',
  method: 'GET',
  path: '/v2/agents?status=online',
  hints: { PROVIDER_AUTHENTICATION_ERROR: 'Check TS_API_KEY.' },
  secrets: ['sekrit-api-key'],
};

describe('vendorErrorText', () => {
  it('reads {"errors":[…]} only from JSON bodies', () => {
    expect(vendorErrorText(response(401, '{"errors":["Bad mac","again"]}'))).toBe('Bad mac; again');
    expect(
      vendorErrorText(response(400, '{"message":"Invalid token"}', 'application/json; charset=utf-8')),
    ).toBe('Invalid token');
    expect(vendorErrorText(response(429, 'Too Many Requests', 'text/plain'))).toBeUndefined();
    expect(vendorErrorText(response(500, '{"errors":', 'application/json'))).toBeUndefined();
    expect(vendorErrorText(response(500, '{"errors":[1,2]}'))).toBeUndefined();
    expect(vendorErrorText(response(500, `{"errors":["${'x'.repeat(400)}"]}`))?.length).toBe(301);
  });
});

describe('responseError', () => {
  it('maps each status to its code, with method, path, status and the vendor text', () => {
    const cases: Array<[number, string]> = [
      [401, 'PROVIDER_AUTHENTICATION_ERROR'],
      [403, 'PROVIDER_PERMISSION_ERROR'],
      [404, 'PROVIDER_NOT_FOUND'],
      [429, 'PROVIDER_RATE_LIMITED'],
      [500, 'PROVIDER_API_ERROR'],
      [409, 'PROVIDER_API_ERROR'],
    ];
    for (const [status, code] of cases) {
      const error = responseError(response(status, '{"errors":["why"]}'), context, 1);
      expect(error.code).toBe(code);
      expect(error.details.status).toBe(status);
      expect(error.message).toMatch(
        new RegExp(`^Threat Stack GET /v2/agents\\?status=online failed: ${status} .+ \\(why\\)\\.$`),
      );
    }
  });

  it('uses the vendor hint when given, else a generic one', () => {
    expect(responseError(response(401, '{}'), context, 1).hint).toBe('Check TS_API_KEY.');
    expect(responseError(response(403, '{}'), context, 1).hint).toMatch(/permission/);
  });

  it('counts attempts and carries retryAfterMs on an exhausted 429', () => {
    const error = responseError(response(429, 'Too Many Requests', 'text/plain'), context, 6, 1_200);
    expect(error.message).toBe(
      'Threat Stack GET /v2/agents?status=online failed: 429 Too Many Requests on all 6 attempts.',
    );
    expect(error.details).toEqual({ status: 429, attempts: 6, retryAfterMs: 1_200 });
  });

  it('blanks a secret a vendor echoes back', () => {
    const error = responseError(response(401, '{"errors":["key sekrit-api-key is wrong"]}'), context, 1);
    expect(error.message).not.toContain('sekrit-api-key');
    expect(error.message).toContain('[redacted]');
    expect(redactSecrets('a abcd b', ['abcd'])).toBe('a [redacted] b');
  });
});

describe('networkError and invalidResponse', () => {
  it('says what failed and why', () => {
    const network = networkError(
      new TransportError('timeout', 'no complete answer within 200 ms'),
      context,
      3,
    );
    expect(network.code).toBe('PROVIDER_NETWORK_ERROR');
    expect(network.message).toBe(
      'Threat Stack GET /v2/agents?status=online failed: no complete answer within 200 ms (after 3 attempts).',
    );
    expect(network.details).toEqual({ reason: 'timeout', attempts: 3 });
    const invalid = invalidResponse(context, 'agents[0].id: expected string');
    expect(invalid.code).toBe('PROVIDER_RESPONSE_INVALID');
    expect(invalid.message).toContain('agents[0].id');
  });
});
