import { describe, expect, it } from 'vitest';
import { chunk, placeholderRows } from './driver.ts';
import { toPositional } from './postgres-driver.ts';
import { describeLocation, isValidSchemaName, toStoreError } from './store-error.ts';

describe('SQL helpers', () => {
  it('numbers placeholders for PostgreSQL, skipping quoted text', () => {
    expect(toPositional("SELECT ? , '?', \"a?\" FROM t WHERE a = ? AND b = 'it''s ?' AND c IN (?, ?)")).toBe(
      "SELECT $1 , '?', \"a?\" FROM t WHERE a = $2 AND b = 'it''s ?' AND c IN ($3, $4)",
    );
  });

  it('builds multi-row VALUES lists and chunks', () => {
    expect(placeholderRows(2, 3)).toBe('(?, ?, ?), (?, ?, ?)');
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 2)).toEqual([]);
  });

  it('accepts only plain schema names', () => {
    expect(isValidSchemaName('vigil_test_0a1b')).toBe(true);
    for (const name of ['', '1abc', 'a-b', 'a"b', 'a b', 'x'.repeat(64)])
      expect(isValidSchemaName(name)).toBe(false);
  });
});

describe('store errors', () => {
  it('describe a PostgreSQL URL without its credentials and scrub the password', () => {
    const location = describeLocation('postgresql://vigil:p%40ss word@db.example:5433/vigil?sslmode=require');
    expect(location.description).toBe('postgresql://db.example:5433/vigil');
    const error = toStoreError('getRun', new Error('server said p@ss word is wrong'), location);
    expect(error.code).toBe('STORE_ERROR');
    expect(error.message).toBe(
      'Store operation getRun failed on postgresql://db.example:5433/vigil: server said *** is wrong',
    );
    expect(describeLocation('./vigil.db')).toEqual({ description: './vigil.db', secrets: [] });
  });
});
