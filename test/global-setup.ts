import pg from 'pg';

/** Where `npm test` looks for a local PostgreSQL when VIGIL_TEST_PG_URL is not set. */
export const localTestPostgresUrl = 'postgres://postgres@127.0.0.1:5432/test';

/** True when a PostgreSQL answers `SELECT 1` at `url` within a second. */
async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Vitest global setup: when VIGIL_TEST_PG_URL is unset and a local PostgreSQL answers at
 * `localTestPostgresUrl`, sets it, so that `npm test` runs the PostgreSQL tests too (the test
 * workers start after this and inherit the variable). Set VIGIL_TEST_PG_URL= (empty) to skip them.
 */
export default async function setup(): Promise<void> {
  if (process.env.VIGIL_TEST_PG_URL !== undefined) return;
  if (await answers(localTestPostgresUrl)) {
    process.env.VIGIL_TEST_PG_URL = localTestPostgresUrl;
    process.stderr.write(`PostgreSQL tests run against ${localTestPostgresUrl} (found locally).\n`);
  }
}
