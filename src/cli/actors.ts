import type { Command } from '@commander-js/extra-typings';
import { dbOption, withApp } from './app.ts';
import { printJson } from './output.ts';
import { renderTable } from './table.ts';

export function registerActorsCommands(program: Command): void {
  const actors = program.command('actors').description('Threat actors synced from ThreatConnect');
  actors
    .command('list')
    .description('Threat actors with owner, technique count and last sync')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (flags) => {
      const list = await withApp(flags, (vigil) => vigil.coverage.actors());
      if (flags.json) {
        printJson(list);
        return;
      }
      if (list.length === 0) {
        process.stdout.write('No threat actors in the graph yet; run `vigil sync threatconnect` first.\n');
        return;
      }
      process.stdout.write(
        `${renderTable(
          [
            { header: 'id', value: (a) => String(a.id) },
            { header: 'name', value: (a) => a.name },
            { header: 'owner', value: (a) => a.owner ?? '' },
            { header: 'techniques', value: (a) => a.techniqueCount },
            { header: 'threats', value: (a) => a.threatCount },
            {
              header: 'last sync',
              value: (a) => (a.lastSync ? `${a.lastSync.at ?? ''} (${a.lastSync.status})` : ''),
            },
          ],
          list,
        )}\n`,
      );
    });
  actors
    .command('show')
    .description(
      'One threat actor: details, attributes, threats, techniques (ID, name, tactics, via which tag or threat)',
    )
    .argument('<name|id>', 'the actor’s ThreatConnect id or name')
    .option(...dbOption)
    .option('--json', 'print as JSON')
    .action(async (reference, flags) => {
      const actor = await withApp(flags, (vigil) => vigil.coverage.actor(reference));
      if (flags.json) {
        printJson(actor);
        return;
      }
      const lines = [
        `${actor.name} (id ${String(actor.id)}, owner ${actor.owner ?? 'unknown'})`,
        ...Object.entries(actor.attributes).map(
          ([type, value]) => `  ${type}: ${Array.isArray(value) ? value.join('; ') : String(value)}`,
        ),
        `  last sync: ${actor.lastSync ? `${actor.lastSync.at ?? ''} (${actor.lastSync.status})` : 'never'}`,
        '',
        `Threats (${actor.threats.length})`,
        ...actor.threats.map(
          (t) => `  ${t.name}${t.techniques.length > 0 ? `  [${t.techniques.join(', ')}]` : ''}`,
        ),
        '',
        `Techniques (${actor.techniques.length})`,
        renderTable(
          [
            { header: 'id', value: (t) => t.id },
            { header: 'name', value: (t) => t.name ?? '(not in the ATT&CK catalogue)' },
            { header: 'tactics', value: (t) => t.tactics.join(', ') },
            {
              header: 'via',
              value: (t) =>
                t.sources
                  .map((s) =>
                    s.via === 'tag' ? `tag "${s.tag}"` : `threat "${s.threat?.name}" (tag "${s.tag}")`,
                  )
                  .join('; '),
            },
          ],
          actor.techniques,
        ),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
