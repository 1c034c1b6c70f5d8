import { createToken, Lexer, type TokenType } from 'chevrotain';

/**
 * The J1QL vocabulary. Keywords are case-insensitive; those that can also be property names
 * (`WITH count > 3`, `a.status`) belong to the `Name` category, so a dotted name accepts them.
 */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });
export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [Name],
  label: 'a name',
});

function keyword(word: string, nameToo = true): TokenType {
  return createToken({
    name: word,
    pattern: new RegExp(word, 'i'),
    longer_alt: Identifier,
    categories: nameToo ? [Name] : [],
    label: word,
  });
}

export const Find = keyword('FIND');
export const With = keyword('WITH');
export const As = keyword('AS');
export const That = keyword('THAT');
export const Where = keyword('WHERE');
export const Return = keyword('RETURN');
export const Order = keyword('ORDER');
export const By = keyword('BY');
export const Asc = keyword('ASC');
export const Desc = keyword('DESC');
export const Skip = keyword('SKIP');
export const Limit = keyword('LIMIT');
export const And = keyword('AND');
export const Or = keyword('OR');
export const Count = keyword('COUNT');
export const Min = keyword('MIN');
export const Max = keyword('MAX');
export const Avg = keyword('AVG');
export const Sum = keyword('SUM');
export const True = keyword('TRUE', false);
export const False = keyword('FALSE', false);
export const Undefined = keyword('UNDEFINED', false);

export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/,
  label: 'a string',
});
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  label: 'a number',
});
export const RegexLiteral = createToken({
  name: 'RegexLiteral',
  pattern: /\/(?:[^/\\\n]|\\.)+\/[A-Za-z]*/,
  label: 'a /regex/',
});

function punctuation(name: string, text: string): TokenType {
  return createToken({ name, pattern: text, label: `'${text}'` });
}

export const NotContains = punctuation('NotContains', '!~=');
export const NotStartsWith = punctuation('NotStartsWith', '!^=');
export const NotEndsWith = punctuation('NotEndsWith', '!$=');
export const NotEquals = punctuation('NotEquals', '!=');
export const Contains = punctuation('Contains', '~=');
export const StartsWith = punctuation('StartsWith', '^=');
export const EndsWith = punctuation('EndsWith', '$=');
export const LessEquals = punctuation('LessEquals', '<=');
export const GreaterEquals = punctuation('GreaterEquals', '>=');
export const Incoming = punctuation('Incoming', '<<');
export const Outgoing = punctuation('Outgoing', '>>');
export const Less = punctuation('Less', '<');
export const Greater = punctuation('Greater', '>');
export const Equals = punctuation('Equals', '=');
export const Bang = punctuation('Bang', '!');
export const Star = punctuation('Star', '*');
export const LParen = punctuation('LParen', '(');
export const RParen = punctuation('RParen', ')');
export const Pipe = punctuation('Pipe', '|');
export const Comma = punctuation('Comma', ',');
export const Dot = punctuation('Dot', '.');

const Whitespace = createToken({ name: 'Whitespace', pattern: /\s+/, group: Lexer.SKIPPED });

/** Comparison operators, longest first (the lexer tries tokens in order). */
export const operatorTokens = [
  NotContains,
  NotStartsWith,
  NotEndsWith,
  NotEquals,
  Contains,
  StartsWith,
  EndsWith,
  LessEquals,
  GreaterEquals,
  Less,
  Greater,
  Equals,
];

/** Keywords; a keyword that is a prefix of another (AS, OR) comes after it. */
const keywordTokens = [
  Find,
  With,
  Asc,
  As,
  That,
  Where,
  Return,
  Order,
  By,
  Desc,
  Skip,
  Limit,
  And,
  Or,
  Count,
  Min,
  Max,
  Avg,
  Sum,
  True,
  False,
  Undefined,
];

export const allTokens: TokenType[] = [
  Whitespace,
  StringLiteral,
  NumberLiteral,
  RegexLiteral,
  NotContains,
  NotStartsWith,
  NotEndsWith,
  NotEquals,
  Contains,
  StartsWith,
  EndsWith,
  LessEquals,
  GreaterEquals,
  Incoming,
  Outgoing,
  Less,
  Greater,
  Equals,
  Bang,
  Star,
  LParen,
  RParen,
  Pipe,
  Comma,
  Dot,
  ...keywordTokens,
  Identifier,
  Name,
];

export const queryLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: true });
