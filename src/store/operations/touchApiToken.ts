import type { Driver } from '../driver.ts';

/** Records that the API token `id` was used at `at`; nothing happens for an unknown id. */
export async function touchApiToken(driver: Driver, id: string, at: string): Promise<void> {
  await driver.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [at, id]);
}
