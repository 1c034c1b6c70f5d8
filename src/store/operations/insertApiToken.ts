import { VigilError } from '../../errors.ts';
import type { Driver } from '../driver.ts';
import type { ApiTokenRecord } from '../types.ts';
import { apiTokenColumns } from './toApiTokenRecord.ts';

/**
 * Stores a new API token. INPUT_INVALID when its name is taken (in any case, revoked tokens
 * included: a name identifies one token for good), or its id or hash exists; the check and the
 * insert are one statement, so two processes creating the same name cannot both succeed.
 */
export async function insertApiToken(driver: Driver, record: ApiTokenRecord): Promise<void> {
  const inserted = await driver.run(
    `INSERT INTO api_tokens (${apiTokenColumns}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [record.id, record.name, record.role, record.hash, record.createdAt, record.lastUsedAt, record.revokedAt],
  );
  if (inserted === 0) {
    throw new VigilError('INPUT_INVALID', `An API token named '${record.name}' already exists.`, {
      hint: 'Choose another --name; `vigil tokens list` shows the names in use, revoked ones included.',
    });
  }
}
