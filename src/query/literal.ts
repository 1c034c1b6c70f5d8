/**
 * A J1QL string literal of `value`, for queries built from user input: single-quoted, with `\`,
 * `'` and newlines escaped, so the parser reads back exactly `value` and nothing of it can end
 * the literal (the store then binds it as a parameter).
 */
export function quoteString(value: string): string {
  const escaped = value.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n');
  return `'${escaped}'`;
}
