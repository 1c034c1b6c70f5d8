import { VigilError } from '../../errors.ts';
import { isEntityField } from '../../query/ast.ts';
import { type Sql, trusted } from './sql.ts';

/** Entity fields that are columns of `entities`, by the name a query uses. */
const fieldColumns = { _key: 'key', _type: 'type', _class: 'class', displayName: 'display_name' } as const;

const propertyPattern = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const tablePattern = /^[a-z][a-z0-9_]*$/;

/**
 * A property of one table alias of a compiled query: either an `entities` column (`_key` …) or a
 * key of its JSON `properties`. Names are checked against a strict allowlist before they are
 * written into SQL (values never are: they are bound).
 */
export type Operand = { kind: 'column'; column: Sql } | { kind: 'json'; table: string; key: string };

export function operand(table: string, property: string): Operand {
  if (!tablePattern.test(table)) throw new Error(`invalid table alias ${table}`);
  if (isEntityField(property))
    return { kind: 'column', column: trusted(`${table}.${fieldColumns[property]}`) };
  if (!propertyPattern.test(property)) {
    throw new VigilError('QUERY_INVALID', `Invalid property name '${property.slice(0, 80)}'`, {
      hint: 'Property names are letters, digits and underscores, separated by dots (e.g. tag.Name).',
    });
  }
  return { kind: 'json', table, key: property };
}

/** A column operand's SQL. */
export function columnOf(table: string, field: keyof typeof fieldColumns): Sql {
  return trusted(`${table}.${fieldColumns[field]}`);
}
