import { z } from 'zod';
import type { SqlRow } from '../driver.ts';
import { rowSchema } from '../rows.ts';
import type { ApiTokenRecord } from '../types.ts';

/** The columns of `api_tokens`, in the order the operations select and insert them. */
export const apiTokenColumns = 'id, name, role, hash, created_at, last_used_at, revoked_at';

const apiTokenRowSchema = rowSchema(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    role: z.enum(['viewer', 'operator', 'admin']),
    hash: z.string(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  }),
);

/** An `api_tokens` row, re-validated, as an ApiTokenRecord. */
export function toApiTokenRecord(row: SqlRow): ApiTokenRecord {
  const parsed = apiTokenRowSchema.parse(row);
  return {
    id: parsed.id,
    name: parsed.name,
    role: parsed.role,
    hash: parsed.hash,
    createdAt: parsed.created_at,
    lastUsedAt: parsed.last_used_at,
    revokedAt: parsed.revoked_at,
  };
}
