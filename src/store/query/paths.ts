import type { NodePattern, Query, ReturnItem, Traversal } from '../../query/ast.ts';
import { compileCondition, nodeFilter } from './conditions.ts';
import type { QueryDialect } from './dialect.ts';
import { allOf, joinSql, list, type Sql, sql, trusted } from './sql.ts';

/** A positive step fixed to one direction (an undirected step becomes one arm per direction). */
type Direction = 'out' | 'in';

/** The plan shared by list and table queries: which SQL table each alias lives in. */
export interface PathPlan {
  query: Query;
  /** Query alias → `e<n>` (FIND is e0, step n is e<n>). */
  tables: Map<string, string>;
  positive: { step: Traversal; index: number }[];
  /**
   * Only for ONE undirected positive step with ONE verb (see `pairsOnce`): its `in` arm leaves out
   * the pairs its `out` arm holds, so the union of the arms holds each (FIND, node) pair once.
   */
  disjoint?: boolean;
}

/**
 * What an arm selects: columns of the full join, or (only when `findOutside`) columns built from
 * the FIND entity's key as its first relationship holds it, the entity itself not joined.
 */
export type ArmSelect = Sql | ((findKey: Sql) => Sql);

/**
 * One SELECT per combination of directions of the undirected positive steps, each selecting
 * `select` from the join of every positive step; their union is the set of matches. With
 * `select` left out or a function (only when `findOutside`), each arm reads the FIND entity's
 * key from its first relationship without joining the entity: the caller filters it once, outside.
 */
