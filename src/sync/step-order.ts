import { VigilError } from '../errors.ts';

interface Ordered {
  id: string;
  dependsOn: readonly string[];
}

/**
 * Orders steps so that each runs after its dependencies, keeping declaration order where free.
 * Throws INTERNAL_ERROR on a duplicate id, an unknown dependency or a cycle (a connector bug).
 */
export function orderSteps<S extends Ordered>(steps: readonly S[]): S[] {
  const byId = new Map<string, S>();
  for (const step of steps) {
    if (byId.has(step.id)) throw new VigilError('INTERNAL_ERROR', `Step ${step.id} is declared twice.`);
    byId.set(step.id, step);
  }
  for (const step of steps) {
    for (const dependency of step.dependsOn) {
      if (!byId.has(dependency)) {
        throw new VigilError('INTERNAL_ERROR', `Step ${step.id} depends on unknown step ${dependency}.`);
      }
    }
  }
  const ordered: S[] = [];
  const placed = new Set<string>();
  while (ordered.length < steps.length) {
    const next = steps.find((s) => !placed.has(s.id) && s.dependsOn.every((d) => placed.has(d)));
    if (!next) {
      const stuck = steps.filter((s) => !placed.has(s.id)).map((s) => s.id);
      throw new VigilError('INTERNAL_ERROR', `Steps ${stuck.join(', ')} depend on each other in a cycle.`);
    }
    ordered.push(next);
    placed.add(next.id);
  }
  return ordered;
}
