/** A vendor base URL taken apart: what undici connects to and what signers need. */
export interface Origin {
  /** `protocol://host[:port]` as `URL.origin` writes it (default port omitted). */
  origin: string;
  hostname: string;
  port: number;
}

/**
 * Parses a base URL that must be exactly `http(s)://host[:port]` (a trailing `/` is tolerated):
 * no credentials, path, query or fragment. Returns the parts, or a problem to report; the problem
 * never repeats the URL, which could hold a password.
 */
export function parseOrigin(baseUrl: string): { ok: true; value: Origin } | { ok: false; problem: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { ok: false, problem: 'is not a URL (expected protocol://host[:port])' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, problem: 'must use http or https' };
  }
  const plain = url.username === '' && url.password === '' && url.search === '' && url.hash === '';
  if (!plain || (url.pathname !== '/' && url.pathname !== '')) {
    return { ok: false, problem: 'must be protocol://host[:port] (no credentials, path, query or fragment)' };
  }
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { ok: true, value: { origin: url.origin, hostname: url.hostname, port } };
}
