import {
  type CompareOp,
  type Condition,
  isEntityField,
  type NodePattern,
  type OrderBy,
  type Position,
  type PropertyRef,
  type Query,
  type ReturnItem,
  type Traversal,
  type Value,
} from './ast.ts';
import { queryError } from './errors.ts';
import type {
  ConditionSyntax,
  DottedName,
  LiteralSyntax,
  NodeSyntax,
  QuerySyntax,
  ReturnItemSyntax,
} from './syntax.ts';

/** Most THAT steps in one query (each undirected step doubles the SQL the store runs). */
const maxTraversals = 6;
const maxCount = 2 ** 31 - 1;

const equalityOps: readonly CompareOp[] = ['=', '!='];
const orderOps: readonly CompareOp[] = ['<', '<=', '>', '>='];

/**
 * Turns the syntax tree into the checked AST: resolves aliases (generating hidden ones for
 * unnamed entities), and rejects what parses but means nothing — an unknown alias in WHERE,
 * RETURN or ORDER BY, an aggregate of an undeclared alias, an alias on a negated step, an
 * operator that does not fit its value — as QUERY_INVALID at the offending token.
 */
export function checkQuery(text: string, syntax: QuerySyntax): Query {
  return new Checker(text).check(syntax);
}

class Checker {
  /** Declared aliases (of entities a result row can hold) → whether it is the FIND entity. */
  private readonly aliases = new Map<string, boolean>();

  constructor(private readonly text: string) {}

  fail(at: Position, problem: string): never {
    throw queryError(this.text, at, problem);
  }

  check(syntax: QuerySyntax): Query {
    const find = this.node(syntax.find, '$0', true);
    const traversals = this.traversals(syntax, find.alias);
    const where = syntax.where === undefined ? undefined : this.condition(syntax.where, undefined);
    const returns = syntax.returns === undefined ? undefined : this.returns(syntax.returns);
    const orderBy =
      syntax.orderBy === undefined ? undefined : this.orderBy(syntax.orderBy, find.alias, returns);
    return {
      find,
      traversals,
      ...(where === undefined ? {} : { where }),
      ...(returns === undefined ? {} : { returns }),
      ...(orderBy === undefined ? {} : { orderBy }),
      ...(syntax.skip === undefined ? {} : { skip: this.count(syntax.skip, 'SKIP') }),
      ...(syntax.limit === undefined ? {} : { limit: this.count(syntax.limit, 'LIMIT') }),
    };
  }

  private node(syntax: NodeSyntax, hidden: string, declared: boolean): NodePattern {
    let alias = hidden;
    if (syntax.alias !== undefined) {
      if (this.aliases.has(syntax.alias.name)) {
        this.fail(syntax.alias.at, `the alias '${syntax.alias.name}' is declared twice`);
      }
      alias = syntax.alias.name;
    }
    if (declared) this.aliases.set(alias, this.aliases.size === 0);
    const where = syntax.with === undefined ? undefined : this.condition(syntax.with, alias);
    return { alias, selector: syntax.selector, ...(where === undefined ? {} : { where }) };
  }

  private traversals(syntax: QuerySyntax, findAlias: string): Traversal[] {
    const steps: Traversal[] = [];
    let from = findAlias;
    for (const [index, step] of syntax.traversals.entries()) {
      if (index >= maxTraversals) this.fail(step.at, `a query may have at most ${maxTraversals} THAT steps`);
      if (step.negated && step.node.alias !== undefined) {
        this.fail(
          step.node.alias.at,
          `a negated step (THAT !${step.verbs.join('|')}) matches no entity, so it cannot have an alias`,
        );
      }
      const node = this.node(step.node, `$${index + 1}`, !step.negated);
      steps.push({ from, verbs: step.verbs, negated: step.negated, direction: step.direction, node });
      if (!step.negated) from = node.alias;
    }
    return steps;
  }

  /** `owner` set: a WITH condition on that entity; unset: a WHERE condition over aliases. */
  private condition(syntax: ConditionSyntax, owner: string | undefined): Condition {
    if (syntax.kind !== 'compare') {
      return {
        kind: syntax.kind,
        operands: syntax.operands.map((operand) => this.condition(operand, owner)),
      };
    }
    const left = this.reference(syntax.left, owner);
    if (syntax.right.kind !== 'name') {
      return {
        kind: 'compare',
        left,
        op: syntax.op,
        right: this.value(syntax.right, syntax.op, syntax.opAt),
      };
    }
    if (owner !== undefined) {
      this.fail(
        syntax.right.name.at,
        `expected a value (a string, a number, true, false, undefined or a /regex/) but found '${syntax.right.name.segments.join('.')}'`,
      );
    }
    const op = syntax.op;
    if (op !== '=' && op !== '!=' && op !== '<' && op !== '<=' && op !== '>' && op !== '>=') {
      this.fail(syntax.opAt, `the operator ${op} compares with a string value, not with another property`);
    }
    return { kind: 'compareProperties', left, op, right: this.reference(syntax.right.name, undefined) };
  }

