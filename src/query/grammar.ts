import {
  EmbeddedActionsParser,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from 'chevrotain';
import type { CompareOp, Position, Selector, SelectorName } from './ast.ts';
import type {
  AliasSyntax,
  ConditionSyntax,
  DottedName,
  LiteralSyntax,
  NodeSyntax,
  QuerySyntax,
  ReturnItemSyntax,
  TraversalSyntax,
} from './syntax.ts';
import * as t from './tokens.ts';

/** Describes what the parser wanted, for messages: `expected a name or '('`. */
function describeExpected(tokens: readonly TokenType[]): string {
  const labels = [...new Set(tokens.map((token) => token.LABEL ?? token.name))];
  if (labels.length <= 1) return labels[0] ?? 'nothing more';
  return `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}`;
}

/** Error messages say only what was expected; the position and found token are added by parse.ts. */
const expectationMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => describeExpected([expected]),
  buildNotAllInputParsedMessage: () => 'the end of the query',
  buildNoViableAltMessage: ({ expectedPathsPerAlt }) =>
    describeExpected(expectedPathsPerAlt.flatMap((paths) => paths.map((path) => path[0]).filter(isToken))),
  buildEarlyExitMessage: ({ expectedIterationPaths }) =>
    describeExpected(expectedIterationPaths.map((path) => path[0]).filter(isToken)),
};

function isToken(token: TokenType | undefined): token is TokenType {
  return token !== undefined;
}

function at(token: IToken): Position {
  return { line: token.startLine ?? 1, column: token.startColumn ?? 1 };
}

const operators = new Map<string, CompareOp>(
  ['=', '!=', '<', '<=', '>', '>=', '~=', '^=', '$=', '!~=', '!^=', '!$='].map((op) => [op, op as CompareOp]),
);

/** `'it\'s'` → `it's`: quotes removed, backslash escapes resolved (`\n`, `\t`, else the character). */
function unquote(image: string): string {
  return image.slice(1, -1).replace(/\\(.)/g, (_, char: string) => {
    if (char === 'n') return '\n';
    if (char === 't') return '\t';
    return char;
  });
}

function selectorName(value: string): SelectorName {
  return { field: /^[A-Z]/.test(value) ? '_class' : '_type', value };
}

/**
 * The J1QL grammar (DESIGN.md) as a chevrotain parser that builds the syntax tree directly.
 * Error recovery is off: the first error stops the parse and is reported.
 */
class J1qlGrammar extends EmbeddedActionsParser {
  constructor() {
    super(t.allTokens, {
      recoveryEnabled: false,
      maxLookahead: 3,
      errorMessageProvider: expectationMessages,
    });
    this.performSelfAnalysis();
  }

  query = this.RULE('query', (): QuerySyntax => {
    this.CONSUME(t.Find);
    const find = this.SUBRULE(this.node);
    const traversals: TraversalSyntax[] = [];
    this.MANY(() => traversals.push(this.SUBRULE(this.traversal)));
    const where = this.OPTION(() => {
      this.CONSUME(t.Where);
      return this.SUBRULE(this.condition);
    });
    const returns = this.OPTION2(() => this.SUBRULE(this.returnClause));
    const orderBy = this.OPTION3(() => this.SUBRULE(this.orderClause));
    const skip = this.OPTION4(() => {
      this.CONSUME(t.Skip);
      return this.SUBRULE(this.count);
    });
    const limit = this.OPTION5(() => {
      this.CONSUME(t.Limit);
      return this.SUBRULE2(this.count);
    });
    return {
      find,
      traversals,
      ...(where === undefined ? {} : { where }),
      ...(returns === undefined ? {} : { returns }),
      ...(orderBy === undefined ? {} : { orderBy }),
      ...(skip === undefined ? {} : { skip }),
      ...(limit === undefined ? {} : { limit }),
    };
  });

  private node = this.RULE('node', (): NodeSyntax => {
    const selector = this.SUBRULE(this.selector);
    const condition = this.OPTION(() => {
      this.CONSUME(t.With);
      return this.SUBRULE(this.condition);
    });
    const alias = this.OPTION2(() => this.SUBRULE(this.alias));
    return {
      selector,
      ...(condition === undefined ? {} : { with: condition }),
      ...(alias === undefined ? {} : { alias }),
    };
  });

  private alias = this.RULE('alias', (): AliasSyntax => {
    this.CONSUME(t.As);
    const token = this.CONSUME(t.Identifier);
    return { name: token.image, at: at(token) };
  });

