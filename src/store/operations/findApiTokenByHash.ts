import type { Driver } from '../driver.ts';
import type { ApiTokenRecord } from '../types.ts';
import { apiTokenColumns, toApiTokenRecord } from './toApiTokenRecord.ts';

/** The API token whose SHA-256 (hex) is `hash`, revoked or not, or undefined. */
export async function findApiTokenByHash(driver: Driver, hash: string): Promise<ApiTokenRecord | undefined> {
  const [row] = await driver.all(`SELECT ${apiTokenColumns} FROM api_tokens WHERE hash = ?`, [hash]);
  return row === undefined ? undefined : toApiTokenRecord(row);
}
