/** A value bound to a `?` placeholder. Booleans and `undefined` are not accepted: bind 0/1 or null. */
export type SqlValue = string | number | null;

/** A row as the database returns it; operations parse it with a zod schema before trusting it. */
export type SqlRow = Record<string, unknown>;

/**
 * The two back ends behind one small surface. SQL is written with `?` placeholders (the PostgreSQL
 * driver rewrites them to `$n`); statements that differ by dialect branch on `dialect`.
 */
export interface Driver {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs a query and returns its rows. `options.largeRead` marks a query that may sort or group
   * hundreds of thousands of rows (a J1QL query): SQLite then runs it with a larger page cache,
   * which also bounds its in-memory sorts (see sqlite-driver.ts); ignored inside a transaction
   * and on PostgreSQL.
   */
  all(sql: string, params?: readonly SqlValue[], options?: { largeRead?: boolean }): Promise<SqlRow[]>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Runs `work` in one transaction on one connection: committed when it resolves, rolled back
   * when it throws. `work` must use the driver it is given, never the outer one. Nested calls
   * join the enclosing transaction.
   */
  transaction<T>(work: (tx: Driver) => Promise<T>): Promise<T>;
  /**
   * SQLite only: from now on its WAL checkpoints run in a worker thread (see
   * sqlite-checkpointer.ts) until `close`; for a long-running process. PostgreSQL has none.
   */
  checkpointInBackground?(): { checkpointNow(): Promise<[number, number, number]> };
  close(): Promise<void>;
}

/** Parameters per statement we stay under: SQLite allows 32 766, PostgreSQL 65 535. */
export const maxParamsPerStatement = 20_000;

/** `(?, ?, ?)` for one row of `width` columns. */
export function placeholderRow(width: number): string {
  return `(${Array.from({ length: width }, () => '?').join(', ')})`;
}

/** `(?, ?), (?, ?), …`: the VALUES list of a multi-row statement. */
export function placeholderRows(rows: number, width: number): string {
  const row = placeholderRow(width);
  return Array.from({ length: rows }, () => row).join(', ');
}

/** Splits `items` into consecutive slices of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let start = 0; start < items.length; start += size) slices.push(items.slice(start, start + size));
  return slices;
}
