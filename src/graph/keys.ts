import type { Properties, Relationship } from './types.ts';

/** `<fromKey>|<verb lower>|<toKey>` (JupiterOne convention). */
export function relationshipKey(fromKey: string, verb: string, toKey: string): string {
  return `${fromKey}|${verb.toLowerCase()}|${toKey}`;
}

/** Builds a relationship with its conventional key and `_type` `<fromType>_<verb>_<toType>`. */
export function relationship(
  from: { _key: string; _type: string },
  verb: string,
  to: { _key: string; _type: string },
  properties: Properties = {},
): Relationship {
  return {
    _key: relationshipKey(from._key, verb, to._key),
    _type: `${from._type}_${verb.toLowerCase()}_${to._type}`,
    _class: verb.toUpperCase(),
    fromKey: from._key,
    toKey: to._key,
    fromType: from._type,
    toType: to._type,
    properties,
  };
}
