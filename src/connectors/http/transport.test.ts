import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackServer, sendJson, startStubServer } from './testing/loopback.ts';
import { type HttpResponse, sendOnce, TransportError } from './transport.ts';

async function transportFailure(promise: Promise<HttpResponse>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TransportError) return error;
    throw error;
  }
  throw new Error('expected a TransportError');
}

describe('sendOnce', () => {
  let stub: LoopbackServer;
  const dispatcher = new Agent();
  const get = (path: string, timeoutMs = 2_000) =>
    sendOnce(
      dispatcher,
      { method: 'GET', origin: stub.url, path, headers: { accept: 'application/json' } },
      timeoutMs,
    );

  beforeAll(async () => {
    stub = await startStubServer((req, res) => {
      const path = req.url ?? '';
      if (path.startsWith('/cut')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"agents":[', () => res.socket?.destroy());
      } else if (path.startsWith('/pieces')) {
        // A body in many writes, with its length declared or (chunked) not.
        const pieces = Array.from(
          { length: 64 },
          (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(4094)}`,
        );
        const declared = path.includes('declared') ? { 'content-length': String(64 * 4096) } : {};
        res.writeHead(200, { 'content-type': 'text/plain', ...declared });
        for (const piece of pieces) res.write(piece);
        res.end();
      } else if (path.startsWith('/reset')) {
        req.socket.resetAndDestroy();
      } else if (path.startsWith('/silent')) {
        // never answers
      } else if (path.startsWith('/text')) {
        res.writeHead(429, { 'content-type': 'text/plain', 'x-rate-limit-reset': '900' });
        res.end('Too Many Requests');
      } else {
        sendJson(res, 200, { path }, { 'set-cookie': ['a=1', 'b=2'] } as unknown as Record<string, string>);
      }
    });
  });
  afterAll(async () => {
    await dispatcher.close();
    await stub.close();
  });

  it('sends the request target byte for byte and reads the whole body', async () => {
    const path = '/echo?b=2&a=1&x=%7e&t=2026-11-25T12:00:00Z';
    const response = await get(path);
    expect(stub.seen.at(-1)).toBe(path);
    expect(JSON.parse(response.text)).toEqual({ path });
    expect(response.status).toBe(200);
    expect(response.lengthVerified).toBe(true);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['set-cookie']).toBe('a=1, b=2');
  });

  it('resolves any HTTP status, with a text body as text', async () => {
    const response = await get('/text');
    expect(response.status).toBe(429);
    expect(response.text).toBe('Too Many Requests');
    expect(response.headers['x-rate-limit-reset']).toBe('900');
  });

  it('reads a body that comes in many chunks byte for byte, with or without a declared length', async () => {
    const expected = Array.from(
      { length: 64 },
      (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(4094)}`,
    ).join('');
    for (const path of ['/pieces-declared', '/pieces-chunked']) {
      const response = await get(path);
      expect(response.body.length).toBe(64 * 4096);
      expect(response.text).toBe(expected);
    }
  });

  it('reports a body cut short as truncated', async () => {
    expect((await transportFailure(get('/cut'))).kind).toBe('truncated');
  });

  it('reports a reset connection as a connection failure', async () => {
    expect((await transportFailure(get('/reset'))).kind).toBe('connection');
  });

  it('reports no answer within the timeout as a timeout', async () => {
    const failure = await transportFailure(get('/silent', 100));
    expect(failure.kind).toBe('timeout');
    expect(failure.message).toBe('no complete answer within 100 ms');
  });

  it('reports a refused connection as a connection failure', async () => {
    const closed = await startStubServer(() => {});
    await closed.close();
    const failure = await transportFailure(
      sendOnce(dispatcher, { method: 'GET', origin: closed.url, path: '/', headers: {} }, 2_000),
    );
    expect(failure.kind).toBe('connection');
    expect(failure.message).toContain('ECONNREFUSED');
  });
});
