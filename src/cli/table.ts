/** A column of a text table; numbers are right-aligned. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number;
}

/**
 * The width tables and summaries are fitted to: the terminal's columns when stdout is a terminal,
 * else `COLUMNS` when set, else none (pipes and files get whole cells). `--wide` sets none.
 */
export const outputLayout: { width: number | undefined } = { width: undefined };

/** Sets `outputLayout.width` from the terminal, `COLUMNS` and `--wide` (called once per command). */
export function configureOutputWidth(wide: boolean, env: NodeJS.ProcessEnv = process.env): void {
  if (wide) {
    outputLayout.width = undefined;
    return;
  }
  const fromEnv = Number(env.COLUMNS);
  const columns = process.stdout.isTTY ? process.stdout.columns : fromEnv;
  outputLayout.width = Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

/** A text cut to `width` characters, the last one `…` when something was left out. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** `1 item`, `2 400 items`: a count with its noun in the right number. */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : plural}`;
}

/**
 * Column widths that fit `width`: the widest text columns give up characters first, none below
 * its header (or 8). Numbers are never cut.
 */
function fitWidths(natural: number[], floors: number[], cuttable: boolean[], width: number): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
  while (total() > width) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (cuttable[i] && w > (floors[i] ?? 0) && (widest < 0 || w > (widths[widest] ?? 0))) widest = i;
    });
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 1) - 1;
  }
  return widths;
}

/**
 * Renders rows as an aligned plain-text table with a header rule (what people read in a
 * terminal), fitted to `width` (default `outputLayout.width`) by cutting long text cells with `…`.
 */
export function renderTable<T>(columns: Column<T>[], rows: T[], width = outputLayout.width): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const natural = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((row) => formatCell(row[i] ?? '').length)),
  );
  const cuttable = columns.map((_, i) => cells.every((row) => typeof row[i] !== 'number'));
  const floors = columns.map((column) => Math.max(column.header.length, 8));
  const widths = width === undefined ? natural : fitWidths(natural, floors, cuttable, width);
  const line = (values: Array<string | number>) =>
    values
      .map((value, i) => {
        const columnWidth = widths[i] ?? 0;
        const text = truncate(formatCell(value), columnWidth);
        return typeof value === 'number' ? text.padStart(columnWidth) : text.padEnd(columnWidth);
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...cells.map(line),
  ].join('\n');
}

/**
 * Joins `parts` with ` · ` into lines no wider than `width` (default `outputLayout.width`,
 * else 80): a summary line that wraps between figures, never inside one.
 */
export function wrapFigures(parts: string[], width = outputLayout.width ?? 80): string[] {
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 3 + part.length <= width)
      lines[lines.length - 1] = `${last} · ${part}`;
    else lines.push(part);
  }
  return lines;
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
