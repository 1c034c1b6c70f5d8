import type Database from 'better-sqlite3';

const cacheLimit = 256;

/**
 * Registers the SQL functions compiled queries call on SQLite: `vigil_regexp(pattern, flags,
 * value)` → 1 when the JavaScript RegExp matches `value` (a string), else 0. Compiled patterns
 * are cached per connection.
 */
export function registerQueryFunctions(db: Database.Database): void {
  const patterns = new Map<string, RegExp>();
  db.function('vigil_regexp', { deterministic: true }, (pattern: unknown, flags: unknown, value: unknown) => {
    if (typeof pattern !== 'string' || typeof value !== 'string') return 0;
    const cacheKey = `${String(flags)}/${pattern}`;
    let compiled = patterns.get(cacheKey);
    if (compiled === undefined) {
      if (patterns.size >= cacheLimit) patterns.clear();
      compiled = new RegExp(pattern, flags === 'i' ? 'i' : '');
      patterns.set(cacheKey, compiled);
    }
    return compiled.test(value) ? 1 : 0;
  });
}