  /** In WITH the whole dotted name is the property; elsewhere its first segment is an alias. */
  private reference(name: DottedName, owner: string | undefined): PropertyRef {
    if (owner !== undefined) return { alias: owner, property: name.segments.join('.') };
    const [alias, ...rest] = name.segments;
    if (alias === undefined || rest.length === 0) {
      this.fail(name.at, `expected alias.property (e.g. a.status) but found '${name.segments.join('.')}'`);
    }
    this.declaredAlias(alias, name.at);
    return { alias, property: rest.join('.') };
  }

  private declaredAlias(alias: string, at: Position): void {
    if (this.aliases.has(alias)) return;
    const known = [...this.aliases.keys()].filter((name) => !name.startsWith('$'));
    this.fail(
      at,
      `unknown alias '${alias}' (${known.length === 0 ? 'no alias is declared: add AS <alias>' : `declared: ${known.join(', ')}`})`,
    );
  }

  private value(literal: LiteralSyntax, op: CompareOp, opAt: Position): Value {
    switch (literal.kind) {
      case 'string':
        return { kind: 'string', value: literal.value };
      case 'number':
        if (!Number.isFinite(literal.value)) this.fail(literal.at, 'the number is out of range');
        if (!equalityOps.includes(op) && !orderOps.includes(op)) {
          this.fail(opAt, `the operator ${op} needs a string value`);
        }
        return { kind: 'number', value: literal.value };
      case 'boolean':
        this.equalityOnly(op, opAt, 'true and false');
        return { kind: 'boolean', value: literal.value };
      case 'undefined':
        this.equalityOnly(op, opAt, 'undefined');
        return { kind: 'undefined' };
      case 'regex':
        this.equalityOnly(op, opAt, 'a /regex/');
        return this.regex(literal.image, literal.at);
    }
  }

  private equalityOnly(op: CompareOp, opAt: Position, what: string): void {
    if (!equalityOps.includes(op)) this.fail(opAt, `${what} can only be compared with = or !=`);
  }

  private regex(image: string, at: Position): Value {
    const end = image.lastIndexOf('/');
    const source = image.slice(1, end);
    const flags = image.slice(end + 1);
    if (flags !== '' && flags !== 'i') {
      this.fail(at, `unsupported regex flags '${flags}': only i (ignore case) is supported`);
    }
    try {
      new RegExp(source, flags);
    } catch (error) {
      this.fail(at, `invalid regex: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { kind: 'regex', source, ignoreCase: flags === 'i' };
  }

  private returns(items: readonly ReturnItemSyntax[]): ReturnItem[] {
    const labels = new Set<string>();
    return items.map((syntax) => {
      const item = this.returnItem(syntax);
      if (labels.has(item.label)) {
        this.fail(
          syntax.label?.at ?? syntax.name.at,
          `two RETURN items are named '${item.label}': add AS <label>`,
        );
      }
      labels.add(item.label);
      return item;
    });
  }

  private returnItem(syntax: ReturnItemSyntax): ReturnItem {
    const written = syntax.name.segments.join('.');
    const fn = syntax.fn;
    if (fn === undefined || fn === 'count') {
      if (syntax.name.segments.length === 1) {
        this.declaredAlias(written, syntax.name.at);
        const label = syntax.label?.name ?? (fn === 'count' ? `COUNT(${written})` : written);
        return fn === 'count'
          ? { kind: 'count', alias: written, label }
          : { kind: 'entity', alias: written, label };
      }
      if (fn === 'count') this.fail(syntax.name.at, `COUNT takes an alias (e.g. COUNT(c)), not '${written}'`);
      return {
        kind: 'property',
        ref: this.reference(syntax.name, undefined),
        label: syntax.label?.name ?? written,
      };
    }
    const ref = this.reference(syntax.name, undefined);
    if (isEntityField(ref.property)) {
      this.fail(syntax.name.at, `${fn.toUpperCase()} needs a numeric property, not ${ref.property}`);
    }
    return { kind: 'aggregate', fn, ref, label: syntax.label?.name ?? `${fn.toUpperCase()}(${written})` };
  }

  private orderBy(
    syntax: { name: DottedName; descending: boolean },
    findAlias: string,
    returns: ReturnItem[] | undefined,
  ): OrderBy {
    const written = syntax.name.segments.join('.');
    const item = returns?.find((candidate) => candidate.label === written);
    if (item !== undefined)
      return { target: { kind: 'item', label: item.label }, descending: syntax.descending };
    const ref =
      returns === undefined && syntax.name.segments.length === 1
        ? { alias: findAlias, property: written }
        : this.reference(syntax.name, undefined);
    const orderable =
      returns === undefined
        ? ref.alias === findAlias
        : returns.some((candidate) => candidate.kind === 'entity' && candidate.alias === ref.alias);
    if (!orderable) {
      this.fail(
        syntax.name.at,
        returns === undefined
          ? `without RETURN, ORDER BY takes a property of the FIND entity, not of '${ref.alias}'`
          : `ORDER BY takes a RETURN item or a property of an entity the RETURN lists, not '${written}'`,
      );
    }
    return { target: { kind: 'property', ref }, descending: syntax.descending };
  }

  private count(syntax: { value: number; at: Position }, clause: string): number {
    if (!Number.isInteger(syntax.value) || syntax.value < 0 || syntax.value > maxCount) {
      this.fail(syntax.at, `${clause} takes a whole number from 0 to ${maxCount}`);
    }
    return syntax.value;
  }
}
