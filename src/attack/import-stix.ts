import { z } from 'zod';
import { describeZodError, VigilError } from '../errors.ts';
import {
  type AttackCatalogueData,
  type AttackTechniqueRecord,
  compareTechniqueIds,
  parentTechniqueId,
  tacticNamePattern,
  techniqueIdPattern,
} from './schema.ts';
import { orderTactics } from './tactics.ts';

/** The `source` and `notice` every catalogue built from MITRE's Enterprise bundle carries. */
export const enterpriseCatalogueSource = 'MITRE ATT&CK Enterprise';
export const attackNotice =
  '© The MITRE Corporation. Reproduced and distributed under the ATT&CK Terms of Use.';

/** How many `attack-pattern` objects did not become catalogue entries, and why. */
export interface SkippedPatterns {
  revoked: number;
  deprecated: number;
  /** No `mitre-attack` id, not Enterprise (no `mitre-attack` kill-chain phase), malformed, duplicate or orphaned. */
  other: number;
}

export interface StixImport {
  data: AttackCatalogueData;
  skipped: SkippedPatterns;
}

const bundleSchema = z.object({
  type: z.literal('bundle'),
  objects: z.array(z.unknown()),
});

const attackPatternSchema = z.object({
  type: z.literal('attack-pattern'),
  name: z.string().trim().min(1),
  x_mitre_is_subtechnique: z.boolean().optional(),
  x_mitre_domains: z.array(z.string()).optional(),
  external_references: z
    .array(z.object({ source_name: z.string(), external_id: z.string().optional() }))
    .default([]),
  kill_chain_phases: z.array(z.object({ kill_chain_name: z.string(), phase_name: z.string() })).default([]),
});

const collectionSchema = z.object({
  type: z.literal('x-mitre-collection'),
  x_mitre_version: z.string().min(1),
});

/** The STIX name of the Enterprise kill chain and of MITRE's external references. */
const mitreAttack = 'mitre-attack';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One usable Enterprise technique from an active `attack-pattern`, or null when it is not one. */
function toTechniqueRecord(object: Record<string, unknown>): AttackTechniqueRecord | null {
  const parsed = attackPatternSchema.safeParse(object);
  if (!parsed.success) return null;
  const pattern = parsed.data;
  const id = pattern.external_references
    .find((reference) => reference.source_name === mitreAttack && reference.external_id !== undefined)
    ?.external_id?.toUpperCase();
  if (id === undefined || !techniqueIdPattern.test(id)) return null;
  if (pattern.x_mitre_domains !== undefined && !pattern.x_mitre_domains.includes('enterprise-attack'))
    return null;
  if (pattern.x_mitre_is_subtechnique === true && parentTechniqueId(id) === null) return null;
  const tactics = orderTactics(
    pattern.kill_chain_phases
      .filter((phase) => phase.kill_chain_name === mitreAttack)
      .map((phase) => phase.phase_name.trim().toLowerCase()),
  );
  if (tactics.length === 0 || !tactics.every((tactic) => tacticNamePattern.test(tactic))) return null;
  return { id, name: pattern.name, tactics };
}

/** Keeps the first record per id and only sub-techniques whose parent is present; counts the rest. */
function consistentRecords(records: AttackTechniqueRecord[]): {
  kept: AttackTechniqueRecord[];
  dropped: number;
} {
  const byId = new Map<string, AttackTechniqueRecord>();
  for (const record of records) if (!byId.has(record.id)) byId.set(record.id, record);
  const kept = [...byId.values()]
    .filter((record) => {
      const parentId = parentTechniqueId(record.id);
      return parentId === null || byId.has(parentId);
    })
    .sort(compareTechniqueIds);
  return { kept, dropped: records.length - kept.length };
}

function parseBundle(json: unknown): unknown[] {
  const parsed = bundleSchema.safeParse(json);
  if (!parsed.success) {
    throw new VigilError(
      'INPUT_INVALID',
      `Not a STIX 2.1 bundle (expected {"type": "bundle", "objects": [...]}): ${describeZodError(parsed.error)}`,
      { hint: "Use MITRE's enterprise-attack.json from github.com/mitre-attack/attack-stix-data." },
    );
  }
  return parsed.data.objects;
}

/**
 * Turns MITRE's ATT&CK Enterprise STIX 2.1 bundle (`enterprise-attack.json`) into the compact
 * catalogue data: every `attack-pattern` that is neither revoked nor `x_mitre_deprecated`, with
 * its id from the `mitre-attack` external reference and its tactics from the `mitre-attack`
 * kill-chain phases (in matrix order), sorted by id. A pattern is a sub-technique when its id has
 * a dot (`x_mitre_is_subtechnique` without one is malformed). The version comes from the bundle's
 * `x-mitre-collection` object (`x_mitre_version`), else `unknown`. Pure: no I/O.
 *
 * INPUT_INVALID when `json` is not a STIX bundle or holds no usable Enterprise technique.
 */
export function importStixBundle(json: unknown): StixImport {
  const objects = parseBundle(json);
  const skipped: SkippedPatterns = { revoked: 0, deprecated: 0, other: 0 };
  const records: AttackTechniqueRecord[] = [];
  let version: string | undefined;
  for (const object of objects) {
    if (!isRecord(object)) continue;
    if (object.type === 'x-mitre-collection') {
      version ??= collectionSchema.safeParse(object).data?.x_mitre_version;
    }
    if (object.type !== 'attack-pattern') continue;
    if (object.revoked === true) skipped.revoked += 1;
    else if (object.x_mitre_deprecated === true) skipped.deprecated += 1;
    else {
      const record = toTechniqueRecord(object);
      if (record === null) skipped.other += 1;
      else records.push(record);
    }
  }
  const { kept, dropped } = consistentRecords(records);
  skipped.other += dropped;
  if (kept.length === 0) {
    throw new VigilError(
      'INPUT_INVALID',
      `The STIX bundle holds no active ATT&CK Enterprise technique (skipped ${skipped.revoked} revoked, ${skipped.deprecated} deprecated, ${skipped.other} other attack-pattern objects).`,
      { hint: 'Import enterprise-attack.json, not the Mobile or ICS bundle.' },
    );
  }
  return {
    data: {
      source: enterpriseCatalogueSource,
      version: version ?? 'unknown',
      notice: attackNotice,
      techniques: kept,
    },
    skipped,
  };
}
