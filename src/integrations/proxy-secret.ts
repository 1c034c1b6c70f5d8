import { VigilError } from '../errors.ts';

/**
 * A proxy URL's password is a secret like the API key: the registry keeps the URL with the
 * password replaced by `***` (what every output shows) and seals the password apart.
 */

/** What stands for the password in a stored or printed proxy URL. */
export const PROXY_PASSWORD_MASK = '***';

function parseProxyUrl(proxy: string): URL {
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    // Never echoed: an unparseable value could hold a password anywhere.
    throw new VigilError('CONFIG_INVALID', 'The integration configuration is not valid: proxy: not a URL.', {
      hint: 'Write the proxy as http://[user:password@]host:port or https://…; nothing was stored.',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new VigilError(
      'CONFIG_INVALID',
      `The integration configuration is not valid: proxy: uses ${url.protocol}; only http: and https: proxies are supported.`,
      { hint: 'Write the proxy as http://[user:password@]host:port or https://…; nothing was stored.' },
    );
  }
  for (const [part, encoded] of [
    ['user', url.username],
    ['password', url.password],
  ] as const) {
    if (!isDecodable(encoded)) {
      // Never echoed: the malformed part may be the password itself.
      throw new VigilError(
        'CONFIG_INVALID',
        `The integration configuration is not valid: proxy: the ${part} holds a malformed %-escape.`,
        {
          hint: 'Percent-encode it (% is %25), or give the password with --proxy-password-file; nothing was stored.',
        },
      );
    }
  }
  return url;
}

function isDecodable(encoded: string): boolean {
  try {
    decodeURIComponent(encoded);
    return true;
  } catch {
    return false;
  }
}

function printable(url: URL): string {
  const href = url.href;
  return url.pathname === '/' && url.search === '' && url.hash === '' ? href.replace(/\/$/, '') : href;
}

/**
 * Splits a proxy URL into the form to store and print (`http://user:***@host:port`) and its
 * password (percent-encoded as in the URL), or null when it has none. CONFIG_INVALID for a value
 * that is not an http(s) URL; the message never repeats it.
 */
export function splitProxyPassword(proxy: string): { proxy: string; password: string | null } {
  const url = parseProxyUrl(proxy);
  if (url.password === '') return { proxy: printable(url), password: null };
  const password = url.password;
  url.password = PROXY_PASSWORD_MASK;
  return { proxy: printable(url), password };
}

/** Puts the sealed password back into a stored proxy URL (for the dispatcher only; never print it). */
export function withProxyPassword(storedProxy: string, password: string | null): string {
  if (password === null) return storedProxy;
  const url = new URL(storedProxy);
  url.password = password;
  return printable(url);
}

/** Any proxy URL as it may be shown: the password, if any, replaced by `***`. */
export function maskProxyUrl(proxy: string): string {
  try {
    const url = new URL(proxy);
    if (url.password !== '') url.password = PROXY_PASSWORD_MASK;
    return printable(url);
  } catch {
    return '(unparseable proxy URL)';
  }
}

/**
 * The proxy URL with `password` (given apart: file, stdin, VIGIL_PROXY_PASSWORD) put in as its
 * password, percent-encoded. CONFIG_INVALID when the URL has no user to go with it, or already
 * holds a password (give it once); the message never repeats either.
 */
export function proxyWithPassword(proxy: string, password: string): string {
  const url = parseProxyUrl(proxy);
  const hint = 'Write the proxy as http://user@host:port and give the password apart; nothing was stored.';
  if (url.username === '') {
    throw new VigilError(
      'CONFIG_INVALID',
      'The integration configuration is not valid: proxy: a proxy password needs a user in the URL.',
      { hint },
    );
  }
  if (url.password !== '') {
    throw new VigilError(
      'CONFIG_INVALID',
      'The integration configuration is not valid: proxy: the URL already holds a password; give it once.',
      { hint },
    );
  }
  url.password = encodeURIComponent(password);
  return printable(url);
}

/** Whether a proxy URL given on the command line holds a real password (not the `***` mask), which `ps` shows. */
export function holdsVisiblePassword(proxy: string): boolean {
  try {
    const { password } = new URL(proxy);
    return (
      password !== '' &&
      password !== PROXY_PASSWORD_MASK &&
      password !== encodeURIComponent(PROXY_PASSWORD_MASK)
    );
  } catch {
    return false;
  }
}

/** The user of a proxy URL ('' for none or an unparseable URL). */
export function proxyUser(proxy: string): string {
  try {
    return new URL(proxy).username;
  } catch {
    return '';
  }
}
