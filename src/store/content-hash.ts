import { VigilError } from '../errors.ts';
import type { Entity, Relationship } from '../graph/types.ts';
import { nodeCrypto } from '../lazy-require.ts';

/** The deepest nesting `canonicalJson` accepts: far beyond any vendor object, far below the stack's limit. */
export const maxCanonicalDepth = 1000;

/** The error for a value nested deeper than `maxCanonicalDepth`. */
function tooDeep(): VigilError {
  return new VigilError('INPUT_INVALID', `A JSON value nests deeper than ${maxCanonicalDepth} levels.`, {
    hint: 'Flatten the value; no graph property or vendor object needs that depth.',
  });
}

/** Whether `key` is an array index, which JavaScript objects list first, in numeric order. */
function isArrayIndex(key: string): boolean {
  const index = Number(key);
  return Number.isInteger(index) && index >= 0 && index < 4_294_967_295 && String(index) === key;
}

/**
 * An object's keys (as `Object.keys` gives them) in the order of an object rebuilt from them
 * sorted, which is what canonical JSON has always written: array indices first in numeric order
 * (`Object.keys` lists them so), then the other keys in UTF-16 code unit order. Sorted in place.
 */
function sortKeys(keys: string[]): string[] {
  let start = 0;
  while (start < keys.length && isArrayIndex(keys[start] as string)) start += 1;
  if (keys.length - start > 32) {
    const rest = keys.slice(start).sort();
    for (let i = 0; i < rest.length; i++) keys[start + i] = rest[i] as string;
    return keys;
  }
  // Insertion sort: graph objects have a handful of keys, and it allocates nothing.
  for (let i = start + 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= start && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j -= 1;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * The canonical text of `value` at nesting `level` (the top is 0), or undefined where
 * JSON.stringify would omit it (undefined, a function, a symbol). `key` is what `toJSON` receives.
 */
function canonicalText(value: unknown, key: string, level: number): string | undefined {
  let item = value;
  if (
    item !== null &&
    typeof item === 'object' &&
    typeof (item as { toJSON?: unknown }).toJSON === 'function'
  ) {
    item = (item as { toJSON(key: string): unknown }).toJSON(key);
  }
  switch (typeof item) {
    case 'string':
      return JSON.stringify(item);
    case 'number':
      return Number.isFinite(item) ? String(item) : 'null';
    case 'boolean':
      return item ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object':
      break;
    default:
      return undefined;
  }
  if (item === null) return 'null';
  if (level >= maxCanonicalDepth) throw tooDeep();
  if (Array.isArray(item)) {
    let text = '[';
    for (let index = 0; index < item.length; index++) {
      if (index > 0) text += ',';
      text += canonicalText(item[index], String(index), level + 1) ?? 'null';
    }
    return `${text}]`;
  }
  const prototype = Object.getPrototypeOf(item);
  if (prototype !== Object.prototype && prototype !== null) {
    // A boxed primitive or a class instance without toJSON (never in graph data): JSON.stringify's
    // own rules, keys sorted.
    return JSON.stringify(item, (_key, member: unknown) =>
      member === null || typeof member !== 'object' || Array.isArray(member)
        ? member
        : Object.fromEntries(
            sortKeys(Object.keys(member)).map((name) => [name, (member as Record<string, unknown>)[name]]),
          ),
    );
  }
  let text = '{';
  let first = true;
  for (const name of sortKeys(Object.keys(item))) {
    const member = canonicalText((item as Record<string, unknown>)[name], name, level + 1);
    if (member === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(name)}:${member}`;
    first = false;
  }
  return `${text}}`;
}

/**
 * JSON with object keys sorted (recursively, in UTF-16 code unit order), so that equal content
 * gives equal text whatever the key order. Otherwise `JSON.stringify` semantics: `undefined`
 * members are dropped, `undefined` array items and non-finite numbers become `null`, `toJSON` is
 * honoured, a BigInt throws. INPUT_INVALID when the value nests deeper than `maxCanonicalDepth`
 * (never a stack overflow). Written directly rather than through a JSON.stringify replacer: a sync
 * hashes every row it sees, and the replacer's sorted copies were most of what a sync allocated.
 */
export function canonicalJson(value: unknown): string {
  return canonicalText(value, '', 0) as string;
}

/** One-shot `crypto.hash` (Node ≥ 20.12): the same digest as createHash's, in ~60 % of the time. */
function sha256Hex(text: string): string {
  return nodeCrypto().hash('sha256', text, 'hex');
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
