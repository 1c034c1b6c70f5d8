import { graphEntities, graphRelationships } from '../graph/vocabulary.ts';
import type { NodePattern, Query } from './ast.ts';
import { parseQuery } from './parse.ts';

/**
 * The entity and relationship `_type`s a query reads, or `'all'` when they cannot be narrowed.
 * - A type name reads that type; a class name (`Host`) reads every vocabulary type of that class.
 * - Each `THAT` step reads the relationship types of its verbs (`IDENTIFIED` →
 *   `threatstack_agent_identified_cve`), and its entity pattern as above. A negated step reads them
 *   too: a new relationship can change what it leaves out.
 * - `*`, or a class the vocabulary does not know, is `'all'`, since every write may change the answer.
 *
 * Rules use it to evaluate only after syncs that wrote a type their queries read.
 */
export function typesReadByQuery(query: Query): ReadonlySet<string> | 'all' {
  const read = new Set<string>();
  const patterns: NodePattern[] = [query.find, ...query.traversals.map((step) => step.node)];
  for (const pattern of patterns) {
    const types = typesOfPattern(pattern);
    if (types === 'all') return 'all';
    for (const type of types) read.add(type);
  }
  for (const step of query.traversals) {
    for (const relationship of Object.values(graphRelationships)) {
      if (step.verbs.includes(relationship.class)) read.add(relationship.type);
    }
  }
  return read;
}

/** `typesReadByQuery` of a query's text; QUERY_INVALID (from `parseQuery`) when it does not parse. */
export function typesReadBy(queryText: string): ReadonlySet<string> | 'all' {
  return typesReadByQuery(parseQuery(queryText));
}

function typesOfPattern(pattern: NodePattern): string[] | 'all' {
  const { selector } = pattern;
  if (selector.kind === 'any') return 'all';
  const types: string[] = [];
  for (const name of selector.names) {
    if (name.field === '_type') {
      types.push(name.value);
      continue;
    }
    const ofClass = Object.values(graphEntities).filter((entity) => entity.class === name.value);
    if (ofClass.length === 0) return 'all';
    types.push(...ofClass.map((entity) => entity.type));
  }
  return types;
}