export function pathArms(plan: PathPlan, d: QueryDialect, select?: ArmSelect): Sql[] {
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

/**
 * Whether a list may filter its FIND entity outside the arms: another entity drives the join
 * (so the arms never need to start from it) and no WHERE reads it together with the others.
 */
export function findOutside(plan: PathPlan): boolean {
  return plan.positive.length > 0 && plan.query.where === undefined && pivot(plan) !== 0;
}

function pathArm(
  plan: PathPlan,
  d: QueryDialect,
  select: ArmSelect | undefined,
  directions: Direction[],
): Sql {
  const inside = select !== undefined && typeof select !== 'function';
  const terms: Sql[] = inside ? [nodeFilter(plan.query.find, 'e0', d)] : [];
  plan.positive.forEach(({ step, index }, position) => {
    const from = inside || position > 0 ? tableOf(plan, step.from) : undefined;
    terms.push(
      edge(step, `r${index}`, from, `e${index}`, directions[position] ?? 'out'),
      nodeFilter(step.node, `e${index}`, d),
    );
  });
  terms.push(...negations(plan, d, inside ? 'all' : 'others'));
  if (plan.query.where !== undefined) terms.push(compileCondition(plan.query.where, plan.tables, d));
  const first = plan.positive[0];
  if (plan.disjoint === true && first !== undefined && directions[0] === 'in') {
    const r = `r${first.index}`;
    terms.push(
      trusted(
        `NOT EXISTS (SELECT 1 FROM relationships x WHERE x.from_key = ${r}.to_key AND x.class = ${r}.class AND x.to_key = ${r}.from_key)`,
      ),
    );
  }
  const findKey = trusted(`r${first?.index ?? 1}.${directions[0] === 'in' ? 'to_key' : 'from_key'}`);
  const tables = joinOrder(plan).flatMap((joined) => {
    if ('entity' in joined)
      return inside || joined.entity !== 'e0' ? [trusted(`entities ${joined.entity}`)] : [];
    return [relationshipTable(plan, d, joined, directions[joined.position] ?? 'out')];
  });
  const selected = select === undefined ? findKey : typeof select === 'function' ? select(findKey) : select;
  return sql`SELECT ${selected} FROM ${joinSql(tables, d.joinSeparator)} WHERE ${allOf(terms)}`;
}

/** The position in the chain of the most constrained entity (the first of the best). */
function pivot(plan: PathPlan): number {
  const scores = [plan.query.find, ...plan.positive.map(({ step }) => step.node)].map(selectivity);
  return scores.indexOf(Math.max(...scores));
}

/**
 * A table of an arm's join: an entity `e<n>`, or the relationship of the positive step at
 * `position`, joined from the entity already there: the step's `from` entity (walking out from the
 * pivot) or its node (walking back towards FIND).
 */
type Joined = { entity: string } | { position: number; anchor: 'from' | 'node' };

/**
 * The tables of an arm, starting from the most constrained entity of the chain and walking out
 * to both ends, so that each table joins one already there through an index. SQLite keeps this
 * order (CROSS JOIN): with bound parameters its planner cannot see which filter is selective.
 */
function joinOrder(plan: PathPlan): Joined[] {
  const indexes = [0, ...plan.positive.map(({ index }) => index)];
  const start = pivot(plan);
  const order: Joined[] = [{ entity: `e${indexes[start]}` }];
  for (let position = start - 1; position >= 0; position -= 1) {
    order.push({ position, anchor: 'node' }, { entity: `e${indexes[position]}` });
  }
  for (let position = start + 1; position < indexes.length; position += 1) {
    order.push({ position: position - 1, anchor: 'from' }, { entity: `e${indexes[position]}` });
  }
  return order;
}

/**
 * A step's relationship table `r<n>`. With `lateralRelationships` (PostgreSQL) it is a LATERAL
 * index probe from the entity already joined, fenced by OFFSET 0: the planner estimates every
 * probe at the average fan-out, so for the direction no relationship takes (cve → agent) it would
 * otherwise hash-join a full scan of relationships expecting 190 000 rows and get none.
 */
function relationshipTable(
  plan: PathPlan,
  d: QueryDialect,
  joined: { position: number; anchor: 'from' | 'node' },
  direction: Direction,
): Sql {
  const positive = plan.positive[joined.position];
  if (positive === undefined) throw new Error(`no positive step at ${joined.position}`);
  const r = `r${positive.index}`;
  if (!d.lateralRelationships) return trusted(`relationships ${r}`);
  const [near, far] = direction === 'out' ? ['from_key', 'to_key'] : ['to_key', 'from_key'];
  const probe =
    joined.anchor === 'from'
      ? `${r}.${near} = ${tableOf(plan, positive.step.from)}.key`
      : `${r}.${far} = e${positive.index}.key`;
  return sql`LATERAL (SELECT ${trusted(`${r}.class, ${r}.from_key, ${r}.to_key FROM relationships ${r} WHERE ${probe}`)} AND ${trusted(r)}.class IN (${list(positive.step.verbs)}) OFFSET 0) AS ${trusted(r)}`;
}

/** How narrowly an entity pattern selects: a key, an equality, any WITH, a selector, anything. */
function selectivity(node: NodePattern): number {
  const base = node.selector.kind === 'any' ? 0 : 1;
  if (node.where === undefined) return base;
  const conjuncts = node.where.kind === 'and' ? node.where.operands : [node.where];
  const equalities = conjuncts.filter(
    (condition) =>
      condition.kind === 'compare' && condition.op === '=' && condition.right.kind !== 'undefined',
  );
  if (equalities.some((condition) => condition.kind === 'compare' && condition.left.property === '_key')) {
    return base + 4;
  }
  return base + (equalities.length > 0 ? 3 : 2);
}

function tableOf(plan: PathPlan, alias: string): string {
  const table = plan.tables.get(alias);
  if (table === undefined) throw new Error(`alias ${alias} has no table`);
  return table;
}

/** `relationship` joins `from` (unless left out) to `target` with one of the step's verbs, in `direction`. */
function edge(
  step: Traversal,
  relationship: string,
  from: string | undefined,
  target: string,
  direction: Direction,
): Sql {
  const [near, far] = direction === 'out' ? ['from_key', 'to_key'] : ['to_key', 'from_key'];
  const nearJoin = from === undefined ? '' : `${relationship}.${near} = ${from}.key AND `;
  return sql`${trusted(relationship)}.class IN (${list(step.verbs)}) AND ${trusted(
    `${nearJoin}${relationship}.${far} = ${target}.key`,
  )}`;
}

/**
 * NOT EXISTS per negated step and direction: no relationship to a matching entity. `which`
 * picks the steps from the FIND entity (`find`), from the others, or all.
 */
export function negations(plan: PathPlan, d: QueryDialect, which: 'all' | 'find' | 'others' = 'all'): Sql[] {
  const terms: Sql[] = [];
  plan.query.traversals.forEach((step, position) => {
    if (!step.negated) return;
    const fromFind = step.from === plan.query.find.alias;
    if ((which === 'find' && !fromFind) || (which === 'others' && fromFind)) return;
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

/**
 * Whether the matches can hold each (FIND, node) pair at most once: ONE positive step with ONE
 * verb, directed, or undirected with `disjoint` arms. Each match is then one relationship
 * (from, verb, to), and the store holds at most one per (from, class, to): keys are
 * `<from>|<verb>|<to>`, checked on write (sanitize.ts). Several verbs (a HAS c and a USES c), an
 * undirected step without disjoint arms (a→c and c→a) or a longer path (a→b→c through two b)
 * can repeat a pair.
 */
export function pairsOnce(plan: PathPlan): boolean {
  const [only, ...more] = plan.positive;
  if (only === undefined || more.length > 0 || only.step.verbs.length !== 1) return false;
  return only.step.direction !== 'any' || plan.disjoint === true;
}

/** Whether a table needs distinct matches (SUM and AVG count each match once; the rest are set-based). */
export function needsDistinctMatches(items: readonly ReturnItem[]): boolean {
  return items.some((item) => item.kind === 'aggregate' && (item.fn === 'sum' || item.fn === 'avg'));
}
