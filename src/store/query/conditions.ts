import type { Condition, NodePattern, Value } from '../../query/ast.ts';
import type { QueryDialect } from './dialect.ts';
import { type Operand, operand } from './operand.ts';
import { allOf, anyOf, list, type Sql, sql, trusted } from './sql.ts';

/** Which SQL table alias holds each query alias. */
export type Tables = ReadonlyMap<string, string>;

function tableOf(tables: Tables, alias: string): string {
  const table = tables.get(alias);
  if (table === undefined) throw new Error(`alias ${alias} has no table in this scope`);
  return table;
}

/** A WITH or WHERE condition as a predicate over the aliases' tables. */
export function compileCondition(condition: Condition, tables: Tables, d: QueryDialect): Sql {
  switch (condition.kind) {
    case 'and':
      return allOf(condition.operands.map((operand) => compileCondition(operand, tables, d)));
    case 'or':
      return anyOf(condition.operands.map((operand) => compileCondition(operand, tables, d)));
    case 'compare':
      return compareValue(
        operand(tableOf(tables, condition.left.alias), condition.left.property),
        condition.op,
        condition.right,
        d,
      );
    case 'compareProperties': {
      const left = operand(tableOf(tables, condition.left.alias), condition.left.property);
      const right = operand(tableOf(tables, condition.right.alias), condition.right.property);
      return condition.op === '!='
        ? d.not(d.compareOperands(left, '=', right))
        : d.compareOperands(left, condition.op, right);
    }
  }
}

const memberTests = { '~=': 'contains', '^=': 'startsWith', '$=': 'endsWith' } as const;

function compareValue(target: Operand, op: string, value: Value, d: QueryDialect): Sql {
  if (op.startsWith('!')) return d.not(compareValue(target, op === '!=' ? '=' : op.slice(1), value, d));
  switch (value.kind) {
    case 'undefined':
      return d.missing(target);
    case 'boolean':
      return d.booleanEquals(target, value.value);
    case 'regex':
      return d.members(target, { kind: 'regex', source: value.source, ignoreCase: value.ignoreCase });
    case 'number':
      return d.numberCompare(target, op === '=' ? '=' : orderOp(op), value.value);
    case 'string': {
      if (op === '=') return d.stringEquals(target, value.value);
      if (op === '~=' || op === '^=' || op === '$=') {
        return d.members(target, { kind: memberTests[op], value: value.value });
      }
      return d.stringOrder(target, orderOp(op), value.value);
    }
  }
}

function orderOp(op: string): '<' | '<=' | '>' | '>=' {
  if (op === '<' || op === '<=' || op === '>' || op === '>=') return op;
  throw new Error(`operator ${op} is not an order operator`);
}

/** The entity pattern's selector and WITH condition on `table`. */
export function nodeFilter(node: NodePattern, table: string, d: QueryDialect): Sql {
  const parts: Sql[] = [];
  if (node.selector.kind === 'names') {
    const types = node.selector.names.filter((name) => name.field === '_type').map((name) => name.value);
    const classes = node.selector.names.filter((name) => name.field === '_class').map((name) => name.value);
    const alternatives: Sql[] = [];
    if (types.length > 0) alternatives.push(sql`${trusted(table)}.type IN (${list(types)})`);
    if (classes.length > 0) alternatives.push(sql`${trusted(table)}.class IN (${list(classes)})`);
    parts.push(anyOf(alternatives));
  }
  if (node.where !== undefined) parts.push(compileCondition(node.where, new Map([[node.alias, table]]), d));
  return allOf(parts);
}
