import type { Dispatcher, ProxyAgent } from 'undici';
import { VigilError } from '../../errors.ts';
import { lazyRequire } from '../../lazy-require.ts';
import { type FileRefused, readBoundedFileSync } from './bounded-file.ts';
import { redactUrlCredentials } from './redaction.ts';

/** How one integration reaches its vendor; every outbound call of that integration uses it (C5). */
export interface DispatcherOptions {
  /** The vendor's base URL (`protocol://host:port`): an https target is tunnelled through a proxy. */
  target: string;
  /** Connect, headers and body timeouts, each. */
  timeoutMs: number;
  /** `http://[user:pass@]host:port` or `https://…`; credentials become `Proxy-Authorization: Basic`. */
  proxy?: string | undefined;
  /**
   * CONNECT-tunnel through the proxy (true) or send absolute-form requests to it (false). The
   * default tunnels https targets and forwards plain http ones, as curl does.
   */
  proxyTunnel?: boolean | undefined;
  /** A PEM file of extra certificate authorities trusted for the vendor (and an https proxy). */
  caFile?: string | undefined;
  /** Accept any server certificate. Only for a lab; never the default. */
  insecureSkipVerify?: boolean | undefined;
}

interface TlsOptions {
  ca?: string;
  rejectUnauthorized?: boolean;
}

function parseProxy(proxy: string): URL {
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    // Not echoed: an unparseable value could hold a password in any position.
    throw new VigilError('CONFIG_INVALID', 'The proxy setting is not a URL.', {
      hint: 'Write the proxy as http://[user:password@]host:port or https://…',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new VigilError(
      'CONFIG_INVALID',
      `Proxy '${redactUrlCredentials(proxy)}' uses ${url.protocol}; only http: and https: proxies are supported.`,
      { hint: 'Write the proxy as http://[user:password@]host:port or https://…' },
    );
  }
  return url;
}

function readCa(caFile: string): string {
  try {
    return readBoundedFileSync(caFile);
  } catch (error) {
    const reason = (error as FileRefused).reason;
    throw new VigilError('CONFIG_INVALID', `Cannot read the CA file ${caFile} (${reason}).`, {
      hint: 'Point the CA file option at a readable PEM file (at most 1 MiB), or remove it.',
      cause: error,
    });
  }
}

function tlsOptions(options: DispatcherOptions): TlsOptions {
  const tls: TlsOptions = {};
  if (options.caFile !== undefined) tls.ca = readCa(options.caFile);
  if (options.insecureSkipVerify === true) tls.rejectUnauthorized = false;
  return tls;
}

/** A percent-encoded user or password of a proxy URL, decoded; a malformed escape is CONFIG_INVALID. */
function decodeCredential(encoded: string, what: 'user' | 'password', proxy: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    // Neither value is echoed: it is (part of) a secret.
    throw new VigilError(
      'CONFIG_INVALID',
      `The proxy ${what} in '${redactUrlCredentials(proxy)}' holds a malformed %-escape.`,
      {
        hint: 'Percent-encode reserved characters of the proxy user and password (% as %25, @ as %40, : as %3A).',
      },
    );
  }
}

/** undici, loaded by the first dispatcher (commands that make no vendor call never load it). */
const undici = lazyRequire<typeof import('undici')>('undici');

function proxyAgent(options: DispatcherOptions, tls: TlsOptions): ProxyAgent {
  const { Pool, ProxyAgent } = undici();
  const url = parseProxy(options.proxy ?? '');
  const user = decodeCredential(url.username, 'user', options.proxy ?? '');
  const password = decodeCredential(url.password, 'password', options.proxy ?? '');
  const token =
    url.username === '' && url.password === ''
      ? undefined
      : `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  const timeouts = { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs };
  return new ProxyAgent({
    uri: url.href,
    ...(token === undefined ? {} : { token }),
    proxyTunnel: options.proxyTunnel ?? new URL(options.target).protocol === 'https:',
    requestTls: { ...tls, timeout: options.timeoutMs },
    proxyTls: { ...tls, timeout: options.timeoutMs },
    ...timeouts,
    factory: (origin, poolOptions) => new Pool(origin, { ...poolOptions, ...timeouts }),
  });
}

/**
 * Creates the undici dispatcher of one integration: a keep-alive `Agent`, or a `ProxyAgent`
 * when a proxy is configured, with connect/headers/body timeouts and the optional CA file and
 * insecure switch. Throws `CONFIG_INVALID` (credentials redacted) for a bad proxy or CA file.
 * The caller owns the dispatcher and closes it.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const tls = tlsOptions(options);
  if (options.proxy !== undefined && options.proxy !== '') return proxyAgent(options, tls);
  return new (undici().Agent)({
    connect: { ...tls, timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
}
