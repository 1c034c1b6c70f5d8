import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import type { AttackCatalogue, AttackTechnique } from '../attack/catalogue.ts';
import type { StixImport } from '../attack/import-stix.ts';
import type { QueryEntity } from '../query/result.ts';
import { dbOption, settingsOf, withApp } from './app.ts';
import { printJson } from './output.ts';

function printImportSummary(result: StixImport, path: string, json: boolean): void {
  const subTechniques = result.data.techniques.filter((technique) => technique.id.includes('.')).length;
  const summary = {
    source: result.data.source,
    version: result.data.version,
    techniques: result.data.techniques.length - subTechniques,
    subTechniques,
    skipped: result.skipped,
    output: path,
  };
  if (json) {
    printJson(summary);
    return;
  }
  const { revoked, deprecated, other } = result.skipped;
  process.stdout.write(
    `Imported ${summary.source} ${summary.version}: ${summary.techniques} techniques, ${subTechniques} sub-techniques.\n` +
      `Skipped ${revoked} revoked, ${deprecated} deprecated and ${other} other attack patterns.\n` +
      `Written to ${path}\n`,
  );
}

function printTechnique(
  technique: AttackTechnique,
  catalogue: AttackCatalogue,
  actors: QueryEntity[],
  json: boolean,
): void {
  const parent = technique.parentId === null ? undefined : catalogue.get(technique.parentId);
  const subTechniques = catalogue.all().filter((candidate) => candidate.parentId === technique.id);
  if (json) {
    printJson({
      ...technique,
      parent: parent === undefined ? null : { id: parent.id, name: parent.name },
      subTechniques: subTechniques.map(({ id, name }) => ({ id, name })),
      actors: actors.map(({ _key, displayName }) => ({ key: _key, name: displayName })),
      catalogue: { source: catalogue.source, version: catalogue.version },
    });
    return;
  }
  const lines = [
    `${technique.id}  ${technique.fullName}`,
    `  tactics:         ${technique.tactics.join(', ')}`,
    `  parent:          ${parent === undefined ? 'none' : `${parent.id} ${parent.name}`}`,
    `  sub-techniques:  ${subTechniques.length === 0 ? 'none' : ''}`,
    ...subTechniques.map((sub) => `    ${sub.id}  ${sub.name}`),
    `  catalogue:       ${catalogue.source} ${catalogue.version}`,
    `  threat actors:   ${actors.length === 0 ? 'none synced' : ''}`,
    ...actors.map((actor) => `    ${actor.displayName}`),
  ];
  process.stdout.write(`${lines.map((line) => line.trimEnd()).join('\n')}\n`);
}

/** `vigil attack import` and `vigil attack show`: the ATT&CK Enterprise catalogue. */
export function registerAttackCommands(program: Command): void {
  const attack = program.command('attack').description('The MITRE ATT&CK Enterprise technique catalogue');
  attack
    .command('import')
    .description("Replace the catalogue with MITRE's STIX 2.1 bundle (enterprise-attack.json)")
    .argument('<file>', 'enterprise-attack.json from github.com/mitre-attack/attack-stix-data')
    .option(
      '--output <path>',
      'where to write the catalogue (default: VIGIL_ATTACK_CATALOGUE, else attack-catalogue.json in the Vigil home; see `vigil info`)',
    )
    .option('--json', 'print the summary as JSON')
    .action(async (file, flags) => {
      const path = resolve(flags.output || settingsOf({}).attackCatalogueFile);
      const { importAttackCatalogue } = await import('../app/attack.ts');
      const result = await importAttackCatalogue(file, path);
      printImportSummary(result, path, flags.json === true);
    });
  attack
    .command('show')
    .description(
      'Print a technique: id, full name, tactics, parent, sub-techniques and the synced threat actors that use it',
    )
    .argument(
      '<technique>',
      'an id (T1566.001), a name (LSASS Memory) or a full name (Phishing: Spearphishing Attachment)',
    )
    .option(...dbOption)
    .option('--json', 'print the technique as JSON')
    .action(async (query, flags) => {
      const [{ findTechnique }, { attackCatalogueOf }] = await Promise.all([
        import('../app/attack.ts'),
        import('../app/vigil.ts'),
      ]);
      const catalogue = attackCatalogueOf(settingsOf(flags));
      const technique = findTechnique(query, catalogue);
      const actors = await withApp(flags, (vigil) => vigil.reading.actorsUsing(technique.id));
      printTechnique(technique, catalogue, actors, flags.json === true);
    });
}
