import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import type { Driver, SqlRow, SqlValue } from './driver.ts';
import { registerQueryFunctions } from './query/functions.ts';
import { type BackgroundCheckpointer, startBackgroundCheckpointer } from './sqlite-checkpointer.ts';

const statementCacheLimit = 256;
/** The page cache (negative: KiB) between large reads: small, so that a sync's memory stays low. */
const syncCacheKiB = -8192;
/**
 * The page cache of a large read (a J1QL query). SQLite sorts in memory up to the cache's size and
 * spills to a temp file past it: a 2-hop aggregate over 100 000 agents sorts 250 000 matches
 * (p50 299 ms at 8 MiB, 270 ms at 64 MiB). Shrinking the cache afterwards frees the extra pages.
 */
const largeReadCacheKiB = -65536;
/** How often a long-running process checkpoints in the background (`checkpointInBackground`). */
const backgroundCheckpointMs = 250;

/**
 * Opens a SQLite file (created if missing) in WAL mode with `synchronous=NORMAL`: durable across
 * process crashes, fast enough that one transaction upserts hundreds of thousands of rows.
 * better-sqlite3 is synchronous; this driver serialises callers so that a statement from one
 * caller never lands inside another caller's open transaction.
 */
/**
 * better-sqlite3's compiled addon, named to the package so that it does not search for it (through
 * the `bindings` package) at every start; undefined (the package then searches) where the
 * install put it elsewhere.
 */
function nativeAddon(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
  } catch {
    return undefined;
  }
}

export function openSqliteDriver(file: string): Driver {
  const addon = nativeAddon();
  const db = new Database(file, addon === undefined ? {} : { nativeBinding: addon });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Checkpoints are what cost an fsync in WAL mode; a sync writes hundreds of megabytes, so let
  // the WAL grow to ~64 MiB between them instead of SQLite's default 4 MiB.
  db.pragma('wal_autocheckpoint = 16384');
  // Page caches are most of the process's native memory: 8 MiB for the database (reads past it
  // come from the OS page cache, which is not this process's RSS) and 4 MiB for the TEMP schema
  // below (SQLite's default there is 16 MiB; past it the seen-key table spills to a temp file).
  // No mmap: mapped pages a sync touches would count as resident.
  db.pragma(`cache_size = ${syncCacheKiB}`);
  registerQueryFunctions(db);
  // The seen-key set of a run is scratch data: a connection-local TEMP table shadows the main one,
  // so marking keys seen writes nothing to the database file or its WAL (a crash discards it).
  db.exec(
    'CREATE TEMP TABLE IF NOT EXISTS sync_seen (run_id TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (run_id, kind, key)) WITHOUT ROWID',
  );
  db.pragma('temp.cache_size = -4096');
  return new SqliteDriver(db, file, addon);
}

class SqliteDriver implements Driver {
  readonly dialect = 'sqlite';
  private readonly statements = new Map<string, Database.Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly direct: Driver;
  private checkpointer: BackgroundCheckpointer | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
    private readonly addon: string | undefined,
  ) {
    this.direct = {
      dialect: 'sqlite',
      all: async (sql, params = []) => this.allNow(sql, params),
      run: async (sql, params = []) => this.runNow(sql, params),
      transaction: (work) => work(this.direct),
      close: async () => {},
    };
  }

  all(
    sql: string,
    params: readonly SqlValue[] = [],
    options: { largeRead?: boolean } = {},
  ): Promise<SqlRow[]> {
    if (options.largeRead !== true) return this.exclusive(async () => this.allNow(sql, params));
    return this.exclusive(async () => {
      this.db.pragma(`cache_size = ${largeReadCacheKiB}`);
      try {
        return this.allNow(sql, params);
      } finally {
        this.db.pragma(`cache_size = ${syncCacheKiB}`);
      }
    });
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.exclusive(async () => this.runNow(sql, params));
  }

  transaction<T>(work: (tx: Driver) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  checkpointInBackground(): BackgroundCheckpointer {
    this.checkpointer ??= startBackgroundCheckpointer(this.file, {
      intervalMs: backgroundCheckpointMs,
      ...(this.addon === undefined ? {} : { addon: this.addon }),
    });
    return this.checkpointer;
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    await this.exclusive(async () => {
      this.statements.clear();
      if (this.db.open) this.db.close();
    });
  }

  /** Runs `task` after every earlier caller has finished, whatever their outcome. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private allNow(sql: string, params: readonly SqlValue[]): SqlRow[] {
    return this.prepare(sql).all(...params) as SqlRow[];
  }

  private runNow(sql: string, params: readonly SqlValue[]): number {
    return this.prepare(sql).run(...params).changes;
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= statementCacheLimit) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
