import type { MemberTest, QueryDialect } from './dialect.ts';
import type { Operand } from './operand.ts';
import { alwaysFalse, type Sql, sql, trusted } from './sql.ts';

/** `'$.status'`, or `'$."tag.Name"'` for a dotted key (the key passed the allowlist in operand.ts). */
function path(key: string): Sql {
  return trusted(key.includes('.') ? `'$."${key}"'` : `'$.${key}'`);
}

function extract(target: Operand & { kind: 'json' }): Sql {
  return sql`json_extract(${trusted(target.table)}.properties, ${path(target.key)})`;
}

function jsonType(target: Operand & { kind: 'json' }): Sql {
  return sql`json_type(${trusted(target.table)}.properties, ${path(target.key)})`;
}

/** SQLite's JSON type names → the class compared by `compareOperands` (n, s, b). */
function typeClass(target: Operand): Sql {
  if (target.kind === 'column') return trusted("'s'");
  return sql`CASE ${jsonType(target)} WHEN 'integer' THEN 'n' WHEN 'real' THEN 'n' WHEN 'text' THEN 's' WHEN 'true' THEN 'b' WHEN 'false' THEN 'b' END`;
}

function scalar(target: Operand): Sql {
  return target.kind === 'column' ? target.column : extract(target);
}

function stringTest(value: Sql, test: MemberTest): Sql {
  switch (test.kind) {
    case 'contains':
      return sql`instr(${value}, ${test.value}) > 0`;
    case 'startsWith':
      return sql`substr(${value}, 1, length(${test.value})) = ${test.value}`;
    case 'endsWith':
      return sql`(length(${value}) >= length(${test.value}) AND substr(${value}, length(${value}) - length(${test.value}) + 1) = ${test.value})`;
    case 'regex':
      return sql`vigil_regexp(${test.source}, ${test.ignoreCase ? 'i' : ''}, ${value})`;
  }
}

/**
 * SQLite: JSON through json_extract/json_type (json_extract(properties, '$.status') is exactly the
 * expression the migration indexes), member tests through json_each, regexes through the
 * `vigil_regexp` function registered on every connection (JavaScript RegExp).
 */
export const sqliteDialect: QueryDialect = {
  lateralRelationships: false,
  joinSeparator: ' CROSS JOIN ',
  stringEquals: (target, value) =>
    target.kind === 'column'
      ? sql`${target.column} = ${value}`
      : sql`(${extract(target)} = ${value} AND ${jsonType(target)} = 'text')`,
  booleanEquals: (target, value) =>
    target.kind === 'column'
      ? alwaysFalse
      : sql`(${extract(target)} = ${value ? 1 : 0} AND ${jsonType(target)} = ${trusted(value ? "'true'" : "'false'")})`,
  numberCompare: (target, op, value) =>
    target.kind === 'column'
      ? alwaysFalse
      : sql`(${extract(target)} ${trusted(op)} ${value} AND ${jsonType(target)} IN ('integer', 'real'))`,
  stringOrder: (target, op, value) =>
    target.kind === 'column'
      ? sql`${target.column} ${trusted(op)} ${value}`
      : sql`(${extract(target)} ${trusted(op)} ${value} AND ${jsonType(target)} = 'text')`,
  missing: (target) =>
    target.kind === 'column' ? alwaysFalse : sql`COALESCE(${jsonType(target)}, 'null') = 'null'`,
  members: (target, test) => {
    if (target.kind === 'column') return stringTest(target.column, test);
    const each = sql`json_each(${trusted(target.table)}.properties, ${path(target.key)})`;
    return sql`(${jsonType(target)} IN ('text', 'array') AND EXISTS (SELECT 1 FROM ${each} AS m WHERE m.type = 'text' AND ${stringTest(trusted('m.value'), test)}))`;
  },
  compareOperands: (left, op, right) => {
    const sameType = sql`${typeClass(left)} = ${typeClass(right)}`;
    const ordered = op === '=' ? trusted('') : sql` AND ${typeClass(left)} IN ('n', 's')`;
    return sql`(${sameType}${ordered} AND ${scalar(left)} ${trusted(op)} ${scalar(right)})`;
  },
  not: (positive) => sql`NOT COALESCE((${positive}), 0)`,
  json: (target) =>
    target.kind === 'column'
      ? sql`json_quote(${target.column})`
      : sql`NULLIF(${trusted(target.table)}.properties -> ${path(target.key)}, 'null')`,
  aggregate: (fn, target) => {
    if (target.kind === 'column') return trusted('NULL');
    return sql`${trusted(fn.toUpperCase())}(CASE WHEN ${jsonType(target)} IN ('integer', 'real') THEN ${extract(target)} END)`;
  },
  numberAsJson: (value) => value,
  sortTerms: (json, descending) => {
    const direction = trusted(descending ? ' DESC' : '');
    const rank = sql`CASE json_type(${json}) WHEN 'integer' THEN 0 WHEN 'real' THEN 0 WHEN 'text' THEN 1 WHEN 'true' THEN 2 WHEN 'false' THEN 2 ELSE 3 END`;
    const value = sql`CASE WHEN json_type(${json}) IN ('integer', 'real', 'text', 'true', 'false') THEN json_extract(${json}, '$') END`;
    return sql`${rank}${direction}, ${value}${direction}`;
  },
  keyOrder: (column) => column,
  limitOffset: (limit, offset) => {
    if (limit === undefined && offset === undefined) return trusted('');
    return sql` LIMIT ${limit ?? -1} OFFSET ${offset ?? 0}`;
  },
};
