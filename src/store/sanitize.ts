import { VigilError } from '../errors.ts';
import { relationshipKey } from '../graph/keys.ts';
import type { Entity, JsonValue, Properties, Relationship } from '../graph/types.ts';

/** How deep JSON may nest in properties and raw data (vendor objects nest a handful of levels). */
export const maxJsonDepth = 256;

const nul = String.fromCharCode(0);
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** A NUL or any surrogate: the only texts that may need a change (one cheap test per string). */
const mayNeedSanitizing = new RegExp(`[${nul}\\uD800-\\uDFFF]`);

/**
 * Text as both databases can store it: NUL characters removed (PostgreSQL refuses them in text
 * and jsonb) and lone UTF-16 surrogates replaced by U+FFFD (they have no UTF-8 form). Clean text
 * (nearly all) is returned as it is.
 */
export function sanitizeText(text: string): string {
  return mayNeedSanitizing.test(text) ? text.replaceAll(nul, '').replace(loneSurrogate, '\uFFFD') : text;
}

function tooDeep(owner: string): VigilError {
  return new VigilError(
    'PROVIDER_RESPONSE_INVALID',
    `The data of ${owner} nests deeper than ${maxJsonDepth} levels and cannot be stored.`,
    { hint: 'The vendor returned an object of an unexpected shape; the rest of the sync is unaffected.' },
  );
}

/**
 * A JSON value with every string and object key sanitized; PROVIDER_RESPONSE_INVALID when it nests
 * too deep. A value with nothing to change is returned as it is (no copy: a sync sanitizes every
 * row it sees); otherwise only the changed arrays and objects are new.
 */
function sanitizeJson(value: JsonValue, owner: string, depth = 0): JsonValue {
  if (typeof value === 'string') return sanitizeText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxJsonDepth) throw tooDeep(owner);
  if (!Array.isArray(value)) return sanitizeObject(value, owner, depth);
  let copy: JsonValue[] | undefined;
  for (let index = 0; index < value.length; index++) {
    const item = value[index] as JsonValue;
    const clean = sanitizeJson(item, owner, depth + 1);
    if (copy !== undefined) copy.push(clean);
    else if (clean !== item) copy = [...value.slice(0, index), clean];
  }
  return copy ?? value;
}

/** An object's keys and values sanitized (see sanitizeJson: returned as it is when clean). */
function sanitizeObject(value: { [key: string]: JsonValue }, owner: string, depth: number): Properties {
  const keys = Object.keys(value);
  let copy: Array<[string, JsonValue]> | undefined;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    const item = value[key] as JsonValue;
    const cleanKey = sanitizeText(key);
    const clean = sanitizeJson(item, owner, depth + 1);
    if (copy !== undefined) copy.push([cleanKey, clean]);
    else if (cleanKey !== key || clean !== item) {
      copy = keys.slice(0, index).map((kept): [string, JsonValue] => [kept, value[kept] as JsonValue]);
      copy.push([cleanKey, clean]);
    }
  }
  // fromEntries defines own properties, so a `__proto__` key stays a key.
  return copy === undefined ? value : Object.fromEntries(copy);
}

/** An entity as it is hashed and stored: every text sanitized, JSON depth checked. */
export function sanitizeEntity(entity: Entity): Entity {
  const owner = `entity ${sanitizeText(entity._key)}`;
  return {
    _key: sanitizeText(entity._key),
    _type: sanitizeText(entity._type),
    _class: sanitizeText(entity._class),
    displayName: sanitizeText(entity.displayName),
    properties: sanitizeObject(entity.properties, owner, 0),
    ...(entity.rawData === undefined ? {} : { rawData: sanitizeJson(entity.rawData, owner) }),
  };
}

/**
 * A relationship as it is hashed and stored: every text sanitized, JSON depth checked, and its key
 * the conventional `<fromKey>|<verb lower>|<toKey>` (INTERNAL_ERROR otherwise: connectors build
 * keys with `relationship()`). Keys being unique, the store then holds at most one relationship per
 * (from, class, to), which the query compiler relies on to count without DISTINCT.
 */
export function sanitizeRelationship(relationship: Relationship): Relationship {
  const sanitized: Relationship = {
    _key: sanitizeText(relationship._key),
    _type: sanitizeText(relationship._type),
    _class: sanitizeText(relationship._class),
    fromKey: sanitizeText(relationship.fromKey),
    toKey: sanitizeText(relationship.toKey),
    fromType: sanitizeText(relationship.fromType),
    toType: sanitizeText(relationship.toType),
    properties: sanitizeObject(relationship.properties, `relationship ${sanitizeText(relationship._key)}`, 0),
  };
  if (sanitized._key !== relationshipKey(sanitized.fromKey, sanitized._class, sanitized.toKey)) {
    throw new VigilError(
      'INTERNAL_ERROR',
      `Relationship ${sanitized._key.slice(0, 200)} does not have the key <fromKey>|<verb>|<toKey> of its ends and class.`,
      {
        hint: 'Build relationships with relationship() from src/graph/keys.ts; this is a bug in the connector.',
      },
    );
  }
  return sanitized;
}
