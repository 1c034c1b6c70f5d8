/** A column of a text table; numbers are right-aligned. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number;
}

/** Renders rows as an aligned plain-text table with a header rule (what people read in a terminal). */
export function renderTable<T>(columns: Column<T>[], rows: T[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((row) => formatCell(row[i] ?? '').length)),
  );
  const line = (values: Array<string | number>) =>
    values
      .map((value, i) => {
        const text = formatCell(value);
        return typeof value === 'number' ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0);
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...cells.map(line),
  ].join('\n');
}

function formatCell(value: string | number): string {
  return typeof value === 'number' ? value.toLocaleString('en-US') : value;
}

/** `1.2 s`, `340 ms`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