  private selector = this.RULE('selector', (): Selector => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(t.Star);
          return { kind: 'any' as const };
        },
      },
      {
        ALT: () => {
          const names = this.SUBRULE(this.alternatives);
          return { kind: 'names' as const, names: this.ACTION(() => names.map(selectorName)) };
        },
      },
    ]);
  });

  /** `name` or `(name | name …)`. */
  private alternatives = this.RULE('alternatives', (): string[] => {
    return this.OR([
      { ALT: () => [this.CONSUME(t.Identifier).image] },
      {
        ALT: () => {
          this.CONSUME(t.LParen);
          const names = [this.CONSUME2(t.Identifier).image];
          this.MANY(() => {
            this.CONSUME(t.Pipe);
            names.push(this.CONSUME3(t.Identifier).image);
          });
          this.CONSUME(t.RParen);
          return names;
        },
      },
    ]);
  });

  private traversal = this.RULE('traversal', (): TraversalSyntax => {
    const that = this.CONSUME(t.That);
    const negated = this.OPTION(() => this.CONSUME(t.Bang)) !== undefined;
    const written = this.SUBRULE(this.alternatives);
    const verbs = this.ACTION(() => written.map((verb) => verb.toUpperCase()));
    const direction =
      this.OPTION2(() =>
        this.OR([
          { ALT: () => this.tagged(t.Incoming, 'in' as const) },
          { ALT: () => this.tagged(t.Outgoing, 'out' as const) },
        ]),
      ) ?? 'any';
    const node = this.SUBRULE(this.node);
    return { at: at(that), negated, verbs, direction, node };
  });

  private condition = this.RULE('condition', (): ConditionSyntax => {
    const operands = [this.SUBRULE(this.conjunction)];
    this.MANY(() => {
      this.CONSUME(t.Or);
      operands.push(this.SUBRULE2(this.conjunction));
    });
    return operands.length === 1 && operands[0] !== undefined ? operands[0] : { kind: 'or', operands };
  });

  private conjunction = this.RULE('conjunction', (): ConditionSyntax => {
    const operands = [this.SUBRULE(this.atom)];
    this.MANY(() => {
      this.CONSUME(t.And);
      operands.push(this.SUBRULE2(this.atom));
    });
    return operands.length === 1 && operands[0] !== undefined ? operands[0] : { kind: 'and', operands };
  });

  private atom = this.RULE('atom', (): ConditionSyntax => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(t.LParen);
          const inner = this.SUBRULE(this.condition);
          this.CONSUME(t.RParen);
          return inner;
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  private comparison = this.RULE('comparison', (): ConditionSyntax => {
    const left = this.SUBRULE(this.dottedName);
    const opToken = this.OR(t.operatorTokens.map((token) => ({ ALT: () => this.CONSUME(token) })));
    const right = this.OR2([
      { ALT: () => this.SUBRULE(this.literal) },
      { ALT: () => ({ kind: 'name' as const, name: this.SUBRULE2(this.dottedName) }) },
    ]);
    return { kind: 'compare', left, op: operators.get(opToken.image) ?? '=', opAt: at(opToken), right };
  });

  private literal = this.RULE('literal', (): LiteralSyntax => {
    return this.OR([
      {
        ALT: () => {
          const token = this.CONSUME(t.StringLiteral);
          return { kind: 'string' as const, value: unquote(token.image), at: at(token) };
        },
      },
      {
        ALT: () => {
          const token = this.CONSUME(t.NumberLiteral);
          return { kind: 'number' as const, value: Number(token.image), at: at(token) };
        },
      },
      {
        ALT: () => {
          const token = this.CONSUME(t.True);
          return { kind: 'boolean' as const, value: true, at: at(token) };
        },
      },
      {
        ALT: () => {
          const token = this.CONSUME(t.False);
          return { kind: 'boolean' as const, value: false, at: at(token) };
        },
      },
      { ALT: () => ({ kind: 'undefined' as const, at: at(this.CONSUME(t.Undefined)) }) },
      {
        ALT: () => {
          const token = this.CONSUME(t.RegexLiteral);
          return { kind: 'regex' as const, image: token.image, at: at(token) };
        },
      },
    ]);
  });

  /** `a`, `a.hostname`, `tag.Name`: keywords are accepted as segments (`count`, `a.status`). */
  private dottedName = this.RULE('dottedName', (): DottedName => {
    const first = this.CONSUME(t.Name);
    const segments = [first.image];
    this.MANY(() => {
      this.CONSUME(t.Dot);
      segments.push(this.CONSUME2(t.Name).image);
    });
    return { segments, at: at(first) };
  });

  private returnClause = this.RULE('returnClause', (): ReturnItemSyntax[] => {
    this.CONSUME(t.Return);
    const items = [this.SUBRULE(this.returnItem)];
    this.MANY(() => {
      this.CONSUME(t.Comma);
      items.push(this.SUBRULE2(this.returnItem));
    });
    return items;
  });

  private returnItem = this.RULE('returnItem', (): ReturnItemSyntax => {
    const item = this.OR([
      { ALT: () => this.SUBRULE(this.aggregate) },
      { ALT: () => ({ name: this.SUBRULE(this.dottedName) }) },
    ]);
    const label = this.OPTION(() => this.SUBRULE(this.alias));
    return label === undefined ? item : { ...item, label };
  });

  private aggregate = this.RULE('aggregate', (): ReturnItemSyntax => {
    const fn = this.OR([
      { ALT: () => this.tagged(t.Count, 'count' as const) },
      { ALT: () => this.tagged(t.Min, 'min' as const) },
      { ALT: () => this.tagged(t.Max, 'max' as const) },
      { ALT: () => this.tagged(t.Avg, 'avg' as const) },
      { ALT: () => this.tagged(t.Sum, 'sum' as const) },
    ]);
    this.CONSUME(t.LParen);
    const name = this.SUBRULE(this.dottedName);
    this.CONSUME(t.RParen);
    return { fn, name };
  });

  private orderClause = this.RULE('orderClause', () => {
    this.CONSUME(t.Order);
    this.CONSUME(t.By);
    const name = this.SUBRULE(this.dottedName);
    const descending = this.OPTION(() =>
      this.OR([{ ALT: () => this.tagged(t.Asc, false) }, { ALT: () => this.tagged(t.Desc, true) }]),
    );
    return { name, descending: descending ?? false };
  });

  /** Consumes `token` and yields `value` (for alternatives that only choose a meaning). */
  private tagged<T>(token: TokenType, value: T): T {
    this.CONSUME(token);
    return value;
  }

  private count = this.RULE('count', () => {
    const token = this.CONSUME(t.NumberLiteral);
    return { value: Number(token.image), at: at(token) };
  });
}

/** The one grammar instance (building one runs chevrotain's grammar analysis, so it is shared). */
export const grammar = new J1qlGrammar();
