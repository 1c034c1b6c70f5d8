import type { Command } from '@commander-js/extra-typings';
import type { RunDetail, RunListItem } from '../app/runs.ts';
import { dbOption, withApp } from './app.ts';
import { printJson } from './output.ts';
import { numberFlag } from './simulate.ts';
import { formatRequestCounters } from './sync.ts';
import { formatDuration, renderTable } from './table.ts';

function printRunList(runs: RunListItem[]): void {
  if (runs.length === 0) {
    process.stdout.write('No sync runs yet.\n');
    return;
  }
  process.stdout.write(
    `${renderTable(
      [
        { header: 'run', value: (r) => r.id },
        { header: 'integration', value: (r) => r.integration ?? r.integrationId },
        { header: 'status', value: (r) => r.status },
        { header: 'started', value: (r) => r.startedAt },
        { header: 'duration', value: (r) => (r.durationMs === null ? '' : formatDuration(r.durationMs)) },
        { header: 'created', value: (r) => r.changes.created },
        { header: 'updated', value: (r) => r.changes.updated },
        { header: 'deleted', value: (r) => r.changes.deleted },
      ],
      runs,
    )}\n`,
  );
}

function printRunDetail(run: RunDetail): void {
  const out = [
    `Run ${run.id} of ${run.integration ?? run.integrationId}: ${run.status}`,
    `  started ${run.startedAt}, finished ${run.finishedAt ?? '—'}${run.durationMs === null ? '' : `, ${formatDuration(run.durationMs)}`}`,
  ];
  if (run.requests !== null) out.push(formatRequestCounters(run.requests).replace(/^/gm, '  '));
  out.push(
    '',
    renderTable(
      [
        { header: 'step', value: (s) => s.name ?? s.stepId },
        { header: 'status', value: (s) => s.status },
        { header: 'items', value: (s) => (s.items === null ? '' : s.items) },
        { header: 'time', value: (s) => formatDuration(s.durationMs) },
        { header: 'error', value: (s) => (s.error ? `${s.error.code}: ${s.error.message}` : '') },
      ],
      run.steps,
    ),
    '',
    renderTable(
      [
        { header: 'type', value: (c) => c.type },
        { header: 'kind', value: (c) => c.kind },
        { header: 'created', value: (c) => c.created },
        { header: 'updated', value: (c) => c.updated },
        { header: 'deleted', value: (c) => c.deleted },
      ],
      run.changes,
    ),
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerRunsCommands(program: Command): void {
  const runs = program
    .command('runs')
    .description('Sync run history: status, step results, changes per type');
  runs
    .command('list')
    .description('Sync runs, newest first, with status, duration and rows created / updated / deleted')
    .option('--integration <name>', 'only the runs of this integration (name or id)')
    .option('--limit <n>', 'at most this many runs', '20')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (flags) => {
      const limit = numberFlag('--limit', flags.limit, { min: 1, max: 100_000 });
      const list = await withApp(flags, (vigil) =>
        vigil.runs.list({ integration: flags.integration, limit }),
      );
      if (flags.json) printJson(list);
      else printRunList(list);
    });
  runs
    .command('show')
    .description('One run: its steps with status, items, time and error, and the changes per type')
    .argument('<id>', 'the run id (from `vigil runs list`) or a unique prefix of it')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (id, flags) => {
      const run = await withApp(flags, (vigil) => vigil.runs.show(id));
      if (flags.json) printJson(run);
      else printRunDetail(run);
    });
}
