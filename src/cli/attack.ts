import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { attackCatalogueOf } from '../app/vigil.ts';
import {
  type AttackCatalogue,
  type AttackTechnique,
  catalogueFrom,
  resolveTechniqueTag,
  techniquesNamed,
} from '../attack/catalogue.ts';
import { importStixBundle, type StixImport } from '../attack/import-stix.ts';
import { type AttackCatalogueData, formatCatalogueData } from '../attack/schema.ts';
import { VigilError } from '../errors.ts';
import { settingsOf } from './app.ts';
import { printJson } from './output.ts';

/** Reads and parses the STIX file once (MITRE's bundle is ~40 MB). */
async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new VigilError('INPUT_INVALID', `Cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new VigilError('INPUT_INVALID', `${path} is not JSON: ${(error as Error).message}`);
  }
}

/** Imports a parsed STIX file, naming the file in any error, and checks the result loads as a catalogue. */
function importFromFile(path: string, json: unknown): StixImport {
  try {
    const result = importStixBundle(json);
    catalogueFrom(result.data);
    return result;
  } catch (error) {
    if (!(error instanceof VigilError)) throw error;
    throw new VigilError(
      error.code,
      `${path}: ${error.message}`,
      error.hint === undefined ? {} : { hint: error.hint },
    );
  }
}

/** Writes the catalogue next to its final name, then renames it, so readers never see half a file. */
async function writeCatalogue(path: string, data: AttackCatalogueData): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, formatCatalogueData(data));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw new VigilError('FILE_WRITE_FAILED', `Cannot write ${path}: ${(error as Error).message}`, {
      hint: 'Choose another --output path, or set VIGIL_HOME or VIGIL_ATTACK_CATALOGUE.',
    });
  }
}

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

/** The technique a `show` argument names: an id, a name, a full name or any ThreatConnect tag style. */
function findTechnique(query: string, catalogue: AttackCatalogue): AttackTechnique {
  const resolved = resolveTechniqueTag(query, catalogue);
  const technique = resolved === null ? undefined : catalogue.get(resolved.id);
  if (technique !== undefined) return technique;
  const candidates = techniquesNamed(query, catalogue);
  const hint =
    candidates.length > 1
      ? `Several techniques have that name: ${candidates.map((t) => `${t.id} ${t.fullName}`).join('; ')}.`
      : `The catalogue is ${catalogue.source} ${catalogue.version}; a newer one can be loaded with \`vigil attack import\`.`;
  throw new VigilError('NOT_FOUND', `No ATT&CK technique matches '${query}'.`, { hint });
}

function printTechnique(technique: AttackTechnique, catalogue: AttackCatalogue, json: boolean): void {
  const parent = technique.parentId === null ? undefined : catalogue.get(technique.parentId);
  const subTechniques = catalogue.all().filter((candidate) => candidate.parentId === technique.id);
  if (json) {
    printJson({
      ...technique,
      parent: parent === undefined ? null : { id: parent.id, name: parent.name },
      subTechniques: subTechniques.map(({ id, name }) => ({ id, name })),
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
      const result = importFromFile(file, await readJsonFile(file));
      const path = resolve(flags.output || settingsOf({}).attackCatalogueFile);
      await writeCatalogue(path, result.data);
      printImportSummary(result, path, flags.json === true);
    });
  attack
    .command('show')
    .description('Print a technique: id, full name, tactics, parent and sub-techniques')
    .argument(
      '<technique>',
      'an id (T1566.002), a name (Spearphishing Attachment) or a full name (Phishing: …)',
    )
    .option('--json', 'print the technique as JSON')
    .action((query, flags) => {
      const catalogue = attackCatalogueOf(settingsOf({}));
      printTechnique(findTechnique(query, catalogue), catalogue, flags.json === true);
    });
}
