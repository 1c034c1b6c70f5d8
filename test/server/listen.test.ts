import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { isLoopbackHost, type RunningServer, startServer } from '../../src/server/listen.ts';
import { repoRoot } from '../helpers/cli.ts';
import { type Harness, openHarness } from './harness.ts';

const tlsDir = join(repoRoot, 'test', 'fixtures', 'tls');
const cert = join(tlsDir, 'self-signed.pem');
const key = join(tlsDir, 'key.pem');

async function refusal(work: Promise<unknown>): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await work;
  } catch (error) {
    if (error instanceof VigilError) return error.toJSON();
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('startServer', () => {
  let harness: Harness;
  let running: RunningServer | undefined;

  beforeEach(async () => {
    harness = await openHarness();
  });

  afterEach(async () => {
    if (running === undefined) await harness.app.close();
    else await running.close();
    running = undefined;
    await harness.close();
  });

  it('serves plain HTTP on loopback at a free port and reports its URL', async () => {
    running = await startServer(harness.app, { host: '127.0.0.1', port: 0 });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await request(`${running.url}/healthz`);
    expect(answer.statusCode).toBe(200);
    expect(await answer.body.json()).toEqual({ status: 'ok' });
  });

  it('serves HTTPS with the certificate and key files', async () => {
    running = await startServer(harness.app, { host: '127.0.0.1', port: 0, tlsCert: cert, tlsKey: key });
    expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const dispatcher = new Agent({ connect: { ca: readFileSync(cert) } });
    try {
      const answer = await request(`${running.url}/healthz`, { dispatcher });
      expect(answer.statusCode).toBe(200);
      expect(await answer.body.json()).toEqual({ status: 'ok' });
    } finally {
      await dispatcher.close();
    }
  });

  it('refuses plain HTTP on a non-loopback address without insecureHttp, before binding', async () => {
    expect(await refusal(startServer(harness.app, { host: '0.0.0.0', port: 0 }))).toEqual({
      code: 'CONFIG_INVALID',
      message: 'Refusing plain HTTP on 0.0.0.0, which is not a loopback address.',
      hint: 'Serve HTTPS with --tls-cert and --tls-key, or pass --insecure-http (e.g. behind a TLS-terminating proxy).',
    });
  });

  it('refuses a certificate without a key, and an unreadable file, naming it', async () => {
    expect(
      (await refusal(startServer(harness.app, { host: '127.0.0.1', port: 0, tlsCert: cert }))).message,
    ).toBe('HTTPS needs both a certificate and a key.');
    const missing = join(tlsDir, 'missing.pem');
    expect(
      (await refusal(startServer(harness.app, { host: '127.0.0.1', port: 0, tlsCert: missing, tlsKey: key })))
        .message,
    ).toBe(`Cannot read the TLS cert file ${missing} (ENOENT).`);
  });

  it('reports a port in use as ADDRESS_IN_USE', async () => {
    running = await startServer(harness.app, { host: '127.0.0.1', port: 0 });
    const port = Number(new URL(running.url).port);
    const other = await openHarness();
    try {
      expect((await refusal(startServer(other.app, { host: '127.0.0.1', port }))).code).toBe(
        'ADDRESS_IN_USE',
      );
    } finally {
      await other.close();
    }
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['example.com', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
