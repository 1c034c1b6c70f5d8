import { readFile } from 'node:fs/promises';
import {
  type AttackCatalogue,
  type AttackTechnique,
  catalogueFrom,
  resolveTechniqueTag,
  techniquesNamed,
} from '../attack/catalogue.ts';
import { importStixBundle, type StixImport } from '../attack/import-stix.ts';
import { formatCatalogueData } from '../attack/schema.ts';
import { VigilError } from '../errors.ts';
import { writeFileAtomically } from './files.ts';

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

/**
 * The technique a `show` argument names: an id, a name, a full name or any ThreatConnect tag style.
 * INPUT_INVALID listing the candidates when a bare name fits several; NOT_FOUND when none.
 */
export function findTechnique(query: string, catalogue: AttackCatalogue): AttackTechnique {
  const resolved = resolveTechniqueTag(query, catalogue);
  const technique = resolved === null ? undefined : catalogue.get(resolved.id);
  if (technique !== undefined) return technique;
  const candidates = techniquesNamed(query, catalogue);
  if (candidates.length > 1) {
    throw new VigilError('INPUT_INVALID', `${candidates.length} ATT&CK techniques are named '${query}'.`, {
      hint: `Name one by id or full name: ${candidates.map((t) => `${t.id} ${t.fullName}`).join('; ')}.`,
    });
  }
  throw new VigilError('NOT_FOUND', `No ATT&CK technique matches '${query}'.`, {
    hint: `The catalogue is ${catalogue.source} ${catalogue.version}; a newer one can be loaded with \`vigil attack import\`.`,
  });
}

/**
 * Imports MITRE's STIX 2.1 bundle (`enterprise-attack.json`) as the catalogue at `output`, written
 * whole or not at all. INPUT_INVALID naming the file when it is missing, not JSON or not a
 * bundle; FILE_WRITE_FAILED when the output cannot be written.
 */
export async function importAttackCatalogue(file: string, output: string): Promise<StixImport> {
  const result = importFromFile(file, await readJsonFile(file));
  await writeFileAtomically(
    output,
    formatCatalogueData(result.data),
    'Choose another --output path, or set VIGIL_HOME or VIGIL_ATTACK_CATALOGUE.',
  );
  return result;
}
