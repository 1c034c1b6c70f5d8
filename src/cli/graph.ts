import type { Command } from '@commander-js/extra-typings';
import { dbOption, withGraphOf } from './app.ts';
import { printJson } from './output.ts';
import { renderTable } from './table.ts';

export function registerGraphCommands(program: Command): void {
  const graph = program.command('graph').description('Inspect the entity/relationship graph');
  graph
    .command('stats')
    .description('Entity counts by _type and relationship counts by _type')
    .option(...dbOption)
    .option('--json', 'print the counts as JSON')
    .action(async (flags) => {
      const { entities, relationships } = await withGraphOf(flags, (graph) => graph.stats());
      if (flags.json) {
        printJson({ entities, relationships });
        return;
      }
      const rows = (counts: Record<string, number>) =>
        Object.entries(counts)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([type, count]) => ({ type, count }));
      const table = (title: string, counts: Record<string, number>) =>
        renderTable(
          [
            { header: title, value: (r: { type: string; count: number }) => r.type },
            { header: 'count', value: (r: { type: string; count: number }) => r.count },
          ],
          rows(counts),
        );
      process.stdout.write(
        `${table('entity _type', entities)}\n\n${table('relationship _type', relationships)}\n`,
      );
    });
}
