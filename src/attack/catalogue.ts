import { readFileSync, type Stats, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZodError } from 'zod';
import { describeZodError, VigilError } from '../errors.ts';
import {
  type AttackCatalogueData,
  attackCatalogueDataSchema,
  compareTechniqueIds,
  parentTechniqueId,
} from './schema.ts';

/** One technique or sub-technique. Catalogues hand out frozen objects: copy before changing. */
export interface AttackTechnique {
  id: string;
  name: string;
  /** `Parent: Sub` for sub-techniques, else `name` */
  fullName: string;
  tactics: string[];
  parentId: string | null;
}

/** A read-only ATT&CK catalogue; `all()` is sorted by id and returns a fresh array. */
export interface AttackCatalogue {
  readonly source: string;
  readonly version: string;
  readonly size: number;
  get(id: string): AttackTechnique | undefined;
  findByName(name: string): AttackTechnique | undefined;
  all(): AttackTechnique[];
}

/** The catalogue shipped in the repository (ATT&CK Enterprise, see its `version`). */
export const bundledCataloguePath = fileURLToPath(new URL('./data/enterprise-attack.json', import.meta.url));

/**
 * Where `vigil attack import` writes and `loadAttackCatalogue()` looks first:
 * env VIGIL_ATTACK_CATALOGUE, else `${VIGIL_HOME ?? '.vigil'}/attack-catalogue.json`
 * (empty strings count as unset; relative paths are relative to the working directory).
 */
export function importedCataloguePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.VIGIL_ATTACK_CATALOGUE || join(env.VIGIL_HOME || '.vigil', 'attack-catalogue.json');
}

/** Case, spacing and Unicode form do not matter when names are compared. */
function nameKey(name: string): string {
  return name
    .normalize('NFC')
    .trim()
    .replace(/\s*:\s*/g, ': ')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

class StaticAttackCatalogue implements AttackCatalogue {
  readonly source: string;
  readonly version: string;
  private readonly techniques: readonly AttackTechnique[];
  private readonly byId = new Map<string, AttackTechnique>();
  private readonly byFullName = new Map<string, AttackTechnique>();
  private readonly byName = new Map<string, AttackTechnique[]>();

  constructor(data: AttackCatalogueData) {
    this.source = data.source;
    this.version = data.version;
    const names = new Map(data.techniques.map((record) => [record.id, record.name]));
    this.techniques = [...data.techniques].sort(compareTechniqueIds).map((record) => {
      const parentId = parentTechniqueId(record.id);
      const fullName = parentId === null ? record.name : `${names.get(parentId)}: ${record.name}`;
      return Object.freeze({
        id: record.id,
        name: record.name,
        fullName,
        tactics: Object.freeze([...record.tactics]) as string[],
        parentId,
      });
    });
    for (const technique of this.techniques) {
      this.byId.set(technique.id, technique);
      this.byFullName.set(nameKey(technique.fullName), technique);
      const sameName = this.byName.get(nameKey(technique.name)) ?? [];
      this.byName.set(nameKey(technique.name), [...sameName, technique]);
    }
  }

  get size(): number {
    return this.techniques.length;
  }

  get(id: string): AttackTechnique | undefined {
    return this.byId.get(id.trim().toUpperCase());
  }

  findByName(name: string): AttackTechnique | undefined {
    const key = nameKey(name);
    const exact = this.byFullName.get(key);
    if (exact !== undefined) return exact;
    const sameName = this.byName.get(key);
    return sameName?.length === 1 ? sameName[0] : undefined;
  }

  all(): AttackTechnique[] {
    return [...this.techniques];
  }
}

/** Renders at most three zod issues, so a badly broken file gives a readable one-line message. */
function describeFirstIssues(error: ZodError): string {
  const shown = describeZodError(new ZodError(error.issues.slice(0, 3)));
  const more = error.issues.length - 3;
  return more > 0 ? `${shown} (and ${more} more)` : shown;
}

/**
 * Builds a catalogue from data in the stored shape (`{source, version, notice?, techniques:
 * [{id, name, tactics}]}`), validated: INPUT_INVALID when it is not that shape, has duplicate ids
 * or a sub-technique without its parent. Techniques and their tactics are frozen.
 */
export function catalogueFrom(data: unknown): AttackCatalogue {
  const parsed = attackCatalogueDataSchema.safeParse(data);
  if (!parsed.success) {
    throw new VigilError('INPUT_INVALID', `Not an ATT&CK catalogue: ${describeFirstIssues(parsed.error)}`);
  }
  return new StaticAttackCatalogue(parsed.data);
}

/** The file's stats, or undefined when nothing is there. */
function statIfPresent(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new VigilError(
      'CONFIG_INVALID',
      `Cannot read the ATT&CK catalogue ${path}: ${(error as Error).message}`,
    );
  }
}

