import type { Driver } from '../driver.ts';
import type { ApiTokenRecord } from '../types.ts';
import { apiTokenColumns, toApiTokenRecord } from './toApiTokenRecord.ts';

/** Every API token, revoked ones included, ordered by name (any case). */
export async function listApiTokens(driver: Driver): Promise<ApiTokenRecord[]> {
  const rows = await driver.all(`SELECT ${apiTokenColumns} FROM api_tokens ORDER BY lower(name), id`);
  return rows.map(toApiTokenRecord);
}
