import type { SqlValue } from '../driver.ts';

/** A piece of SQL with the values bound to its `?` placeholders, in order. */
export interface Sql {
  text: string;
  params: readonly SqlValue[];
}

function isSql(part: Sql | SqlValue): part is Sql {
  return typeof part === 'object' && part !== null;
}

/**
 * Builds SQL from a template: interpolated `Sql` pieces are spliced in with their parameters,
 * any other interpolated value becomes a `?` placeholder bound to it. Text only ever comes from
 * the template itself or from other `Sql` pieces, so a value can never become SQL.
 */
export function sql(strings: TemplateStringsArray, ...parts: ReadonlyArray<Sql | SqlValue>): Sql {
  let text = strings[0] ?? '';
  const params: SqlValue[] = [];
  parts.forEach((part, index) => {
    if (isSql(part)) {
      text += part.text;
      params.push(...part.params);
    } else {
      text += '?';
      params.push(part);
    }
    text += strings[index + 1] ?? '';
  });
  return { text, params };
}

/** Joins pieces with a separator (`' AND '`, `', '` …). */
export function joinSql(pieces: readonly Sql[], separator: string): Sql {
  return {
    text: pieces.map((piece) => piece.text).join(separator),
    params: pieces.flatMap((piece) => piece.params),
  };
}

/** Trusted SQL text with no parameters: only for constants and names that passed `sqlName`/`propertyKey`. */
export function trusted(text: string): Sql {
  return { text, params: [] };
}

/** `?, ?, ?` bound to `values`. */
export function list(values: readonly SqlValue[]): Sql {
  return { text: values.map(() => '?').join(', '), params: values };
}

const alwaysTrue = trusted('1 = 1');
export const alwaysFalse = trusted('1 = 0');

/** ANDs conditions (parenthesised, so it composes), dropping always-true ones; none is always true. */
export function allOf(conditions: readonly Sql[]): Sql {
  const kept = conditions.filter((condition) => condition !== alwaysTrue);
  if (kept.length === 0) return alwaysTrue;
  if (kept.length === 1 && kept[0] !== undefined) return kept[0];
  return sql`(${joinSql(
    kept.map((condition) => sql`(${condition})`),
    ' AND ',
  )})`;
}

/** ORs conditions (parenthesised); none is always false. */
export function anyOf(conditions: readonly Sql[]): Sql {
  if (conditions.length === 0) return alwaysFalse;
  if (conditions.length === 1 && conditions[0] !== undefined) return conditions[0];
  return sql`(${joinSql(
    conditions.map((condition) => sql`(${condition})`),
    ' OR ',
  )})`;
}
