import { createHash } from 'node:crypto';
import { VigilError } from '../errors.ts';
import type { Entity, Relationship } from '../graph/types.ts';

/** The deepest nesting `canonicalJson` accepts: far beyond any vendor object, far below the stack's limit. */
export const maxCanonicalDepth = 1000;

/** How deeply arrays and objects nest in `value`, counted without recursion (stops past `limit`). */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop() as [unknown, number];
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > limit) return deepest;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * JSON with object keys sorted (recursively), so that equal content gives equal text whatever
 * the key order. Otherwise `JSON.stringify` semantics: `undefined` members are dropped, `undefined`
 * array items and non-finite numbers become `null`, `toJSON` is honoured, a BigInt throws.
 * INPUT_INVALID when the value nests deeper than `maxCanonicalDepth` (never a stack overflow).
 */
export function canonicalJson(value: unknown): string {
  if (nestingDepth(value, maxCanonicalDepth) > maxCanonicalDepth) {
    throw new VigilError('INPUT_INVALID', `A JSON value nests deeper than ${maxCanonicalDepth} levels.`, {
      hint: 'Flatten the value; no graph property or vendor object needs that depth.',
    });
  }
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
