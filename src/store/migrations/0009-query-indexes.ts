import type { Migration } from './migration.ts';

/**
 * Indexes that serve J1QL (src/store/query/): relationships by (endpoint, verb, other endpoint) in
 * both directions — they replace the single-column endpoint indexes, which are their leading
 * columns — entities by class, and the properties queries filter on most, per type. PostgreSQL
 * indexes `properties -> 'p'` (typed jsonb equality, exact and with real statistics).
 */
export const migration0009: Migration = {
  version: 9,
  name: 'query indexes',
  sqlite: [
    'DROP INDEX relationships_from_key',
    'DROP INDEX relationships_to_key',
    'CREATE INDEX relationships_from_class_to ON relationships (from_key, class, to_key)',
    'CREATE INDEX relationships_to_class_from ON relationships (to_key, class, from_key)',
    'CREATE INDEX entities_class ON entities (class)',
    "CREATE INDEX entities_type_status ON entities (type, json_extract(properties, '$.status'))",
    "CREATE INDEX entities_type_active ON entities (type, json_extract(properties, '$.active'))",
    "CREATE INDEX entities_type_severity ON entities (type, json_extract(properties, '$.severity'))",
    "CREATE INDEX entities_type_hostname ON entities (type, json_extract(properties, '$.hostname'))",
  ],
  postgres: [
    'DROP INDEX relationships_from_key',
    'DROP INDEX relationships_to_key',
    'CREATE INDEX relationships_from_class_to ON relationships (from_key, class, to_key)',
    'CREATE INDEX relationships_to_class_from ON relationships (to_key, class, from_key)',
    'CREATE INDEX entities_class ON entities (class)',
    "CREATE INDEX entities_type_status ON entities (type, (properties -> 'status'))",
    "CREATE INDEX entities_type_active ON entities (type, (properties -> 'active'))",
    "CREATE INDEX entities_type_severity ON entities (type, (properties -> 'severity'))",
    "CREATE INDEX entities_type_hostname ON entities (type, (properties -> 'hostname'))",
  ],
};
