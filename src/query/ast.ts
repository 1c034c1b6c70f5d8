/**
 * The typed AST of a J1QL query (DESIGN.md "J1QL subset"). Produced by `parseQuery`, already
 * checked: every alias it names is declared, every operator fits its value. It holds no SQL; the
 * store compiles it (src/store/query/).
 */

/** Where a token starts in the query text (1-based). */
export interface Position {
  line: number;
  column: number;
}

/** One name of a selector: TitleCase names select `_class`, snake_case names select `_type`. */
export interface SelectorName {
  field: '_class' | '_type';
  value: string;
}

/** `*` (any entity) or one or more class/type names, any of which matches. */
export type Selector = { kind: 'any' } | { kind: 'names'; names: SelectorName[] };

/** A property of an aliased entity; `_key`, `_type`, `_class` and `displayName` are its fields. */
export interface PropertyRef {
  alias: string;
  property: string;
}

export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'undefined' }
  | { kind: 'regex'; source: string; ignoreCase: boolean };

/** Comparison operators; `!~=`, `!^=`, `!$=` and `!=` are the exact negations of their positive forms. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~=' | '^=' | '$=' | '!~=' | '!^=' | '!$=';

/** Operators that compare ordered scalars. */
export type OrderOp = '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; operands: Condition[] }
  /** A property against a literal value. */
  | { kind: 'compare'; left: PropertyRef; op: CompareOp; right: Value }
  /** A property against another (WHERE a.p op b.q): both scalars of one type. */
  | { kind: 'compareProperties'; left: PropertyRef; op: '=' | '!=' | OrderOp; right: PropertyRef };

/** An entity pattern: what it selects, its WITH condition, and its alias (generated when not given). */
export interface NodePattern {
  alias: string;
  selector: Selector;
  where?: Condition;
}

/**
 * One `THAT` step from the entity aliased `from` to `node`. `verbs` are relationship `_class`es
 * (upper case); `direction` is `out` for `>>` (from → node), `in` for `<<`, `any` otherwise. A
 * negated step keeps the entities with no such relationship; the next step starts from its `from`.
 */
export interface Traversal {
  from: string;
  verbs: string[];
  negated: boolean;
  direction: 'any' | 'out' | 'in';
  node: NodePattern;
}

export type AggregateFunction = 'min' | 'max' | 'avg' | 'sum';

/** A RETURN item; `label` is its AS label or the item as written (`a.hostname`, `COUNT(c)`). */
export type ReturnItem =
  | { kind: 'entity'; alias: string; label: string }
  | { kind: 'property'; ref: PropertyRef; label: string }
  | { kind: 'count'; alias: string; label: string }
  | { kind: 'aggregate'; fn: AggregateFunction; ref: PropertyRef; label: string };

/** ORDER BY a property (of the FIND entity without RETURN, of a returned entity with it) or a RETURN item's label. */
export type OrderTarget = { kind: 'property'; ref: PropertyRef } | { kind: 'item'; label: string };

export interface OrderBy {
  target: OrderTarget;
  descending: boolean;
}

export interface Query {
  find: NodePattern;
  traversals: Traversal[];
  where?: Condition;
  /** Absent: the result is the list of FIND entities; present: a table of these items. */
  returns?: ReturnItem[];
  orderBy?: OrderBy;
  skip?: number;
  limit?: number;
}

/** Entity fields that read as properties, and the names they have in a result. */
const entityFields = ['_key', '_type', '_class', 'displayName'] as const;
type EntityField = (typeof entityFields)[number];

export function isEntityField(property: string): property is EntityField {
  return (entityFields as readonly string[]).includes(property);
}
