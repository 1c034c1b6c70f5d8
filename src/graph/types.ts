/** JSON values as stored in entity and relationship properties. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Flat property bag (JupiterOne convention: scalars or arrays of scalars; objects allowed but not queried). */
export type Properties = Record<string, JsonValue>;

/**
 * A graph entity as connectors produce it (JupiterOne conventions). `_key` is globally unique;
 * `_type` is snake_case, `_class` TitleCase from the J1 data model. `rawData` is the vendor object.
 */
export interface Entity {
  _key: string;
  _type: string;
  _class: string;
  displayName: string;
  properties: Properties;
  rawData?: JsonValue;
}

/**
 * A relationship: `_key = <fromKey>|<verb lower>|<toKey>`, `_class` is the verb (HAS, PROTECTS …).
 * A mapped relationship (`toType` set) targets an entity another step or integration owns,
 * matched by (type, key); the target need not exist yet.
 */
export interface Relationship {
  _key: string;
  _type: string;
  _class: string;
  fromKey: string;
  toKey: string;
  fromType: string;
  toType: string;
  properties: Properties;
}

/** What the store keeps besides the connector's fields. */
export interface StoredEntity extends Entity {
  integrationId: string;
  contentHash: string;
  firstSeenAt: string;
  updatedAt: string;
}

export interface StoredRelationship extends Relationship {
  integrationId: string;
  contentHash: string;
  firstSeenAt: string;
  updatedAt: string;
}
