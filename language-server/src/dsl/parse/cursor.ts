// The parser's token cursor (a recycled ring of tokens with look-ahead), its leaves (keywords, words,
// names, numbers, strings), error reporting and resynchronisation (skip to the end of the statement).

import type { DeclKind, Keyword, NameDecl, NameRef, NumberLit, Span, StringLit, Word } from '../ast';
import { Severity } from '../ast';
import { DIAG, DiagnosticSink } from '../diagnostics';
import { Lexer, Token } from '../lexer';
import { BLOCK_BREAKERS } from '../keywords';

/** A token's text lower-cased, computed once. */
export function low(t: Token): string {
  return (t.lower ??= t.text.toLowerCase());
}

export function show(t: Token): string {
  if (t.kind === 'eof') return 'end of file';
  if (t.kind === 'newline') return 'end of line';
  const s = t.text.length > 30 ? t.text.slice(0, 27) + '...' : t.text;
  return '`' + s + '`';
}

const RING = 8;

export abstract class Cursor {
  readonly sink = new DiagnosticSink();
  readonly comments: Span[] = [];
  protected readonly lx: Lexer;
  /** Token objects are recycled through this ring (an advance may use two slots: a comment and a
   *  token; a peek two more), so a token taken from `this.tok` stays valid for two further
   *  `advance()` calls. Keep offsets, not tokens, for longer. */
  protected readonly ring: Token[] = [];
  protected ringPos = 0;
  protected tok: Token;
  protected readonly ahead: Token[] = [];
  /** End offset of the last consumed significant token. */
  protected lastEnd = 0;
  /** The current token is the first significant token on its line. */
  protected lineStart = true;

  /** Where parseScript stopped (the start of the statement `stopAt` accepted, else the end). */
  stoppedAt: number;

  /** `lean`: the runner's tree (ParseOptions.lean): no comment spans, no transaction option lists.
   *  `noFastPath`: every line through the general path (ParseOptions.noFastPath). */
  constructor(readonly text: string, from = 0, protected readonly lean = false, protected readonly noFastPath = false) {
    this.stoppedAt = text.length;
    this.lx = new Lexer(text, this.sink, from);
    for (let i = 0; i < RING; i++) this.ring.push({ kind: 'eof', start: 0, end: 0, text: '', lower: undefined, value: undefined, suffixed: undefined, str: undefined });
    this.tok = this.pull();
  }

  /** Line starts, complete once the whole text has been read. */
  lineStarts(): number[] {
    return this.lx.lineStarts;
  }

  protected lex(): Token {
    const t = this.ring[this.ringPos];
    this.ringPos = (this.ringPos + 1) % RING;
    this.lx.nextInto(t);
    return t;
  }

  // ---- token cursor -------------------------------------------------------------------------

  protected pull(): Token {
    for (;;) {
      const t = this.ahead.length > 0 ? this.ahead.pop()! : this.lex();
      if (t.kind === 'comment') {
        if (!this.lean) this.comments.push({ start: t.start, end: t.end });
        continue;
      }
      return t;
    }
  }

  protected peek(): Token {
    if (this.ahead.length === 0) {
      for (;;) {
        const t = this.lex();
        if (t.kind === 'comment') {
          if (!this.lean) this.comments.push({ start: t.start, end: t.end });
          continue;
        }
        this.ahead.push(t);
        break;
      }
    }
    return this.ahead[0];
  }

  protected advance(): void {
    if (this.tok.kind === 'eof') return;
    if (this.tok.kind !== 'newline') this.lastEnd = this.tok.end;
    this.lineStart = this.tok.kind === 'newline';
    this.tok = this.pull();
  }

  /** Continues at `pos` (not past a line break), the text before it read by a fast path whose last token ended at `lastEnd`. */
  protected skipTo(pos: number, lastEnd: number): void {
    this.lx.seek(pos);
    this.lastEnd = lastEnd;
    this.lineStart = false;
    this.tok = this.pull();
  }

  protected isPunct(p: string, t: Token = this.tok): boolean {
    return t.kind === 'punct' && t.text === p;
  }

