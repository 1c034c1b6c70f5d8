import type { MemberTest, QueryDialect } from './dialect.ts';
import type { Operand } from './operand.ts';
import { alwaysFalse, type Sql, sql, trusted } from './sql.ts';

/** `'status'`: a properties key as a literal (it passed the allowlist in operand.ts, so it holds no quote). */
function key(target: Operand & { kind: 'json' }): Sql {
  return trusted(`${target.table}.properties -> '${target.key}'`);
}

function text(target: Operand & { kind: 'json' }): Sql {
  return trusted(`${target.table}.properties ->> '${target.key}'`);
}

function jsonOf(target: Operand): Sql {
  return target.kind === 'column' ? sql`to_jsonb(${target.column})` : key(target);
}

function stringTest(value: Sql, test: MemberTest): Sql {
  switch (test.kind) {
    case 'contains':
      return sql`strpos(${value}, ${test.value}::text) > 0`;
    case 'startsWith':
      return sql`starts_with(${value}, ${test.value}::text)`;
    case 'endsWith':
      return sql`right(${value}, length(${test.value}::text)) = ${test.value}::text`;
    case 'regex':
      return sql`${value} ${trusted(test.ignoreCase ? '~*' : '~')} ${test.source}::text`;
  }
}

/**
 * PostgreSQL: typed jsonb equality on `properties -> 'status'` (the expression the migration
 * indexes, so its statistics also give the planner the filter's selectivity), jsonb order for numbers, `COLLATE "C"` so strings order by code point as
 * everywhere else, jsonb_array_elements for member tests, `~` / `~*` for regexes.
 */
export const postgresDialect: QueryDialect = {
  lateralRelationships: true,
  joinSeparator: ', ',
  stringEquals: (target, value) =>
    target.kind === 'column'
      ? sql`${target.column} = ${value}::text`
      : sql`${key(target)} = to_jsonb(${value}::text)`,
  booleanEquals: (target, value) =>
    target.kind === 'column' ? alwaysFalse : sql`${key(target)} = ${value ? 'true' : 'false'}::jsonb`,
  numberCompare: (target, op, value) => {
    if (target.kind === 'column') return alwaysFalse;
    if (op === '=') return sql`${key(target)} = to_jsonb(${value}::numeric)`;
    return sql`(jsonb_typeof(${key(target)}) = 'number' AND ${key(target)} ${trusted(op)} to_jsonb(${value}::numeric))`;
  },
  stringOrder: (target, op, value) =>
    target.kind === 'column'
      ? sql`${target.column} COLLATE "C" ${trusted(op)} ${value}::text`
      : sql`(jsonb_typeof(${key(target)}) = 'string' AND ${text(target)} COLLATE "C" ${trusted(op)} ${value}::text)`,
  missing: (target) =>
    target.kind === 'column' ? alwaysFalse : sql`COALESCE(jsonb_typeof(${key(target)}), 'null') = 'null'`,
  members: (target, test) => {
    if (target.kind === 'column') return stringTest(target.column, test);
    const value = key(target);
    const elements = sql`jsonb_array_elements(CASE WHEN jsonb_typeof(${value}) = 'array' THEN ${value} ELSE jsonb_build_array(${value}) END)`;
    return sql`(jsonb_typeof(${value}) IN ('string', 'array') AND EXISTS (SELECT 1 FROM ${elements} AS m(v) WHERE jsonb_typeof(m.v) = 'string' AND ${stringTest(trusted("(m.v #>> '{}')"), test)}))`;
  },
  compareOperands: (left, op, right) => {
    const [a, b] = [jsonOf(left), jsonOf(right)];
    if (op === '=') {
      return sql`(jsonb_typeof(${a}) = jsonb_typeof(${b}) AND jsonb_typeof(${a}) IN ('string', 'number', 'boolean') AND ${a} = ${b})`;
    }
    const operator = trusted(op);
    return sql`CASE WHEN jsonb_typeof(${a}) = 'number' AND jsonb_typeof(${b}) = 'number' THEN ${a} ${operator} ${b} WHEN jsonb_typeof(${a}) = 'string' AND jsonb_typeof(${b}) = 'string' THEN (${a} #>> '{}') COLLATE "C" ${operator} (${b} #>> '{}') ELSE false END`;
  },
  not: (positive) => sql`NOT COALESCE((${positive}), false)`,
  json: (target) => sql`NULLIF(${jsonOf(target)}, 'null'::jsonb)`,
  aggregate: (fn, target) => {
    if (target.kind === 'column') return trusted('NULL::float8');
    return sql`${trusted(fn.toUpperCase())}(CASE WHEN jsonb_typeof(${key(target)}) = 'number' THEN (${text(target)})::float8 END)`;
  },
  numberAsJson: (value) => sql`to_jsonb(${value})`,
  sortTerms: (json, descending) => {
    const direction = trusted(descending ? ' DESC' : '');
    const rank = sql`CASE jsonb_typeof(${json}) WHEN 'number' THEN 0 WHEN 'string' THEN 1 WHEN 'boolean' THEN 2 ELSE 3 END`;
    const number = sql`CASE WHEN jsonb_typeof(${json}) = 'number' THEN (${json} #>> '{}')::numeric END`;
    const string = sql`(CASE WHEN jsonb_typeof(${json}) IN ('string', 'boolean') THEN ${json} #>> '{}' END) COLLATE "C"`;
    return sql`${rank}${direction}, ${number}${direction}, ${string}${direction}`;
  },
  keyOrder: (column) => sql`${column} COLLATE "C"`,
  limitOffset: (limit, offset) => {
    const parts = [limit === undefined ? trusted('') : sql` LIMIT ${limit}`];
    if (offset !== undefined) parts.push(sql` OFFSET ${offset}`);
    return { text: parts.map((part) => part.text).join(''), params: parts.flatMap((part) => part.params) };
  },
};
