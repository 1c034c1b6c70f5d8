import { VigilError } from '../../errors.ts';
import type { Driver } from '../driver.ts';
import type { ApiTokenRecord } from '../types.ts';
import { apiTokenColumns, toApiTokenRecord } from './toApiTokenRecord.ts';

/**
 * Revokes the unrevoked API token named `name` (any case) at `at`, in one statement, and returns
 * it as revoked. NOT_FOUND when no such token exists or it is already revoked.
 */
export async function revokeApiToken(driver: Driver, name: string, at: string): Promise<ApiTokenRecord> {
  const [row] = await driver.all(
    `UPDATE api_tokens SET revoked_at = ? WHERE lower(name) = lower(?) AND revoked_at IS NULL
     RETURNING ${apiTokenColumns}`,
    [at, name],
  );
  if (row === undefined) {
    throw new VigilError('NOT_FOUND', `No active API token named '${name}'.`, {
      hint: 'Run `vigil tokens list` to see the tokens and whether they are revoked.',
    });
  }
  return toApiTokenRecord(row);
}
