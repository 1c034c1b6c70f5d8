import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from './dispatcher.ts';
import { redactUrlCredentials } from './redaction.ts';
import {
  type ForwardProxy,
  type LoopbackServer,
  sendJson,
  startForwardProxy,
  startStubServer,
} from './testing/loopback.ts';
import { sendOnce, TransportError } from './transport.ts';

describe('createDispatcher', () => {
  let target: LoopbackServer;
  let proxy: ForwardProxy;
  beforeAll(async () => {
    target = await startStubServer((req, res) =>
      sendJson(res, 200, { path: req.url, host: req.headers.host }),
    );
    proxy = await startForwardProxy();
  });
  afterAll(async () => {
    await proxy.close();
    await target.close();
  });

  const get = async (
    options: Parameters<typeof createDispatcher>[0],
    origin = target.url,
    path = '/v2/x?b=2&a=1',
  ) => {
    const dispatcher = createDispatcher(options);
    try {
      return await sendOnce(dispatcher, { method: 'GET', origin, path, headers: {} }, 2_000);
    } finally {
      await dispatcher.close();
    }
  };

  it('connects directly without a proxy', async () => {
    const response = await get({ target: target.url, timeoutMs: 2_000 });
    expect(JSON.parse(response.text)).toEqual({
      path: '/v2/x?b=2&a=1',
      host: target.url.slice('http://'.length),
    });
  });

  it('forwards plain http targets through a proxy in absolute form, with Basic credentials', async () => {
    proxy.seen.length = 0;
    proxy.authorizations.length = 0;
    const response = await get({
      target: target.url,
      timeoutMs: 2_000,
      proxy: proxy.url.replace('//', '//u%40x:p%3Aw@'),
    });
    expect(JSON.parse(response.text).path).toBe('/v2/x?b=2&a=1');
    expect(proxy.seen).toEqual([`${target.url}/v2/x?b=2&a=1`]);
    expect(proxy.authorizations).toEqual([`Basic ${Buffer.from('u@x:p:w').toString('base64')}`]);
  });

  it('tunnels with CONNECT when asked to', async () => {
    proxy.seen.length = 0;
    const response = await get({ target: target.url, timeoutMs: 2_000, proxy: proxy.url, proxyTunnel: true });
    expect(JSON.parse(response.text).path).toBe('/v2/x?b=2&a=1');
    expect(proxy.seen).toEqual([`CONNECT ${target.url.slice('http://'.length)}`]);
  });

  it('tunnels https targets by default', async () => {
    proxy.seen.length = 0;
    const httpsTarget = target.url.replace('http://', 'https://');
    // The loopback target does not speak TLS, so the handshake fails; what matters is the CONNECT.
    await expect(
      get({ target: httpsTarget, timeoutMs: 2_000, proxy: proxy.url }, httpsTarget),
    ).rejects.toBeInstanceOf(TransportError);
    expect(proxy.seen).toEqual([`CONNECT ${target.url.slice('http://'.length)}`]);
  });

  it('refuses a proxy that is not an http(s) URL, without showing its password', () => {
    for (const proxyUrl of ['socks5://user:pw123456@127.0.0.1:1080', 'not a url user:pw123456@']) {
      expect(() => createDispatcher({ target: target.url, timeoutMs: 1_000, proxy: proxyUrl })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.not.stringContaining('pw123456') }),
      );
    }
  });

  it('refuses an unreadable CA file', () => {
    expect(() =>
      createDispatcher({ target: target.url, timeoutMs: 1_000, caFile: '/nonexistent/ca.pem' }),
    ).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('ENOENT') }),
    );
  });
});

describe('redactUrlCredentials', () => {
  it('hides user and password', () => {
    expect(redactUrlCredentials('http://user:pass@proxy:3128')).toBe('http://***@proxy:3128');
    expect(redactUrlCredentials('https://proxy:3128/x@y')).toBe('https://proxy:3128/x@y');
    expect(redactUrlCredentials('http://proxy:3128')).toBe('http://proxy:3128');
  });
});
