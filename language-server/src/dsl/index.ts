// Public API of the `.smmu` front end: parse, tokens, tree queries, formatter, keyword lists.
// The language itself is described in docs/language.md.
export * from './ast';
export { parse, MAX_DEPTH } from './parser';
export { tokenize, Lexer, parseNumberText } from './lexer';
export type { Token, TokenKind } from './lexer';
export { DIAG, MAX_DIAGNOSTICS, computeLineStarts, positionIn, positionAt, rangeOf, offsetAt } from './diagnostics';
export { children, walk, nodeAt, tokenAt, commentAt, isLeaf, declarations, references, resolveName } from './query';
export type { Reference } from './query';
export { format, INDENT } from './format';
export {
  KEYWORDS,
  STATEMENT_KEYWORDS,
  BLOCK_BREAKERS,
  TRANSACTION_OPTIONS,
  EXPECT_KINDS,
  EXPECT_FIELDS,
  FLAG_WORDS,
  isPermsWord,
  isStatementKeyword,
} from './keywords';
export type { StatementKeyword } from './keywords';
