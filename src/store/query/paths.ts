import type { Query, ReturnItem, Traversal } from '../../query/ast.ts';
import { compileCondition, nodeFilter } from './conditions.ts';
import type { QueryDialect } from './dialect.ts';
import { allOf, list, type Sql, sql, trusted } from './sql.ts';

/** A positive step fixed to one direction (an undirected step becomes one arm per direction). */
type Direction = 'out' | 'in';

/** The plan shared by list and table queries: which SQL table each alias lives in. */
export interface PathPlan {
  query: Query;
  /** Query alias → `e<n>` (FIND is e0, step n is e<n>). */
  tables: Map<string, string>;
  positive: { step: Traversal; index: number }[];
}

/**
 * One SELECT per combination of directions of the undirected positive steps, each selecting
 * `select` from the join of every positive step; their union is the set of matches.
 */
export function pathArms(plan: PathPlan, d: QueryDialect, select: Sql): Sql[] {
  const undirected = plan.positive.filter(({ step }) => step.direction === 'any').length;
  const arms: Sql[] = [];
  for (let combination = 0; combination < 2 ** undirected; combination += 1) {
    let bit = 0;
    const directions = plan.positive.map(({ step }): Direction => {
      if (step.direction !== 'any') return step.direction;
      bit += 1;
      return (combination >> (bit - 1)) & 1 ? 'in' : 'out';
    });
    arms.push(pathArm(plan, d, select, directions));
  }
  return arms;
}

function pathArm(plan: PathPlan, d: QueryDialect, select: Sql, directions: Direction[]): Sql {
  const from = ['entities e0'];
  const terms: Sql[] = [nodeFilter(plan.query.find, 'e0', d)];
  plan.positive.forEach(({ step, index }, position) => {
    const relationship = `r${index}`;
    const target = `e${index}`;
    from.push(`relationships ${relationship}`, `entities ${target}`);
    terms.push(
      edge(step, relationship, tableOf(plan, step.from), target, directions[position] ?? 'out'),
      nodeFilter(step.node, target, d),
    );
  });
  terms.push(...negations(plan, d));
  if (plan.query.where !== undefined) terms.push(compileCondition(plan.query.where, plan.tables, d));
  return sql`SELECT ${select} FROM ${trusted(from.join(', '))} WHERE ${allOf(terms)}`;
}

function tableOf(plan: PathPlan, alias: string): string {
  const table = plan.tables.get(alias);
  if (table === undefined) throw new Error(`alias ${alias} has no table`);
  return table;
}

/** `relationship` joins `from` to `target` with one of the step's verbs, in `direction`. */
function edge(
  step: Traversal,
  relationship: string,
  from: string,
  target: string,
  direction: Direction,
): Sql {
  const [near, far] = direction === 'out' ? ['from_key', 'to_key'] : ['to_key', 'from_key'];
  return sql`${trusted(relationship)}.class IN (${list(step.verbs)}) AND ${trusted(
    `${relationship}.${near} = ${from}.key AND ${relationship}.${far} = ${target}.key`,
  )}`;
}

/** NOT EXISTS per negated step and direction: no relationship to a matching entity. */
export function negations(plan: PathPlan, d: QueryDialect): Sql[] {
  const terms: Sql[] = [];
  plan.query.traversals.forEach((step, position) => {
    if (!step.negated) return;
    const index = position + 1;
    const directions: Direction[] = step.direction === 'any' ? ['out', 'in'] : [step.direction];
    for (const direction of directions) {
      const relationship = `r${index}`;
      const target = `e${index}`;
      terms.push(
        sql`NOT EXISTS (SELECT 1 FROM ${trusted(`relationships ${relationship}, entities ${target}`)} WHERE ${edge(
          step,
          relationship,
          tableOf(plan, step.from),
          target,
          direction,
        )} AND ${nodeFilter(step.node, target, d)})`,
      );
    }
  });
  return terms;
}

/** Whether a table needs distinct matches (SUM and AVG count each match once; the rest are set-based). */
export function needsDistinctMatches(items: readonly ReturnItem[]): boolean {
  return items.some((item) => item.kind === 'aggregate' && (item.fn === 'sum' || item.fn === 'avg'));
}