function unusableCatalogue(path: string, reason: string, cause?: unknown): VigilError {
  return new VigilError('CONFIG_INVALID', `The ATT&CK catalogue ${path} is unusable: ${reason}`, {
    hint: 'Re-run `vigil attack import <enterprise-attack.json>`, or delete the file to use the bundled catalogue.',
    cause,
  });
}

function readCatalogueFile(path: string): AttackCatalogue {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw unusableCatalogue(path, `not readable JSON (${(error as Error).message})`, error);
  }
  const parsed = attackCatalogueDataSchema.safeParse(data);
  if (!parsed.success) throw unusableCatalogue(path, describeFirstIssues(parsed.error));
  return new StaticAttackCatalogue(parsed.data);
}

const cache = new Map<string, { fingerprint: string; catalogue: AttackCatalogue }>();

/**
 * Loads the catalogue: the imported one (VIGIL_ATTACK_CATALOGUE, else
 * `${VIGIL_HOME ?? '.vigil'}/attack-catalogue.json`) when present, else the bundled data file.
 * `options.path` replaces that location and must exist (NOT_FOUND otherwise). Validated with zod;
 * a corrupt file → CONFIG_INVALID naming the path. Cached per path; a file rewritten since (new
 * modification time or size, e.g. by `vigil attack import`) is read again.
 */
export function loadAttackCatalogue(options: { path?: string } = {}): AttackCatalogue {
  const explicit = Boolean(options.path);
  const candidate = resolve(options.path || importedCataloguePath());
  let stats = statIfPresent(candidate);
  if (stats === undefined && explicit) {
    throw new VigilError('NOT_FOUND', `There is no ATT&CK catalogue at ${candidate}.`, {
      hint: 'Write one with `vigil attack import <enterprise-attack.json> --output <path>`.',
    });
  }
  const path = stats === undefined ? bundledCataloguePath : candidate;
  stats ??= statIfPresent(path);
  if (stats !== undefined && !stats.isFile()) {
    throw new VigilError('CONFIG_INVALID', `The ATT&CK catalogue ${path} is not a file.`);
  }
  const fingerprint = `${stats?.mtimeMs}:${stats?.size}`;
  const cached = cache.get(path);
  if (cached?.fingerprint === fingerprint) return cached.catalogue;
  const catalogue = readCatalogueFile(path);
  cache.set(path, { fingerprint, catalogue });
  return catalogue;
}

const techniqueIdInText = /\bT\d{4}(?:\.\d{3})?\b/gi;

/** Technique ids in free text: /\bT\d{4}(?:\.\d{3})?\b/gi, upper-cased, de-duplicated, in order. */
export function extractTechniqueIds(text: string): string[] {
  const ids = new Set<string>();
  for (const match of text.matchAll(techniqueIdInText)) ids.add(match[0].toUpperCase());
  return [...ids];
}

/** ` - INI - ENT - ATT&CK`, the tail of a legacy tag copied from the "MITRE ATT&CK" source. */
const legacyTagSuffix = /\s+-\s+[A-Z&]{2,4}\s+-\s+ENT\s+-\s+ATT&CK\s*$/i;

/**
 * A ThreatConnect tag name → technique: an id in the name first (via 'id'), else the name looked
 * up after stripping a legacy ` - <TAC> - ENT - ATT&CK` suffix, case-insensitive, against both
 * `name` and `fullName` (via 'name'); null when it names no technique.
 *
 * Handles the display (`T1566 - Phishing`), bare (`Phishing`, `Process Injection: Thread Local
 * Storage`) and legacy (`T1566 - Phishing - INI - ENT - ATT&CK`) styles. Of several ids, the first
 * the catalogue knows wins; an id the catalogue does not know (a newer ATT&CK release) is still
 * returned, because the tag names it explicitly — so `catalogue.get(result.id)` may be undefined.
 * A bare name shared by several sub-techniques (`Spearphishing Link`) resolves to null.
 */
export function resolveTechniqueTag(
  tagName: string,
  catalogue: AttackCatalogue,
): { id: string; via: 'id' | 'name' } | null {
  const ids = extractTechniqueIds(tagName);
  const [firstId] = ids;
  if (firstId !== undefined) {
    return { id: ids.find((id) => catalogue.get(id) !== undefined) ?? firstId, via: 'id' };
  }
  const technique = catalogue.findByName(tagName.replace(legacyTagSuffix, ''));
  return technique === undefined ? null : { id: technique.id, via: 'name' };
}

/** Every technique whose `name` or `fullName` is `name` (case-insensitive), e.g. to list an ambiguity. */
export function techniquesNamed(name: string, catalogue: AttackCatalogue): AttackTechnique[] {
  const key = nameKey(name);
  return catalogue
    .all()
    .filter((technique) => nameKey(technique.name) === key || nameKey(technique.fullName) === key);
}
