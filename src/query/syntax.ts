import type { CompareOp, Position, Selector } from './ast.ts';

/**
 * The syntax tree the grammar builds: the query as written, with positions, before aliases are
 * resolved and operators checked against their values (see check.ts).
 */

/** `a`, `a.hostname`, `tag.Name`: dot-separated segments. */
export interface DottedName {
  segments: string[];
  at: Position;
}

export type LiteralSyntax =
  | { kind: 'string'; value: string; at: Position }
  | { kind: 'number'; value: number; at: Position }
  | { kind: 'boolean'; value: boolean; at: Position }
  | { kind: 'undefined'; at: Position }
  | { kind: 'regex'; image: string; at: Position };

export type ConditionSyntax =
  | { kind: 'and' | 'or'; operands: ConditionSyntax[] }
  | {
      kind: 'compare';
      left: DottedName;
      op: CompareOp;
      opAt: Position;
      right: LiteralSyntax | { kind: 'name'; name: DottedName };
    };

export interface AliasSyntax {
  name: string;
  at: Position;
}

export interface NodeSyntax {
  selector: Selector;
  with?: ConditionSyntax;
  alias?: AliasSyntax;
}

export interface TraversalSyntax {
  /** Where its THAT is. */
  at: Position;
  negated: boolean;
  verbs: string[];
  direction: 'any' | 'out' | 'in';
  node: NodeSyntax;
}

export interface ReturnItemSyntax {
  fn?: 'count' | 'min' | 'max' | 'avg' | 'sum';
  name: DottedName;
  label?: AliasSyntax;
}

export interface QuerySyntax {
  find: NodeSyntax;
  traversals: TraversalSyntax[];
  where?: ConditionSyntax;
  returns?: ReturnItemSyntax[];
  orderBy?: { name: DottedName; descending: boolean };
  skip?: { value: number; at: Position };
  limit?: { value: number; at: Position };
}
