/**
 * A numbered schema migration: literal SQL per back end, applied in one transaction with the
 * others pending. A released migration never changes (`frozen.test.ts` holds their hashes): to
 * change the schema, add a new file and list it in `index.ts`. The statements differ between back
 * ends only where the types do (PostgreSQL keeps properties as `jsonb` for queries and other JSON
 * verbatim as `json`). Timestamps are ISO-8601 UTC text on both, so they round-trip exactly and
 * sort as text.
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: readonly string[];
  postgres: readonly string[];
}
