import { z } from 'zod';

/**
 * ThreatConnect API v2 objects (spec §4, §6), parsed once at the edge. Schemas are loose (unknown
 * keys are kept, so `_rawData` is the vendor object); ids arrive as JSON numbers or numeric
 * strings and leave as numbers; an optional field that is absent or `null` reads as `undefined`.
 */

/** A JSON number or a numeric string (doc samples quote ids) → a safe non-negative integer. */
export const tcIdSchema = z
  .union([z.number(), z.string().trim().regex(/^\d+$/, 'must be a number')])
  .transform(Number)
  .pipe(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER));

/** An optional field: absent, `null` or the value; `null` becomes `undefined`. */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}

/** An owner: Organization, Community, Source (or Individual); the type is kept as sent. */
export const tcOwnerSchema = z.looseObject({ id: tcIdSchema, name: z.string(), type: z.string() });
export type TcOwner = z.infer<typeof tcOwnerSchema>;

/** A v2 tag. ATT&CK tags carry the technique in the name (style-dependent) and a webLink without `owner`. */
export const tcTagSchema = z.looseObject({
  name: z.string(),
  description: optional(z.string()),
  webLink: optional(z.string()),
});
export type TcTag = z.infer<typeof tcTagSchema>;

export const tcAttributeSchema = z.looseObject({
  id: tcIdSchema,
  type: z.string(),
  value: z.string(),
  source: optional(z.string()),
  dateAdded: optional(z.string()),
  lastModified: optional(z.string()),
  displayed: optional(z.boolean()),
});
export type TcAttribute = z.infer<typeof tcAttributeSchema>;

const groupFields = {
  id: tcIdSchema,
  name: z.string(),
  type: optional(z.string()),
  dateAdded: optional(z.string()),
  lastModified: optional(z.string()),
  webLink: optional(z.string()),
  /** Only with `includeTags=true`; a server may omit it when there are none. */
  tag: optional(z.array(tcTagSchema)),
  /** Only with `includeAttributes=true`; a server may omit it when there are none. */
  attribute: optional(z.array(tcAttributeSchema)),
  /** Only with `includeAdditional=true`. */
  xid: optional(z.string()),
};

/** A group as list items show it (adversary, threat, …): the owner by name. */
export const tcGroupSchema = z.looseObject({ ...groupFields, ownerName: optional(z.string()) });
export type TcGroup = z.infer<typeof tcGroupSchema>;

/** A single group (`/v2/groups/{type}/{id}`): the owner as an object, plus the additional fields. */
export const tcGroupDetailSchema = z.looseObject({
  ...groupFields,
  owner: optional(tcOwnerSchema),
  createdBy: optional(z.union([z.string(), z.looseObject({})])),
});
export type TcGroupDetail = z.infer<typeof tcGroupDetailSchema>;

/** `GET /v2/whoami`'s user. */
export const tcUserSchema = z.looseObject({
  userName: z.string(),
  firstName: optional(z.string()),
  lastName: optional(z.string()),
  role: optional(z.string()),
});
export type TcUser = z.infer<typeof tcUserSchema>;

/** `resultCount` as a number or numeric string; absent means unknown (never 0). */
export const tcResultCountSchema = optional(tcIdSchema);
