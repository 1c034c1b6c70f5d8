import { VigilError } from '../../errors.ts';

/** One CSV record keyed by the header's column names, with the line it starts on (1-based). */
export interface CsvRecord {
  line: number;
  fields: Record<string, string>;
}

/**
 * Parses CSV as PowerShell's `Export-Csv` writes it (RFC 4180: comma-separated, fields optionally
 * double-quoted, `""` for a quote inside quotes, quoted fields may span lines, CRLF or LF, an
 * optional UTF-8 BOM). The first record is the header; blank lines are skipped. A record with a
 * different number of fields than the header, or an unterminated quote, → INPUT_INVALID naming
 * the line.
 */
export function parseCsv(text: string, source: string): { header: string[]; records: CsvRecord[] } {
  const rows = splitRows(text.replace(/^\uFEFF/, ''), source);
  const [first, ...rest] = rows;
  if (first === undefined) throw new VigilError('INPUT_INVALID', `${source}: the file is empty.`);
  const header = first.cells;
  const records = rest.map(({ line, cells }) => {
    if (cells.length !== header.length) {
      throw new VigilError(
        'INPUT_INVALID',
        `${source}, line ${line}: ${cells.length} fields where the header has ${header.length}.`,
      );
    }
    return { line, fields: Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])) };
  });
  return { header, records };
}

function splitRows(text: string, source: string): Array<{ line: number; cells: string[] }> {
  const rows: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0] !== '') rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (quoted)
    throw new VigilError('INPUT_INVALID', `${source}, line ${rowLine}: a quoted field is not closed.`);
  endRow();
  return rows;
}
