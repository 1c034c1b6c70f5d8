import type { Rule } from './model.ts';

/**
 * The entity and relationship `_type`s a J1QL query reads (a class such as `Host` resolved to the
 * types of that class), or `'all'` when it cannot be narrowed (`FIND *`, a class the vocabulary
 * does not resolve). Derived from the parsed query AST (`src/query/types-read.ts`).
 */
export type TypesReadBy = (queryText: string) => ReadonlySet<string> | 'all';

/**
 * The enabled rules to evaluate after a sync that wrote `writtenTypes` (entity and relationship
 * types with a created, updated or deleted row): those with a query reading one of them. A query
 * whose types cannot be narrowed (`'all'`) is always selected. A sync that wrote nothing selects
 * nothing.
 */
export function selectRulesForSync<R extends Pick<Rule, 'queries' | 'enabled'>>(
  rules: readonly R[],
  writtenTypes: Iterable<string>,
  typesReadBy: TypesReadBy,
): R[] {
  const written = new Set(writtenTypes);
  if (written.size === 0) return [];
  return rules.filter(
    (rule) =>
      rule.enabled &&
      rule.queries.some((query) => {
        const read = typesReadBy(query.text);
        return read === 'all' || [...read].some((type) => written.has(type));
      }),
  );
}

/**
 * Whether an enabled rule with an interval is due at `now`: never evaluated, or evaluated at least
 * one interval ago. A rule without an interval is only evaluated after syncs.
 */
export function isRuleDue(
  rule: Pick<Rule, 'intervalMs' | 'enabled'>,
  lastEvaluatedAt: string | undefined,
  now: Date,
): boolean {
  if (!rule.enabled || rule.intervalMs === undefined) return false;
  if (lastEvaluatedAt === undefined) return true;
  return now.getTime() - Date.parse(lastEvaluatedAt) >= rule.intervalMs;
}
