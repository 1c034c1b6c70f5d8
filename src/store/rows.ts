import { z } from 'zod';
import type { JsonValue, Properties, StoredEntity, StoredRelationship } from '../graph/types.ts';
import type { SqlRow } from './driver.ts';

/** What the store does with a row schema: parse a row with it. */
export interface RowSchema<T> {
  parse(row: unknown): T;
}

/**
 * A row schema built on first use rather than when its module loads: every command that opens
 * the store loads all of its operations, and building all their zod schemas up front was a
 * measurable part of a small command's start (issue 11).
 */
export function rowSchema<T extends z.ZodType>(make: () => T): RowSchema<z.output<T>> {
  let schema: T | undefined;
  return {
    parse: (row) => {
      schema ??= make();
      return schema.parse(row);
    },
  };
}

/** `JSON.stringify` for a column: `undefined` becomes SQL NULL. */
export function toJsonColumn(value: unknown): string | null {
  return JSON.stringify(value) ?? null;
}

/** A JSON text column parsed, then checked with `schema`. */
export function jsonColumn<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** JSON.parse can only yield JSON values, so the cast records a fact rather than a hope. */
const jsonValue = () => z.custom<JsonValue>(() => true);
const properties = () =>
  z.custom<Properties>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'properties must be a JSON object',
  );

const entityRowSchema = rowSchema(() =>
  z.object({
    key: z.string(),
    type: z.string(),
    class: z.string(),
    integration_id: z.string(),
    display_name: z.string(),
    properties: jsonColumn(properties()),
    raw_data: jsonColumn(jsonValue()).nullable(),
    content_hash: z.string(),
    first_seen_at: z.string(),
    updated_at: z.string(),
  }),
);

const relationshipRowSchema = rowSchema(() =>
  z.object({
    key: z.string(),
    type: z.string(),
    class: z.string(),
    from_key: z.string(),
    to_key: z.string(),
    from_type: z.string(),
    to_type: z.string(),
    integration_id: z.string(),
    properties: jsonColumn(properties()),
    content_hash: z.string(),
    first_seen_at: z.string(),
    updated_at: z.string(),
  }),
);

/**
 * An `entities` row as the graph model's StoredEntity. `rawData` is absent when none was stored
 * (SQL NULL) and `null` when JSON null was stored.
 */
export function toStoredEntity(row: SqlRow): StoredEntity {
  const parsed = entityRowSchema.parse(row);
  return {
    _key: parsed.key,
    _type: parsed.type,
    _class: parsed.class,
    displayName: parsed.display_name,
    properties: parsed.properties,
    ...(row.raw_data === null ? {} : { rawData: parsed.raw_data }),
    integrationId: parsed.integration_id,
    contentHash: parsed.content_hash,
    firstSeenAt: parsed.first_seen_at,
    updatedAt: parsed.updated_at,
  };
}

/** A `relationships` row as the graph model's StoredRelationship. */
export function toStoredRelationship(row: SqlRow): StoredRelationship {
  const parsed = relationshipRowSchema.parse(row);
  return {
    _key: parsed.key,
    _type: parsed.type,
    _class: parsed.class,
    fromKey: parsed.from_key,
    toKey: parsed.to_key,
    fromType: parsed.from_type,
    toType: parsed.to_type,
    properties: parsed.properties,
    integrationId: parsed.integration_id,
    contentHash: parsed.content_hash,
    firstSeenAt: parsed.first_seen_at,
    updatedAt: parsed.updated_at,
  };
}
