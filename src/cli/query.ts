import type { Command } from '@commander-js/extra-typings';
import { z } from 'zod';
import { VigilError } from '../errors.ts';
import type { QueryEntity, QueryResult, QueryRow } from '../query/result.ts';
import { dbOption, withApp } from './app.ts';
import { printJson } from './output.ts';
import { renderTable } from './table.ts';

const defaultLimit = 1000;
const flagsSchema = z.object({
  format: z.enum(['table', 'json', 'csv'], { message: '--format must be table, json or csv' }),
  limit: z.coerce
    .number({ message: '--limit must be a whole number' })
    .int('--limit must be a whole number')
    .min(1, '--limit must be at least 1'),
});

/** `vigil query '<J1QL>'`: parses the query (exit 2 on a bad one), runs it, prints the result. */
export function registerQueryCommand(program: Command): void {
  program
    .command('query')
    .description('Ask the graph in J1QL, e.g. vigil query "FIND threatstack_agent WITH status = \'offline\'"')
    .argument('<j1ql>', 'the query')
    .option('--format <format>', 'table, json (JupiterOne result shape) or csv', 'table')
    .option('--limit <n>', 'at most N results', String(defaultLimit))
    .option(...dbOption)
    .action(async (text, options) => {
      const parsed = flagsSchema.safeParse(options);
      if (!parsed.success) {
        throw new VigilError('USAGE_INVALID', parsed.error.issues.map((issue) => issue.message).join('; '));
      }
      const result = await withApp(options, (vigil) => vigil.query.run(text, { limit: parsed.data.limit }));
      if (parsed.data.format === 'json') printJson(result);
      else process.stdout.write(`${parsed.data.format === 'csv' ? toCsv(result) : toTable(result)}\n`);
    });
}

const entityColumns = ['_key', '_type', '_class', 'displayName'] as const;

/** Column labels and cell text of a result: a list shows each entity's fields; an entity cell shows its `_key`. */
function toGrid(result: QueryResult): { labels: string[]; rows: string[][] } {
  if (result.type === 'list') {
    return {
      labels: [...entityColumns],
      rows: result.data.map((entity) => entityColumns.map((column) => entity[column])),
    };
  }
  const labels = [...new Set(result.data.flatMap((row) => Object.keys(row)))];
  return { labels, rows: result.data.map((row: QueryRow) => labels.map((label) => cellText(row[label]))) };
}

function cellText(value: QueryRow[string] | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && !Array.isArray(value) && '_key' in value)
    return (value as QueryEntity)._key;
  return JSON.stringify(value);
}

/** An aligned table whose cells are cut (with …) so the whole fits the terminal's width. */
function toTable(result: QueryResult): string {
  const { labels, rows } = toGrid(result);
  if (rows.length === 0) return '(no results)';
  const width = process.stdout.columns ?? 160;
  const cap = Math.max(8, Math.floor((width - 2 * (labels.length - 1)) / Math.max(1, labels.length)));
  const cut = (text: string) => (text.length > cap ? `${text.slice(0, cap - 1)}…` : text);
  return renderTable(
    labels.map((label, index) => ({ header: cut(label), value: (row: string[]) => cut(row[index] ?? '') })),
    rows,
  );
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header line. */
function toCsv(result: QueryResult): string {
  const { labels, rows } = toGrid(result);
  return [labels, ...rows].map((cells) => cells.map(csvField).join(',')).join('\n');
}
