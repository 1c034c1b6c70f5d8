import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseSettings } from '../../src/app/settings.ts';
import { openVigil, type Vigil } from '../../src/app/vigil.ts';
import { testPostgresUrl } from '../../src/store/testing.ts';

/** The back ends an application test runs on: SQLite always, PostgreSQL when VIGIL_TEST_PG_URL is set. */
export const appBackends = [
  { name: 'sqlite', available: true },
  { name: 'postgres', available: testPostgresUrl !== undefined },
] as const;

export interface TestVigil {
  vigil: Vigil;
  /** The temporary VIGIL_HOME. */
  home: string;
  /** Closes Vigil and deletes its home (and its PostgreSQL schema). */
  dispose(): Promise<void>;
}

/**
 * Opens Vigil in process, as the CLI does, with a temporary VIGIL_HOME (never the real home), a
 * random secret key, `env` on top (e.g. a vendor's variables) and a database of the back end: the
 * home's vigil.db, or a fresh PostgreSQL schema dropped on dispose.
 */
export async function openTestVigil(
  backend: 'sqlite' | 'postgres',
  env: NodeJS.ProcessEnv = {},
): Promise<TestVigil> {
  const home = await mkdtemp(join(tmpdir(), 'vigil-home-'));
  const schema = backend === 'postgres' ? `vigil_app_${randomBytes(6).toString('hex')}` : undefined;
  if (backend === 'postgres' && testPostgresUrl === undefined)
    throw new Error('VIGIL_TEST_PG_URL is not set');
  const settings = parseSettings({
    env: { VIGIL_HOME: home, VIGIL_SECRET_KEY: randomBytes(32).toString('base64'), ...env },
    ...(backend === 'postgres' ? { db: testPostgresUrl, schema } : {}),
  });
  const vigil = await openVigil(settings);
  return {
    vigil,
    home,
    dispose: async () => {
      await vigil.close();
      if (schema !== undefined) {
        const admin = new pg.Client({ connectionString: testPostgresUrl });
        await admin.connect();
        try {
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await admin.end();
        }
      }
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Rejects with the coded error of `work`, or fails when it succeeds. */
export async function codedFailure(
  work: Promise<unknown>,
): Promise<{ code: string; message: string; hint?: string | undefined }> {
  try {
    await work;
  } catch (error) {
    if (error instanceof Error && 'code' in error)
      return error as { code: string; message: string; hint?: string };
    throw error;
  }
  throw new Error('expected a coded failure');
}
