import { createHash } from 'node:crypto';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * RFC 9562 (formerly 4122) name-based UUID, version 5: SHA-1 over the namespace's 16 bytes then
 * the name's UTF-8 bytes, truncated to 16 bytes, with the version and variant bits set. The same
 * namespace and name always give the same UUID. Throws on a malformed namespace (a programming error).
 */
export function uuidV5(name: string, namespace: string): string {
  if (!uuidPattern.test(namespace)) throw new TypeError(`Not a UUID namespace: ${namespace}`);
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
