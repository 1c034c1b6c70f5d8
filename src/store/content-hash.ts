import { createHash } from 'node:crypto';
import type { Entity, Relationship } from '../graph/types.ts';

/**
 * JSON with object keys sorted (recursively), so that equal content gives equal text whatever
 * the key order. Otherwise `JSON.stringify` semantics: `undefined` members are dropped, `undefined`
 * array items and non-finite numbers become `null`, `toJSON` is honoured, a BigInt throws.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    // fromEntries defines own properties, so a `__proto__` key stays a key.
    return Object.fromEntries(
      Object.keys(item)
        .sort()
        .map((key) => [key, (item as Record<string, unknown>)[key]]),
    );
  });
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 (hex) of the canonical JSON of what an entity says: type, class, name, properties, raw data. */
export function entityContentHash(entity: Entity): string {
  return sha256Hex(
    canonicalJson({
      _type: entity._type,
      _class: entity._class,
      displayName: entity.displayName,
      properties: entity.properties,
      rawData: entity.rawData,
    }),
  );
}

/** sha256 (hex) of the canonical JSON of what a relationship says: type, class, ends, properties. */
export function relationshipContentHash(relationship: Relationship): string {
  return sha256Hex(
    canonicalJson({
      _type: relationship._type,
      _class: relationship._class,
      fromKey: relationship.fromKey,
      toKey: relationship.toKey,
      fromType: relationship.fromType,
      toType: relationship.toType,
      properties: relationship.properties,
    }),
  );
}
