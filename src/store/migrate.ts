import { z } from 'zod';
import { VigilError } from '../errors.ts';
import type { Driver } from './driver.ts';
import { migrations as allMigrations, type Migration } from './migrations/index.ts';
import { rowSchema } from './rows.ts';

const appliedRowSchema = rowSchema(() => z.object({ version: z.coerce.number().int() }));

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order, in one transaction
 * (all or nothing). Idempotent. On PostgreSQL an advisory lock keyed by the schema makes
 * concurrent migrators (several workers starting at once) wait for each other. A database
 * migrated by a newer Vigil is refused rather than written with an older idea of the schema.
 */
export async function migrate(
  driver: Driver,
  migrations: readonly Migration[] = allMigrations,
): Promise<void> {
  await driver.transaction(async (tx) => {
    if (tx.dialect === 'postgres') {
      await tx.all(
        "SELECT pg_advisory_xact_lock(hashtext(coalesce(current_schema(), '') || '.vigil.migrate'))",
      );
    }
    await tx.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const rows = await tx.all('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => appliedRowSchema.parse(row).version));
    const latest = Math.max(0, ...migrations.map((migration) => migration.version));
    const newest = Math.max(0, ...applied);
    if (newest > latest) {
      throw new VigilError(
        'STORE_ERROR',
        `The database schema is at version ${newest}, newer than this Vigil knows (${latest})`,
        { hint: 'Upgrade Vigil, or point VIGIL_DB at another database.' },
      );
    }
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration[tx.dialect]) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ]);
    }
  });
}