  /** `t` is the word `lower`, case-insensitively (no allocation: this runs for every token). */
  protected isWord(lower: string, t: Token = this.tok): boolean {
    if (t.kind !== 'word' || t.text.length !== lower.length) return false;
    for (let i = 0; i < lower.length; i++) {
      const c = t.text.charCodeAt(i);
      if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== lower.charCodeAt(i)) return false;
    }
    return true;
  }

  /** End of a statement / block item: newline, `;`, `}`, end of file. */
  protected atItemEnd(): boolean {
    const t = this.tok;
    return t.kind === 'newline' || t.kind === 'eof' || (t.kind === 'punct' && (t.text === ';' || t.text === '}'));
  }

  protected error(start: number, end: number, code: string, message: string): void {
    this.sink.report(start, end, code, message, Severity.Error);
  }

  protected errorAtTok(code: string, message: string): void {
    const t = this.tok;
    if (t.kind === 'newline' || t.kind === 'eof') this.error(this.lastEnd, this.lastEnd, code, message);
    else this.error(t.start, t.end, code, message);
  }

  // ---- leaves -------------------------------------------------------------------------------

  protected keyword(): Keyword {
    const t = this.tok;
    this.advance();
    return { kind: 'keyword', start: t.start, end: t.end, text: t.text };
  }

  protected word(): Word {
    const t = this.tok;
    this.advance();
    return { kind: 'word', start: t.start, end: t.end, text: t.text, lower: low(t) };
  }

  protected nameDecl(declares: DeclKind): NameDecl {
    const t = this.tok;
    this.advance();
    return { kind: 'nameDecl', start: t.start, end: t.end, name: t.text, declares };
  }

  protected nameRef(refers: DeclKind): NameRef {
    const t = this.tok;
    this.advance();
    return { kind: 'nameRef', start: t.start, end: t.end, name: t.text, refers };
  }

  /** A number at the cursor, `+N` included (a size). */
  protected atNumber(): boolean {
    return this.tok.kind === 'number' || (this.isPunct('+') && this.peek().kind === 'number' && this.peek().start === this.tok.end);
  }

  protected number(): NumberLit {
    if (this.isPunct('+')) {
      const plus = this.tok;
      this.advance();
      const t = this.tok;
      this.advance();
      return { kind: 'number', start: plus.start, end: t.end, text: '+' + t.text, value: t.value ?? 0n, size: true };
    }
    const t = this.tok;
    this.advance();
    return { kind: 'number', start: t.start, end: t.end, text: t.text, value: t.value ?? 0n, size: t.suffixed === true };
  }

  /** A number, or a diagnostic "expected WHAT after `AFTER`". */
  protected expectNumber(what: string, after: string): NumberLit | undefined {
    if (this.atNumber()) return this.number();
    this.errorAtTok(DIAG.expected, `expected ${what} after \`${after}\`${this.atItemEnd() ? '' : `, found ${show(this.tok)}`}`);
    return undefined;
  }

  protected string(): StringLit {
    const t = this.tok;
    this.advance();
    return { kind: 'string', start: t.start, end: t.end, value: t.str ?? '' };
  }

  // ---- skipping -----------------------------------------------------------------------------

  /** Skips to the end of the statement / block item, stepping over balanced `{}` (by counting,
   *  so any nesting depth costs nothing). Stops at a statement keyword starting a line inside an
   *  unclosed brace. */
  protected skipRest(initialDepth = 0): void {
    let depth = initialDepth;
    for (;;) {
      const t = this.tok;
      if (t.kind === 'eof') return;
      if (depth === 0 && this.atItemEnd()) return;
      if (depth > 0 && this.lineStart && t.kind === 'word' && BLOCK_BREAKERS.has(low(t))) return;
      if (t.kind === 'punct') {
        if (t.text === '{') depth++;
        else if (t.text === '}') depth--;
      }
      this.advance();
    }
  }

  /** Consumes the end of a statement; reports and skips anything left over. */
  protected endStatement(topLevel: boolean, quiet: boolean): void {
    // A statement keyword starting a line ends the statement (after an unclosed `{`).
    if (this.lineStart && this.tok.kind === 'word' && BLOCK_BREAKERS.has(low(this.tok))) return;
    if (!this.atItemEnd()) {
      // One diagnostic per statement: after an error inside it, the rest is skipped silently.
      if (!quiet && this.tok.kind !== 'invalid') this.errorAtTok(DIAG.unexpectedToken, `unexpected ${show(this.tok)}: expected end of line or \`;\``);
      this.skipRest();
    }
    if (this.isPunct(';')) this.advance();
    else if (topLevel && this.isPunct('}')) {
      this.error(this.tok.start, this.tok.end, DIAG.unmatchedBrace, 'unmatched `}`');
      this.advance();
    }
  }
}
