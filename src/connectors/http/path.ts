import { VigilError } from '../../errors.ts';

/** Query parameters in the order they are sent; order matters to request signatures. */
export type QueryParams = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * Percent-encodes a query name or value: everything except RFC 3986 unreserved characters
 * (`A-Z a-z 0-9 - . _ ~`), so the result is the same on every client and no URL library has
 * anything left to normalise. A value that is not valid Unicode (a lone surrogate, e.g. an id
 * taken from a hostile vendor's data) cannot be encoded: INPUT_INVALID.
 */
export function encodeQueryComponent(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    throw new VigilError(
      'INPUT_INVALID',
      'A value to send in a request URL is not valid Unicode (it holds a lone surrogate).',
      { hint: 'If the value came from the vendor, its data is corrupt; report it to the vendor.' },
    );
  }
  return encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
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
