import { z } from 'zod';

/** A whole technique or sub-technique id: `T1566` or `T1566.002` (upper-case T). */
export const techniqueIdPattern = /^T\d{4}(?:\.\d{3})?$/;

/** A kill-chain phase short name such as `initial-access`. */
export const tacticNamePattern = /^[a-z]+(?:-[a-z]+)*$/;

/** Orders technique ids as strings: `T1055` < `T1055.005` < `T1056`. */
export function compareTechniqueIds(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The parent of a sub-technique id (`T1566.002` → `T1566`), or null for a technique. */
export function parentTechniqueId(id: string): string | null {
  const dot = id.indexOf('.');
  return dot === -1 ? null : id.slice(0, dot);
}

const techniqueRecordSchema = z.object({
  id: z.string().regex(techniqueIdPattern, 'must be a technique id such as T1566 or T1566.002'),
  name: z.string().trim().min(1),
  tactics: z
    .array(
      z.string().regex(tacticNamePattern, 'must be a kill-chain phase short name such as initial-access'),
    )
    .min(1),
});

/**
 * The compact catalogue as stored: the bundled `data/enterprise-attack.json` and the file that
 * `vigil attack import` writes. Ids are unique and every sub-technique's parent is present.
 */
export const attackCatalogueDataSchema = z
  .object({
    source: z.string().trim().min(1),
    version: z.string().trim().min(1),
    notice: z.string().optional(),
    techniques: z.array(techniqueRecordSchema).min(1),
  })
  .superRefine((data, context) => {
    const ids = new Set<string>();
    data.techniques.forEach((technique, index) => {
      if (ids.has(technique.id)) {
        context.addIssue({
          code: 'custom',
          path: ['techniques', index, 'id'],
          message: `duplicate id ${technique.id}`,
        });
      }
      ids.add(technique.id);
    });
    data.techniques.forEach((technique, index) => {
      const parentId = parentTechniqueId(technique.id);
      if (parentId !== null && !ids.has(parentId)) {
        context.addIssue({
          code: 'custom',
          path: ['techniques', index, 'id'],
          message: `sub-technique ${technique.id} has no parent ${parentId}`,
        });
      }
    });
  });

export type AttackCatalogueData = z.infer<typeof attackCatalogueDataSchema>;
export type AttackTechniqueRecord = AttackCatalogueData['techniques'][number];

/** The stored JSON text: the header fields, then one technique per line (small, and diffs read well). */
export function formatCatalogueData(data: AttackCatalogueData): string {
  const { techniques, ...header } = data;
  const head = JSON.stringify(header, null, 2).slice(0, -2);
  const rows = techniques.map((technique) => `    ${JSON.stringify(technique)}`).join(',\n');
  return `${head},\n  "techniques": [\n${rows}\n  ]\n}\n`;
}
