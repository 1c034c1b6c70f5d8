/** Query parameters in the order they are sent; order matters to request signatures. */
export type QueryParams = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * Percent-encodes a query name or value: everything except RFC 3986 unreserved characters
 * (`A-Z a-z 0-9 - . _ ~`), so the result is the same on every client and no URL library has
 * anything left to normalise.
 */
export function encodeQueryComponent(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Percent-encodes one path segment (an id taken from vendor data), including `/`. */
export function encodePathSegment(value: string): string {
  return encodeQueryComponent(value);
}

/**
 * Builds the exact request target `path?name=value&…` in the given parameter order. Request
 * signers sign this string and the transport sends it byte for byte, so the signed resource is
 * always the one on the wire. `path` must already be encoded (see `encodePathSegment`).
 */
export function pathWithQuery(path: string, params: QueryParams = []): string {
  if (params.length === 0) return path;
  const query = params.map(([name, value]) => `${encodeQueryComponent(name)}=${encodeQueryComponent(value)}`);
  return `${path}?${query.join('&')}`;
}
